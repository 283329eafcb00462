"""The installed `watch` in a real terminal with the real default model: at 16x the film reaches the branch
point, "Your ending" streams in, plays, and is saved with its seed and the model's sha256."""

import json
import os
import subprocess

import pytest

from player.engine import models
from tests.e2e.tmux import Terminal, watch_executable

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def test_your_ending_streams_plays_and_is_saved(home_with_default_model):
    env = {"WATCH_HOME": str(home_with_default_model), "TERM": "xterm-256color"}
    terminal = Terminal([watch_executable(), "lighthouse", "--speed", "16", "--seed", "9"], env)
    try:
        terminal.wait_for("The Last Lighthouse")
        screen = terminal.wait_for("Your ending — written for you now", timeout=90)
        option = next(line for line in screen.splitlines() if "Your ending" in line)
        terminal.keys(option.split("Your ending")[0].split()[-1])  # its number
        terminal.wait_for("writing your ending", timeout=30)
        terminal.wait_for("your ending  ·", timeout=30)  # the first beat is playing
        terminal.wait_for("THE END", timeout=120)
        terminal.keys("q")
        assert terminal.exit_status() == 0
    finally:
        terminal.close()
    result = subprocess.run([watch_executable(), "endings", "--json"], capture_output=True, text=True,
                            env={**os.environ, **env})
    endings = json.loads(result.stdout)
    assert len(endings) == 1
    assert endings[0]["seed"] == 9 and endings[0]["title"] == "lighthouse" and endings[0]["beats"] >= 5
    assert endings[0]["sha256"] == models.default_package().EXPECTED_SHA256
    history = json.loads(subprocess.run([watch_executable(), "history", "--json"], capture_output=True, text=True,
                                        env={**os.environ, **env}).stdout)
    kinds = [e["kind"] for e in history]
    assert "choice" in kinds and kinds[-2:] == ["finish", "end"]
    assert next(e for e in history if e["kind"] == "choice")["ending"] == "yours"
