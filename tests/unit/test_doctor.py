"""`watch doctor`: each check finds what is wrong and says how to fix it."""

import json

from player.cli import run
from player.engine import doctor
from player.engine.llm.backend import ModelError
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
