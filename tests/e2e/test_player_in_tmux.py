"""The installed `watch` in a real terminal: pause, resume and skip reach the history with the right places."""

import json
import subprocess
import time

import pytest

from player.engine.catalog.films import Catalog
from player.engine.base.locations import bundled_catalog
from player.engine.playback.timeline import Timeline
from tests.e2e.tmux import Terminal, watch_executable

pytestmark = pytest.mark.e2e


@pytest.fixture
def env(private_home):
    return {"WATCH_HOME": str(private_home), "TERM": "xterm-256color"}


def history_json(env) -> list[dict]:
    result = subprocess.run([watch_executable(), "history", "--json"], capture_output=True, text=True,
                            env={**env, "PATH": "/usr/bin:/bin"}, check=True)
    return json.loads(result.stdout)


def test_pause_resume_and_skips_are_recorded_at_the_right_place(env):
    film = Catalog.load([bundled_catalog()]).find("lighthouse")
    timeline = Timeline(film.scenes)
    terminal = Terminal([watch_executable(), "lighthouse"], env, 100, 30)
    try:
        terminal.wait_for(film.title)
        time.sleep(3)
        terminal.keys("Space")
        terminal.wait_for("paused")
        time.sleep(2)
        terminal.keys("Space")
        terminal.wait_for("playing")
        terminal.keys("Right")
        time.sleep(0.3)
        terminal.keys("Right")
        time.sleep(0.3)
        terminal.keys("q")
        assert terminal.exit_status() == 0
        assert "Traceback" not in terminal.screen()
    finally:
        terminal.close()

    events = history_json(env)
    assert [e["kind"] for e in events] == ["start", "pause", "resume", "skip", "skip", "abandon", "end"]
    start, pause, resume, skip1, skip2 = events[:5]
    assert 2.5 <= pause["position"] <= 4.5, pause
    assert resume["position"] == pause["position"]
    assert 1.7 <= resume["paused"] <= 3.5, resume
    assert 0 <= skip1["from"] - resume["position"] <= 1.0
    assert 0 <= skip2["from"] - skip1["to"] <= 1.0
    for event in (pause, resume, skip1, skip2):
        slot = timeline.slot_at(event["position"])
        assert (event["scene"], event["beat"]) == (slot.scene.id, slot.beat_index), event
        assert event["title"] == "lighthouse" and event["viewer"] == "default"
    for skip in (skip1, skip2):
        after = timeline.slots[timeline.index_at(skip["from"]) + 1]
        assert skip["to"] == round(after.start, 2)
        assert skip["seconds"] == pytest.approx(skip["to"] - skip["from"], abs=0.02)
        assert skip["tags"] == list(timeline.slot_at(skip["from"]).beat.tags)
    assert len({e["session"] for e in events}) == 1


def timeline_position(screen: str) -> str:
    """The elapsed time at the start of the timeline line ("00:12 ━━●───…── 08:49")."""
    line = next(line for line in screen.splitlines() if "●" in line)
    return line.split()[0]


def test_help_pauses_the_film_and_closing_it_plays_on(env):
    terminal = Terminal([watch_executable(), "lighthouse", "--speed", "4"], env, 100, 30)
    try:
        terminal.wait_for("playing")
        time.sleep(1.5)
        terminal.keys("?")
        terminal.wait_for("Keys")
        time.sleep(0.5)
        covered = timeline_position(terminal.screen())
        time.sleep(2.5)  # 10 s of film at 4x
        screen = terminal.screen()
        assert timeline_position(screen) == covered and "paused" in screen and "playing" not in screen
        terminal.keys("Escape")
        terminal.wait_for("playing")
        time.sleep(2.5)
        assert timeline_position(terminal.screen()) > covered  # "00:16" > "00:06": the same width, zero-padded
        terminal.keys("q")
        assert terminal.exit_status() == 0
    finally:
        terminal.close()
    events = history_json(env)
    assert "pause" not in [e["kind"] for e in events]  # the viewer did not pause
