"""The player at 80x24, the smallest size it is drawn for: every line fits, nothing cut, nothing wrapped.

Update after an intended change with `pytest tests/snapshots/test_snapshots_player.py --snapshot-update`, then
look at the pictures.
"""

import threading

from tests.app.helpers import build, wait_until
from tests.fakes.backend import FakeBackend
from tests.snapshots.steps import steps


class BoundedWait(threading.Event):
    """A blocked fake model waits 15 s at most: the snapshot leaves the app without quitting the film (which
    would stop the model), and the app waits for the writing thread before it exits."""

    def wait(self, timeout: float | None = 15.0) -> bool:
        return super().wait(timeout)


def _at(seconds: float, *keys: str):
    return steps(seconds, *keys, settle=1.7)  # past the flash of a key, so the picture does not depend on its timer


def test_player_playing(snap_compare, private_home):
    app = build(private_home, "lighthouse")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at(42.0))


def test_player_paused(snap_compare, private_home):
    app = build(private_home, "lighthouse")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at(42.0, "space"))


def test_player_help_open(snap_compare, private_home):
    app = build(private_home, "lighthouse")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at(42.0, "question_mark"))


def test_player_writing_your_ending(snap_compare, private_home):
    fake = FakeBackend(block_after=12)  # a beat and a half: the second one stays half written
    fake.unblocked = BoundedWait()

    async def run_before(pilot) -> None:
        pilot.app.services.time_source.advance(600.0)
        await pilot.pause(0.3)
        await pilot.press("3")
        player = pilot.app.screen
        await wait_until(pilot, lambda: fake.sent >= 12, "a beat written and the next one started")
        pilot.app.services.time_source.advance(600.0)  # the film has caught up with what is written
        await pilot.pause(0.3)
        await pilot.press("space")
        await pilot.pause(0.3)
        assert player.writing

    app = build(private_home, "lighthouse", timer=0, backend=fake, seed=5)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
