"""The whole personalised-ending path with the real llama.cpp and the real default model: plan, prompt, the
model process, cleaning and loop checks. It asserts structure, never exact text."""

import pytest

from player.engine import beat_text, models, writer
from player.engine.catalog import Catalog
from player.engine.locations import bundled_catalog
from player.engine.model_process import LocalBackend
from player.engine.plan import make_plan, short_name
from player.engine.prompt import story_prefix
from tests.unit.test_ending_plan import ACTION

pytestmark = pytest.mark.model


def test_the_default_model_is_assembled_with_progress_and_a_checked_sha256(assembled_model):
    path, progress = assembled_model
    package = models.default_package()
    assert path.name == package.MODEL_NAME and path.stat().st_size > 200_000_000
    fractions = [fraction for _, fraction in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 10
    assert all(what for what, _ in progress)  # every step says what is happening
    assert models.file_sha256(path, path.parent.parent) == package.EXPECTED_SHA256  # checked, and remembered


def test_a_short_ending_from_the_real_model(home_with_default_model):
    film = Catalog.load([bundled_catalog()]).films["lighthouse"]
    plan = make_plan(film, ACTION, seed=11)
    plan = type(plan)(**{**plan.__dict__, "beats": plan.beats[:4]})  # four beats keep the test short
    backend = LocalBackend(home_with_default_model, None, {}, n_threads=2)
    try:
        backend.start()
        assert backend.describe()["source"] == "default package"
        backend.prewarm(story_prefix(film), wait=True)
        first = writer.write(film, plan, backend)
        again = writer.write(film, plan, backend)
    finally:
        backend.close()
    assert len(first.beats) >= 3 and [b.text for b in first.beats] == [b.text for b in again.beats]  # the seed
    names = {short_name(film, c) for c in film.characters}
    text = " ".join(beat.text for beat in first.beats)
    assert any(name in text for name in names)
    for index, beat in enumerate(first.beats):
        planned = next(p for p in plan.beats if p.tags == beat.tags and beat.text.startswith(p.opener.strip()))
        assert beat.text.startswith(planned.opener.strip())
        others = [b.text for b in first.beats[:index]]
        assert beat_text.refusal(beat.text, planned.opener, others, writer.film_text(film)) is None
        assert len(beat.text) <= beat_text.MAX_CHARS and "\n" not in beat.text
    assert first.first_token_seconds is not None and first.tokens > 10
