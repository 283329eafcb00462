"""The whole personalised-ending path with the real llama.cpp and the real default model: plan, prompt, the
model process, cleaning and loop checks. It asserts structure, never exact text."""

import re

import pytest

from player.engine.ending import beat_text
from player.engine.llm import model_files
from player.engine.ending import ranking
from player.engine.ending import writer
from player.engine.catalog.films import Catalog
from player.engine.base.locations import bundled_catalog
from player.engine.llm.process import LocalBackend
from player.engine.ending.plan import make_plan, short_name
from player.engine.ending.prompt import story_prefix
from tests.profiles import ACTION, ROMANCE

pytestmark = pytest.mark.model


def test_the_default_model_is_assembled_with_progress_and_a_checked_sha256(assembled_model):
    path, progress = assembled_model
    package = model_files.default_package()
    assert path.name == package.MODEL_NAME and path.stat().st_size > 200_000_000
    fractions = [fraction for _, fraction in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 10
    assert all(what for what, _ in progress)  # every step says what is happening
    assert model_files.file_sha256(path, path.parent.parent) == package.EXPECTED_SHA256  # checked, and remembered


def test_a_short_ending_from_the_real_model(home_with_default_model):
    film = Catalog.load([bundled_catalog()]).films["lighthouse"]
    plan = make_plan(film, ACTION, seed=11)
    plan = type(plan)(**{**plan.__dict__, "beats": plan.beats[:4]})  # four beats keep the test short
    backend = LocalBackend(home_with_default_model, None, {})  # threads follow the free cores, as in the player
    try:
        backend.start()
        assert backend.describe()["source"] == "default package"
        backend.prewarm(story_prefix(film))
        first = writer.write(film, plan, backend)
        again = writer.write(film, plan, backend)
    finally:
        backend.close()
    assert len(first.beats) >= 3 and [b.text for b in first.beats] == [b.text for b in again.beats]  # the seed
    finished = []  # the beats the model finished (the others are the film's own clause, told when all failed)
    for index, beat in enumerate(first.beats):
        planned = next(p for p in plan.beats if p.tags == beat.tags and beat.text.startswith(p.opener.strip())
                       or p.material and beat.text == p.material + ".")
        others = [b.text for b in first.beats[:index]]
        if beat.text.startswith(planned.opener.strip()):
            assert beat_text.refusal(beat.text, planned.opener, others, writer.film_text(film)) is None
            finished.append(beat)
        assert len(beat.text) <= beat_text.MAX_CHARS and "\n" not in beat.text
    assert len(finished) >= 2  # the ending is the model's, not only the film's material
    assert first.first_token_seconds is not None and first.tokens > 10


def test_a_whole_lighthouse_ending_answers_the_question_with_the_films_own_people(home_with_default_model):
    film = Catalog.load([bundled_catalog()]).films["lighthouse"]
    viewer = {**ROMANCE, "pace": {"skip_rate": 0.6}}  # a short ending: the test stays quick
    plan = make_plan(film, viewer, seed=5)
    backend = LocalBackend(home_with_default_model, None, {})  # threads follow the free cores, as in the player
    try:
        backend.start()
        backend.prewarm(story_prefix(film))
        result = writer.write(film, plan, backend)
    finally:
        backend.close()
    assert plan.way == "truth"
    decision = result.beats[0].text
    assert decision.startswith(plan.decision) and "red book" in decision  # the question is answered first
    text = " ".join(beat.text for beat in result.beats)
    world = ranking.World.of(film)
    strangers = [word for word in re.findall(r"\b[A-Z][a-z]+", text) if not world.knows(word)]
    assert strangers == []  # nobody and nowhere the film does not have
    assert not set(beat_text.words(text)) & set(film.branch.world.never)
    for cid in film.branch.world.cast:
        assert short_name(film, cid) in text or any(b.speaker == cid for b in result.beats), cid
    assert len(result.beats) >= len(plan.beats) - 1
    assert all(beat_text.refusal(b.text, "", [], "") != "repeats itself" for b in result.beats)  # no loop
