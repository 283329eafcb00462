"""The history's journal: an event logged by a player that is then killed outright, before its writer wrote the
segment, is in the history all the same, once; the journal of a player still running is left to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from player.engine.history.store import History

ROOT = Path(__file__).resolve().parents[2]
# A player whose writer never gets to write (it waits an hour before each write): only the journal has them.
PLAYER = """
import sys, time
from pathlib import Path
from player.engine.history.store import History

history = History(Path(sys.argv[1]), "ann", flush_delay=3600)
for number in range(5):
    history.log({"kind": "pause", "viewer": "ann", "title": "lighthouse", "session": "s", "scene": "a",
                 "beat": number, "position": float(number), "at": "2026-01-01T00:00:0%d.000Z" % number})
print("logged", flush=True)
time.sleep(60)
"""


def event(number: int) -> dict:
    return {"kind": "pause", "viewer": "ann", "title": "lighthouse", "session": "s", "scene": "a", "beat": number,
            "position": float(number), "at": f"2026-01-01T00:00:0{number}.000Z"}


def start_player(home: Path) -> subprocess.Popen:
    player = subprocess.Popen([sys.executable, "-c", PLAYER, str(home)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert player.stdout.readline() == "logged\n"
    return player


def test_events_of_a_killed_player_that_only_its_journal_holds_are_replayed_once(private_home):
    player = start_player(private_home)
    assert History(private_home, "ann").events() == []  # it runs: its journal is its own to write
    player.send_signal(signal.SIGKILL)
    player.wait()
    assert [e["beat"] for e in History(private_home, "ann").events()] == [0, 1, 2, 3, 4]
    assert [e["beat"] for e in History(private_home, "ann").events()] == [0, 1, 2, 3, 4]  # replayed once
    assert list((private_home / "viewers" / "ann" / "journal").iterdir()) == []


def test_a_journal_holding_events_already_written_adds_only_the_others(private_home):
    history = History(private_home, "ann")
    for number in range(3):
        history.log(event(number))
    history.close()
    # killed between writing events 0-2 and emptying its journal, with 3 and 4 journaled only
    journal = private_home / "viewers" / "ann" / "journal" / "999999999-1.jsonl"
    journal.parent.mkdir(exist_ok=True)
    journal.write_text("".join(json.dumps(event(number)) + "\n" for number in range(5)) + '{"kind": "pau')
    assert [e["beat"] for e in History(private_home, "ann").events()] == [0, 1, 2, 3, 4]
    assert not journal.exists()


def test_a_store_closed_cleanly_leaves_no_journal(private_home):
    history = History(private_home, "ann")
    history.log(event(0))
    history.close()
    assert list((private_home / "viewers" / "ann" / "journal").iterdir()) == []
