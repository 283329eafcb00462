"""`history erase` on a filesystem without locks (flock fails, as on some network and FUSE mounts): a player that
runs still blocks it, and a lock file left by one that is gone does not, whatever the file holds."""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from player.engine.history.store import History, PlayerRunning

ROOT = Path(__file__).resolve().parents[2]
NO_LOCKS = [errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP]
# A player in its own process on that filesystem: it records one event, says so, and keeps running.
PLAYER = """
import fcntl, sys, time
from pathlib import Path

def flock(*args):
    raise OSError({code}, "locks are not supported")

fcntl.flock = flock
from player.engine.history.store import History

history = History(Path(sys.argv[1]), "ann")
history.log({{"kind": "start", "viewer": "ann", "title": "lighthouse", "session": "s", "scene": "a", "beat": 0,
             "position": 0.0, "at": "2026-01-01T00:00:00.000Z"}})
history.flush()
print("recording", flush=True)
time.sleep(60)
"""


def without_locks(monkeypatch, code: int) -> None:
    def flock(*args):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr(fcntl, "flock", flock)


def dead_pid() -> int:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def lock_files(home: Path) -> list[str]:
    return sorted(path.name for path in (home / "viewers" / ".players" / "ann").glob("*.lock"))


@pytest.mark.parametrize("code", NO_LOCKS, ids=errno.errorcode.get)
def test_a_running_player_blocks_erase_and_a_killed_one_does_not(private_home, monkeypatch, code):
    player = subprocess.Popen([sys.executable, "-W", "ignore", "-c", PLAYER.format(code=code), str(private_home)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert player.stdout.readline() == "recording\n"
        without_locks(monkeypatch, code)
        history = History(private_home, "ann")
        with pytest.raises(PlayerRunning, match=f"process {player.pid}\\)"):
            history.refuse_if_recording()
        assert lock_files(private_home) == [f"{player.pid}.lock"]
    finally:
        player.kill()
        player.wait()
    history.refuse_if_recording()  # killed: its lock file is stale now, and removed
    assert lock_files(private_home) == []


@pytest.mark.parametrize("code", NO_LOCKS, ids=errno.errorcode.get)
@pytest.mark.parametrize("content", ["", "{pid}\n{host}\n"], ids=["empty", "a soft lock's record"])
def test_a_lock_file_whose_process_is_gone_does_not_block_erase(private_home, monkeypatch, code, content):
    pid = dead_pid()
    left = private_home / "viewers" / ".players" / "ann" / f"{pid}.lock"
    left.parent.mkdir(parents=True)
    # as a player killed here, or on a filesystem with locks, left it (empty), or an older watch's soft lock
    left.write_text(content.format(pid=pid, host=socket.gethostname()))
    without_locks(monkeypatch, code)
    history = History(private_home, "ann")
    history.refuse_if_recording()
    assert history.other_players() == [] and lock_files(private_home) == []


@pytest.mark.parametrize("code", NO_LOCKS, ids=errno.errorcode.get)
def test_a_player_without_locks_marks_itself_and_unmarks_on_close(private_home, monkeypatch, code):
    without_locks(monkeypatch, code)
    history = History(private_home, "ann")
    history._hold_recording()
    assert lock_files(private_home) == [f"{os.getpid()}.lock"]
    history._release_recording()
    assert lock_files(private_home) == []


@pytest.mark.parametrize("code", NO_LOCKS, ids=errno.errorcode.get)
def test_without_locks_events_are_still_saved_and_erased(private_home, monkeypatch, code, caplog):
    """The viewer's write lock is missing too: writing goes on without it (said once in the log) instead of never
    saving, and a lock file left from when the filesystem had locks does not hold erase for ever."""
    without_locks(monkeypatch, code)
    (private_home / "viewers").mkdir(parents=True)
    (private_home / "viewers" / ".ann.lock").write_text("")  # left by a player when locks still worked
    history = History(private_home, "ann")
    for number in range(3):
        history.log({"kind": "pause", "viewer": "ann", "title": "lighthouse", "session": "s", "scene": "a",
                     "beat": number, "position": float(number), "at": "2026-01-01T00:00:00.000Z"})
        assert history.flush() and history.warning is None
    assert len(History(private_home, "ann").events()) == 3
    assert sum("no file locks" in record.message for record in caplog.records) == 1
    history.close()
    History(private_home, "ann").erase()
    assert History(private_home, "ann").events() == []
