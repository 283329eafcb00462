"""What survives what: the player and its model process are killed, stopped and signalled in a real 80x24
terminal, while the film plays and while Your ending is written, and the events sent are counted against the
events kept.

Each test checks rows of the "What survives what" tables in docs/history.md and docs/endings.md, and the first
test checks that the rows there are exactly the ones below, word for word: the docs promise nothing that no
test checks. An event counts as sent once the screen shows its effect (the player logs it before it draws), so
an event seen on screen OLD_ENOUGH before a fault is at least that old when the fault comes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from player.engine.ending import endings_store
from player.engine.history.store import History
from tests.e2e.test_history_in_tmux import gone
from tests.e2e.test_quit_while_writing_in_tmux import children
from tests.e2e.tmux import Terminal, reach_your_ending

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
OLD_ENOUGH = 0.02  # an event this old is on disk, whatever happens to the player next

HISTORY = {  # docs/history.md: what happens to the player -> what is kept
    "it quits (`q`, `ctrl+q`, the end of the film)":
        "every event; the session ends with `abandon` or `finish`, then `end`",
    "`SIGTERM`, `SIGINT` or `SIGHUP`, while the film plays or while Your ending is written":
        "every event; the session ends with `abandon` and `end`, nothing is recorded after the `end`, the exit "
        "status is 0, and no traceback is shown",
    "`SIGKILL`, while the film plays or while Your ending is written":
        "every event at least 20 ms old; the next play starts, with no notice of damage",
    "`SIGSTOP`, then `SIGCONT`":
        "every event; the player goes on",
    "its model process is killed, signalled, or stopped and continued":
        "every event: the model process holds no history",
}
ENDINGS = {  # docs/endings.md: what happens -> what becomes of Your ending
    "the player quits, or gets `SIGTERM`, `SIGINT` or `SIGHUP`, while Your ending is written":
        "the model process stops with it; the beats written are saved as a partial ending, which the next play "
        "offers to continue",
    "the player gets `SIGKILL` while Your ending is written":
        "the model process exits too, as it watches its parent; every beat is saved as it is written, so the next "
        "play offers to continue the ending",
    "the model process is killed or signalled (`SIGKILL`, `SIGTERM`, `SIGINT`, `SIGHUP`) while the film plays":
        "Your ending is still written: a new model process is started for it",
    "the model process is killed or signalled while Your ending is written":
        "the ending closes on the beats written and its closing beat, is saved, and one line says why",
    "the model process is stopped (`SIGSTOP`) and continued within 30 s":
        "nothing is lost: slow is not broken, and the ending is written whole",
}


def table(doc: str) -> dict[str, str]:
    """The rows of the table under "## What survives what" in docs/<doc>, as {first cell: second cell}."""
    section = (ROOT / "docs" / doc).read_text().split("## What survives what\n", 1)[1]
    lines: list[str] = []
    for line in section.splitlines():
        if line.startswith("|"):
            lines.append(line)
        elif lines:
            break
    cells = [[cell.strip() for cell in line.strip().strip("|").split(" | ")] for line in lines[2:]]
    return {first: second for first, second in cells}


def test_the_docs_promise_exactly_what_these_tests_check():
    assert table("history.md") == HISTORY
    assert table("endings.md") == ENDINGS


# ---- driving the player ------------------------------------------------------------------------------------------

class Player:
    """This tree's player in a real 80x24 terminal."""

    def __init__(self, home: Path, *args: str):
        self.home = home
        env = {"WATCH_HOME": str(home), "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
        self.terminal = Terminal([sys.executable, "-m", "player", "lighthouse", *args], env, 80, 24)
        self.pid = self.terminal.pid
        self.toggles = 0  # pauses and resumes sent
        self.last_sent = 0.0

    def toggle(self, times: int = 1) -> None:
        """Pause or resume, each time waiting until the screen shows it: then the event has been sent."""
        for _ in range(times):
            expected = "❚❚ paused" if self.toggles % 2 == 0 else "▶ playing"
            self.terminal.keys("Space")
            deadline = time.monotonic() + 20
            while expected not in self.terminal.screen():  # a tight look: the event's age is not overstated
                assert time.monotonic() < deadline, f"{expected!r} did not show:\n{self.terminal.screen()}"
                time.sleep(0.002)
            self.last_sent = time.monotonic()
            self.toggles += 1

    def fault(self, sig: signal.Signals, pid: int | None = None) -> None:
        """Send `sig` to the player (or `pid`) OLD_ENOUGH after the last event was sent; SIGCONT 2 s after a
        SIGSTOP."""
        time.sleep(max(0.0, self.last_sent + OLD_ENOUGH - time.monotonic()))
        os.kill(pid or self.pid, sig)
        if sig == signal.SIGSTOP:
            time.sleep(2)
            os.kill(pid or self.pid, signal.SIGCONT)

    def events(self) -> list[dict]:
        return History(self.home, "default").events()

    def kinds(self) -> list[str]:
        return [event["kind"] for event in self.events()]

    def toggles_kept(self) -> int:
        return sum(kind in ("pause", "resume") for kind in self.kinds())

    def exits(self, status: int = 0) -> None:
        assert self.terminal.exit_status(timeout=20) == status
        screen = self.terminal.screen()
        assert "Traceback" not in screen and "Error" not in screen, screen

    def close(self) -> None:
        self.terminal.close()


def ended_once(kinds: list[str]) -> bool:
    """The session ended, and nothing was recorded after its end."""
    return kinds.count("end") == 1 and kinds[-1] == "end"


def saved_endings(home: Path) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "player", "endings", "--json"], capture_output=True, text=True,
                            env={**os.environ, "WATCH_HOME": str(home), "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return json.loads(result.stdout)


def saved_record(home: Path, ending: dict) -> dict:
    return endings_store.find(History(home, "default"), ending["id"]).record


def offers_to_continue(home: Path, ending: dict) -> None:
    again = Player(home)
    try:
        screen = " ".join(again.terminal.wait_for("Continue watching?", timeout=30).split())  # as one line
        assert "in Your ending" in screen and f"of {ending['planned']}; {ending['beats']} are written" in screen
    finally:
        again.close()


def workers_of(player: Player, timeout: float = 30) -> list[int]:
    """The player's model processes, once it has one."""
    deadline = time.monotonic() + timeout
    while not (found := children(player.pid)):
        assert time.monotonic() < deadline, "the player started no model process"
        time.sleep(0.05)
    return found


def choices(player: Player) -> list[str]:
    return [event.get("how", "") for event in player.events() if event["kind"] == "choice"]


SIGNALS = {"TERM": signal.SIGTERM, "INT": signal.SIGINT, "HUP": signal.SIGHUP}


# ---- the player, while the film plays ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", SIGNALS)
def test_a_signal_while_the_film_plays_keeps_every_event_and_ends_the_session(private_home, name):
    player = Player(private_home, "--no-ai")
    try:
        player.terminal.wait_for("The Last Lighthouse")
        player.toggle(5)
        player.fault(SIGNALS[name])
        player.exits(0)
    finally:
        player.close()
    assert player.kinds() == ["start"] + ["pause", "resume"] * 2 + ["pause", "abandon", "end"]


def test_sigkill_while_the_film_plays_loses_no_event_20_ms_old(private_home):
    for run in range(1, 4):  # killed 20 ms after a pause, three times over; each next play starts cleanly
        player = Player(private_home, "--no-ai", "--from-start")
        try:
            screen = player.terminal.wait_for("The Last Lighthouse")
            assert "damaged" not in screen and "aside" not in screen, screen
            player.toggle(3)
            player.fault(signal.SIGKILL)
            assert player.terminal.exit_status(timeout=20) == 128 + signal.SIGKILL
        finally:
            player.close()
        assert player.kinds() == ["start", "pause", "resume", "pause"] * run


def test_sigstop_then_sigcont_keeps_every_event_and_quitting_ends_the_session(private_home):
    player = Player(private_home, "--no-ai")
    try:
        player.terminal.wait_for("The Last Lighthouse")
        for _ in range(3):
            player.toggle(2)
            player.fault(signal.SIGSTOP)  # then SIGCONT: it answers keys again
        player.toggle(2)
        player.terminal.keys("q")
        player.exits(0)
    finally:
        player.close()
    assert player.kinds() == ["start"] + ["pause", "resume"] * 4 + ["abandon", "end"]


# ---- the player, while Your ending is written --------------------------------------------------------------------

def writing(home: Path) -> Player:
    """The player at 16x, with Your ending chosen at the branch point and its first beat playing."""
    player = Player(home, "--speed", "16", "--seed", "3")
    reach_your_ending(player.terminal)
    return player


@pytest.mark.model
@pytest.mark.parametrize("name", [*SIGNALS, "KILL"])
def test_the_player_signalled_while_your_ending_is_written(home_with_default_model, name):
    player = writing(home_with_default_model)
    try:
        workers = workers_of(player)
        player.toggle(1)
        player.fault(SIGNALS.get(name, signal.SIGKILL))
        player.exits(0 if name != "KILL" else 128 + signal.SIGKILL)
        assert all(gone(worker, timeout=10) for worker in workers), "the model process outlived the player"
    finally:
        player.close()
    kinds = player.kinds()
    assert kinds.count("pause") == 1 and choices(player) == ["key"]
    if name != "KILL":
        assert kinds[-2:] == ["abandon", "end"] and ended_once(kinds)
    endings = saved_endings(home_with_default_model)
    assert len(endings) == 1 and endings[0]["complete"] is False, endings
    assert 1 <= endings[0]["beats"] < endings[0]["planned"]
    offers_to_continue(home_with_default_model, endings[0])


def to_the_end(player: Player) -> tuple[dict, dict]:
    """Play on to THE END and quit. Every event was kept, Your ending was what played (never a fallback), and it
    was saved whole: its row in `watch endings --json`, and its record."""
    player.terminal.wait_for("THE END", timeout=120)
    player.terminal.keys("q")
    player.exits(0)
    assert player.toggles_kept() == player.toggles and ended_once(player.kinds())
    assert choices(player) == ["key"]
    endings = saved_endings(player.home)
    assert len(endings) == 1 and endings[0]["complete"] is True, endings
    return endings[0], saved_record(player.home, endings[0])


# ---- the model process -------------------------------------------------------------------------------------------

@pytest.mark.model
@pytest.mark.parametrize("name", ["KILL", *SIGNALS])
def test_the_model_process_killed_or_signalled(home_with_default_model, name):
    sig = SIGNALS.get(name, signal.SIGKILL)
    player = Player(home_with_default_model, "--speed", "16", "--seed", "3")
    try:
        player.terminal.wait_for("The Last Lighthouse")
        first = workers_of(player)
        player.toggle(2)
        player.fault(sig, first[0])  # while it loads the model: the film plays on
        reach_your_ending(player.terminal)  # a new model process writes it
        second = workers_of(player)
        assert second != first
        player.toggle(2)
        player.fault(sig, second[0])  # while it writes
        player.terminal.wait_for("The model stopped part-way", timeout=60)  # the toast, 36 columns wide
        ending, record = to_the_end(player)
    finally:
        player.close()
    assert "the model process stopped unexpectedly" in record["closed"]


@pytest.mark.model
def test_the_model_process_stopped_and_continued(home_with_default_model):
    player = Player(home_with_default_model, "--speed", "16", "--seed", "3")
    try:
        player.terminal.wait_for("The Last Lighthouse")
        worker = workers_of(player)
        player.fault(signal.SIGSTOP, worker[0])  # while it loads the model
        reach_your_ending(player.terminal)
        assert workers_of(player) == worker  # the same process: a stopped one is not a dead one
        player.toggle(2)
        player.fault(signal.SIGSTOP, worker[0])  # while it writes
        player.fault(signal.SIGSTOP)  # and the player itself, while the model writes
        ending, record = to_the_end(player)
    finally:
        player.close()
    assert ending["beats"] == ending["planned"] and record["closed"] is None
