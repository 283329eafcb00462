"""The installed `watch` in a real terminal with the real default model: at 16x the film reaches the branch
point, "Your ending" streams in, plays, and is saved with its seed and the model's sha256."""

import pytest

from player.engine.llm import model_files
from tests.e2e.tmux import watch_json, watch_your_ending

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def test_your_ending_streams_plays_and_is_saved(home_with_default_model):
    env = {"WATCH_HOME": str(home_with_default_model), "TERM": "xterm-256color"}
    watch_your_ending(env, "--seed", "9")
    endings = watch_json(env, "endings", "--json")
    assert len(endings) == 1
    assert endings[0]["seed"] == 9 and endings[0]["title"] == "lighthouse" and endings[0]["beats"] >= 5
    assert endings[0]["sha256"] == model_files.default_package().EXPECTED_SHA256
    history = watch_json(env, "history", "--json")
    kinds = [e["kind"] for e in history]
    assert "choice" in kinds and kinds[-2:] == ["finish", "end"]
    assert next(e for e in history if e["kind"] == "choice")["ending"] == "yours"
