"""Quitting while the real model writes "Your ending": `q` or closing the terminal stops the model process with
the player, what was written is saved as a partial ending, and the next play offers to continue it."""

import subprocess

import pytest

from tests.e2e.test_history_in_tmux import gone
from tests.e2e.tmux import Terminal, reach_your_ending, watch_executable, watch_json

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found]


@pytest.mark.parametrize("how", ["q", "close the terminal"])
def test_quitting_while_the_model_writes_stops_it_and_keeps_what_was_written(home_with_default_model, how):
    env = {"WATCH_HOME": str(home_with_default_model), "TERM": "xterm-256color"}
    terminal = Terminal([watch_executable(), "lighthouse", "--speed", "16", "--seed", "3"], env, 80, 24)
    try:
        reach_your_ending(terminal)
        workers = children(terminal.pid)
        assert workers, "the model process is a child of the player"
        player = terminal.pid
        if how == "q":
            terminal.keys("q")
            assert terminal.exit_status(timeout=10) == 0
        else:
            terminal.kill_session()  # SIGHUP to the player
        assert gone(player, timeout=10), "the player outlived its terminal"
        assert all(gone(worker, timeout=10) for worker in workers), "the model process outlived the player"
    finally:
        terminal.close()
    endings = watch_json(env, "endings", "--json")
    assert len(endings) == 1 and endings[0]["complete"] is False
    assert 1 <= endings[0]["beats"] < endings[0]["planned"]
    again = Terminal([watch_executable(), "lighthouse", "--speed", "16"], env, 80, 24)
    try:
        screen = " ".join(again.wait_for("Continue watching?", timeout=30).split())  # as one line: it wraps
        assert "in Your ending" in screen and f"of {endings[0]['planned']}; {endings[0]['beats']} are written" in screen
    finally:
        again.close()
