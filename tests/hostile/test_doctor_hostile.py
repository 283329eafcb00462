"""`watch doctor` against a hostile server: a check that fails in a way nobody foresaw (not a ModelError) still
ends in one line in the doctor's report and its exit status, never a traceback; the traceback goes to
logs/watch.log, once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.request import urlopen

import pytest

from player.cli import run
from player.engine.base import locations
from player.engine.llm import openai_backend
from tests.hostile.server import nested, raw_stream


def careless_models(self, wait) -> list[str]:
    """GET /models read without the backend's guards: JSON nested too deep raises RecursionError."""
    with urlopen(f"{self.url}/models", timeout=5) as answer:
        return [entry["id"] for entry in json.loads(answer.read())["data"]]


def careless_decode(self, data: str):
    """An event decoded without the backend's guards: one that is not an object is passed on as it is."""
    return json.loads(data)


def models_nested_too_deep(handler, body) -> None:
    handler.raw_json(200, nested(100_000).encode())


@pytest.mark.parametrize("check, path, script, owner, name, careless, unforeseen", [
    ("server", "/v1/models", models_nested_too_deep, openai_backend.OpenAIBackend, "_served_models",
     careless_models, "RecursionError"),
    ("test generation", "/v1/completions", raw_stream(b"data: [1]\n\n"), openai_backend.Events, "_decode",
     careless_decode, "AttributeError"),
], ids=["models nested 100k deep", "an event that is not an object"])
def test_an_unforeseen_failure_of_a_check_is_one_line_of_the_report(fake, private_home, capsys, monkeypatch, check,
                                                                     path, script, owner, name, careless, unforeseen):
    fake.scripts[path] = script
    monkeypatch.setattr(owner, name, careless)
    monkeypatch.setenv("TERM", "xterm-256color")

    status = run(["doctor", "--json", "--backend", "openai", "--url", fake.url])

    out, err = capsys.readouterr()
    found = {row["name"]: row for row in json.loads(out)}
    assert status == 1 and "Traceback" not in out + err
    failed = found[check]
    assert failed["status"] == "fail" and "\n" not in failed["detail"] and unforeseen in failed["detail"]
    logged = locations.log_file(private_home).read_text(encoding="utf-8")
    assert logged.count("Traceback") == 1 and unforeseen in logged


def test_a_model_name_no_terminal_can_encode_is_shown_as_a_stand_in(fake, private_home):
    """A lone surrogate ("\\ud800" in the JSON) cannot be written as UTF-8: printed raw, it ends the doctor with a
    UnicodeEncodeError traceback."""
    fake.scripts["/v1/models"] = lambda handler, body: handler.raw_json(200, b'{"data": [{"id": "gem\\ud800ma"}]}')
    result = subprocess.run([sys.executable, "-m", "player", "doctor", "--backend", "openai", "--url", fake.url],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "WATCH_HOME": str(private_home), "PYTHONIOENCODING": "utf-8"})
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "\ufffd" in result.stdout  # where the surrogate was (the table may wrap the name)
