"""The installed `watch` in a real terminal, stopped by real signals, run twice at once, and given a damaged
history: nothing acknowledged is lost, and it always starts."""

import json
import os
import signal
import subprocess
import time

import pytest

from tests.e2e.tmux import Terminal, watch_executable

pytestmark = pytest.mark.e2e


@pytest.fixture
def env(private_home):
    return {"WATCH_HOME": str(private_home), "TERM": "xterm-256color"}


def watch_cli(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([watch_executable(), *args], capture_output=True, text=True, env={**os.environ, **env})


def history(env, *args) -> list[dict]:
    result = watch_cli(env, "history", "--json", *args)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return json.loads(result.stdout)


def toggle(terminal: Terminal, times: int, gap: float = 0.15) -> None:
    for _ in range(times):
        terminal.keys("Space")
        time.sleep(gap)


def gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_a_signal_ends_the_session_with_nothing_lost(env, how):
    terminal = Terminal([watch_executable(), "lighthouse"], env)
    try:
        terminal.wait_for("The Last Lighthouse")
        toggle(terminal, 6)
        terminal.keys("Right")
        time.sleep(0.2)
        if how == "SIGTERM":
            os.kill(terminal.pid, signal.SIGTERM)
            assert terminal.exit_status() == 0
            assert "Traceback" not in terminal.screen()
        else:
            terminal.kill_session()  # the terminal closes: SIGHUP
            assert gone(terminal.pid)
    finally:
        terminal.close()
    kinds = [e["kind"] for e in history(env)]
    assert kinds == ["start"] + ["pause", "resume"] * 3 + ["skip", "abandon", "end"]


def test_two_players_for_one_viewer_at_once(env):
    first = Terminal([watch_executable(), "lighthouse"], env)
    second = Terminal([watch_executable(), "tallow"], env, socket=first.socket, name="second")
    try:
        first.wait_for("The Last Lighthouse")
        second.wait_for("Ink and Flour")
        for _ in range(8):
            first.keys("Space")
            second.keys("Space")
            time.sleep(0.1)
        first.keys("q")
        second.keys("q")
        assert first.exit_status() == 0 and second.exit_status() == 0
    finally:
        first.close()
    events = history(env)
    for title in ("lighthouse", "tallow"):
        kinds = [e["kind"] for e in events if e["title"] == title]
        assert kinds == ["start"] + ["pause", "resume"] * 4 + ["abandon", "end"], title
    viewers = json.loads(watch_cli(env, "viewers", "--json").stdout)
    assert viewers == [{"viewer": "default", "events": len(events), "sessions": 2, "titles": 2}]


def pause_and_quit(env) -> str:
    """Play lighthouse, pause and resume once, quit; the screen left in the terminal."""
    terminal = Terminal([watch_executable(), "lighthouse"], env)
    try:
        terminal.wait_for("The Last Lighthouse")
        toggle(terminal, 2)
        terminal.keys("q")
        assert terminal.exit_status() == 0
        return terminal.screen()
    finally:
        terminal.close()


def test_a_damaged_history_is_moved_aside_and_the_player_starts(env, private_home):
    pause_and_quit(env)
    segment = private_home / "viewers" / "default" / "events" / "lighthouse" / "000001.json"
    segment.write_text('{"_default": {"1": {"kind": "sta')  # truncated mid-write by something else
    screen = pause_and_quit(env)
    assert "was damaged (not valid JSON); moved it aside to 000001.json.corrupt-" in screen.replace("\n", "")
    assert [e["kind"] for e in history(env)] == ["start", "pause", "resume", "abandon", "end"]
    assert len(list(segment.parent.glob("000001.json.corrupt-*"))) == 1
