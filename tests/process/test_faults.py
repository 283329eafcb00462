"""Faults from outside, against the real player in its own process: signals, a second command on the same
viewer, bad data dirs. Nothing saved is lost, nothing is written after a session's end, and bad input gets one
line and exit code 2, never a traceback."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from player.engine.history.store import History
from tests.e2e.tmux import Terminal

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}  # this tree's `player`, whatever is installed


def watch_in_terminal(home: Path, *args: str) -> Terminal:
    return Terminal([sys.executable, "-m", "player", *args], {**ENV, "WATCH_HOME": str(home)})


def watch(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "player", *args], capture_output=True, text=True, input=stdin,
                          env={**os.environ, **ENV, "WATCH_HOME": str(home)}, timeout=60)


def kinds(home: Path, viewer: str = "default") -> list[str]:
    return [event["kind"] for event in History(home, viewer).events()]


@pytest.mark.e2e
def test_erase_refuses_while_a_player_records_for_the_viewer(private_home):
    terminal = watch_in_terminal(private_home, "lighthouse", "--no-ai", "--viewer", "ann")
    try:
        terminal.wait_for("The Last Lighthouse")
        terminal.keys("Space")
        time.sleep(0.5)  # the pause is saved
        erase = watch(private_home, "history", "erase", "--viewer", "ann", "--yes")
        assert erase.returncode == 2 and "Traceback" not in erase.stderr
        assert erase.stderr == (f"watch: viewer ann is watching in a player that is still running (process "
                                f"{terminal.pid}); quit it, then erase the history\n")
        terminal.keys("Space")
        terminal.keys("q")
        assert terminal.exit_status(timeout=20) == 0
    finally:
        terminal.close()
    assert kinds(private_home, "ann") == ["start", "pause", "resume", "abandon", "end"]  # nothing was erased
    erase = watch(private_home, "history", "erase", "--viewer", "ann", "--yes")  # the player has quit
    assert erase.returncode == 0 and kinds(private_home, "ann") == []


def test_a_player_that_was_killed_does_not_block_erase(private_home):
    history_dir = private_home / "viewers" / "ann"
    driver = subprocess.Popen([sys.executable, "-m", "tests.process.driver", str(private_home), "ann", "w1",
                               "100000", "0.01"], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, **ENV})
    assert driver.stdout.readline().startswith("ack ")
    time.sleep(0.3)
    driver.kill()
    driver.wait()
    assert history_dir.is_dir()
    erase = watch(private_home, "history", "erase", "--viewer", "ann", "--yes")
    assert erase.returncode == 0, erase.stderr
    assert not history_dir.exists() and kinds(private_home, "ann") == []


def test_an_export_that_runs_out_of_room_leaves_the_old_file_as_it_was(private_home, tmp_path):
    history = History(private_home, "ann")
    for number in range(300):
        history.log({"kind": "pause", "viewer": "ann", "title": "lighthouse", "session": "s", "scene": "harbour",
                     "beat": 0, "position": float(number), "at": f"2026-01-01T00:{number // 60:02d}:{number % 60:02d}Z", "n": number})
    history.close()
    target = tmp_path / "exports" / "ann.jsonl"
    target.parent.mkdir()
    target.write_text("the export of last week\n")

    def little_room():  # the disk fills after 8 kB: a write past that fails (EFBIG) instead of killing us
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    result = subprocess.run([sys.executable, "-m", "player", "history", "export", str(target), "--viewer", "ann"],
                            capture_output=True, text=True, env={**os.environ, **ENV, "WATCH_HOME": str(private_home)},
                            preexec_fn=little_room, timeout=60)
    assert result.returncode == 2 and result.stderr == f"watch: cannot write {target}: File too large\n"
    assert target.read_text() == "the export of last week\n"
    assert [path.name for path in target.parent.iterdir()] == ["ann.jsonl"]  # no temporary file left either
    assert watch(private_home, "history", "export", str(target), "--viewer", "ann").returncode == 0
    assert len(target.read_text().splitlines()) == 300  # with room, it is written whole
