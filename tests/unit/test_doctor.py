"""`watch doctor`: each check finds what is wrong and says how to fix it."""

import json
import shutil

from player.cli import run
from player.engine import doctor
from player.engine.history.store import History
from player.engine.llm.backend import Generated, ModelError
from tests.conftest import TEST_CATALOG
from tests.fakes.backend import FakeBackend


def test_the_terminal_check_reads_the_colours_from_the_environment():
    size, colours = doctor.terminal({"TERM": "dumb"})
    assert colours.status == doctor.FAIL and "TERM=xterm-256color" in colours.fix
    assert doctor.terminal({"TERM": "xterm-256color"})[1].status == doctor.OK
    assert doctor.terminal({"TERM": "xterm", "COLORTERM": "truecolor"})[1].status == doctor.OK
    assert size.status in (doctor.OK, doctor.WARN, doctor.FAIL) and size.detail


def test_an_invalid_title_fails_the_catalog_check_with_the_command_that_explains(tmp_path):
    broken = tmp_path / "bad"
    broken.mkdir()
    (broken / "film.toml").write_text('title = "Bad"\n')
    check = doctor.catalog([tmp_path, TEST_CATALOG])
    assert check.status == doctor.FAIL and "bad" in check.detail and check.fix == f"run `watch check {broken}`"
    assert doctor.catalog([TEST_CATALOG]).status == doctor.OK


def test_a_model_that_loads_gets_a_test_generation_with_its_speed():
    loaded, generated = doctor.model(FakeBackend(), "model")
    assert loaded.status == doctor.OK and "fake-model" in loaded.detail
    assert generated.status == doctor.OK and "tokens/s" in generated.detail


def test_a_model_that_fails_says_how_to_fix_it_and_skips_the_generation():
    loaded, generated = doctor.model(FakeBackend(fail_start="no model found; use --model"), "model")
    assert loaded.status == doctor.FAIL and "no model found" in loaded.detail and "--model" in loaded.fix
    assert generated.status == doctor.SKIP

    class Stalls(FakeBackend):
        def stream(self, request):
            raise ModelError("the model stopped writing")
            yield  # pragma: no cover

    assert doctor.model(Stalls(), "model")[1].status == doctor.FAIL


def test_doctor_json_and_exit_status(capsys, private_home, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    status = run(["doctor", "--json", "--no-ai", "--catalog", str(TEST_CATALOG)])
    found = {check["name"]: check for check in json.loads(capsys.readouterr().out)}
    assert {"terminal size", "terminal colours", "data directory", "history", "catalog", "llama-cpp-python",
            "model"} <= set(found)
    assert found["data directory"]["status"] == "ok" and found["catalog"]["status"] == "ok"
    assert found["model"]["status"] == "skipped"
    assert status == (1 if any(c["status"] == "fail" for c in found.values()) else 0)
    monkeypatch.setenv("TERM", "dumb")
    assert run(["doctor", "--json", "--no-ai"]) == 1


class Timed(FakeBackend):
    """A model whose test generation took the given time: `tokens` in `seconds`, the first after `first`."""

    def __init__(self, tokens: int, seconds: float, first: float):
        super().__init__()
        self.timing = tokens, seconds, first

    def stream(self, request):
        tokens, seconds, first = self.timing
        yield " he"
        return Generated(" he", tokens, first, seconds, "stop")


def test_a_speed_too_slow_for_your_ending_is_a_warning_that_says_what_it_needs():
    _, generated = doctor.model(Timed(32, 32 / 3, 0.3), "model")  # 3 tokens/s: endings fell behind at that
    needed = doctor.needed_speed(0.3)
    assert 3 < needed < 10
    assert generated.status == doctor.WARN and generated.fix
    assert f"3.0 tokens/s: too slow for Your ending to keep pace (needs ~{needed} tokens/s)" in generated.detail
    _, generated = doctor.model(Timed(32, 32 / 50, 0.05), "model")
    assert generated.status == doctor.OK
    assert generated.detail == (f"32 tokens, first after 50 ms, 50 tokens/s; Your ending needs "
                                f"~{doctor.needed_speed(0.05)} tokens/s")


def test_the_speed_needed_is_judged_at_its_edge_and_grows_with_the_prompt_read():
    needed = doctor.needed_speed(0.2)
    assert doctor.generation(Generated("", 32, 0.2, 32 / needed, "stop")).status == doctor.OK
    assert doctor.generation(Generated("", 32, 0.2, 32 / (needed - 0.1), "stop")).status == doctor.WARN
    assert doctor.needed_speed(0.02) <= needed < doctor.needed_speed(0.8)
    # a prompt read slower than a beat plays: no speed keeps pace
    slow_read = doctor.generation(Generated("", 32, 5.0, 0.1, "stop"))
    assert doctor.needed_speed(5.0) == float("inf") and slow_read.status == doctor.WARN
    assert "too slow for Your ending to keep pace" in slow_read.detail


def test_doctor_marks_a_slow_model_with_a_warning_not_a_tick(capsys, private_home, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr("player.cli._backend", lambda *args: ("openai", lambda: Timed(32, 32 / 3, 0.3)))
    run(["doctor", "--catalog", str(TEST_CATALOG)])
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "test generation" in line)
    assert "│ ! │" in row and "✓" not in row and "free some cores" in row


def test_counts_in_the_checks_are_singular_for_one(private_home, tmp_path):
    recorded = History(private_home, "bob")
    recorded.log({"kind": "start", "viewer": "bob", "title": "tiny", "session": "s", "scene": "a", "beat": 0,
                  "position": 0.0, "at": "2026-01-01T00:00:00.000Z"})
    recorded.close()
    _, history = doctor.data_dir(private_home, "bob")
    assert history.detail == "viewer bob: 1 event, 1 session"
    shutil.copytree(TEST_CATALOG / "literal", tmp_path / "one" / "literal")
    assert doctor.catalog([tmp_path / "one"]).detail == "1 title, all valid"
    assert "1 token," in doctor.generation(Generated("", 1, 0.1, 0.1, "stop")).detail
