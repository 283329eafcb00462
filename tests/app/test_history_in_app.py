"""The player and the history store together: crashes, disk trouble, and continuing where you stopped."""

import errno

import pytest

from player.engine.history import store as history_module
from tests.clocks import ManualTime
from player.engine.history.store import History
from player.engine.playback.session import Playback
from player.screens.branch import BranchScreen
from player.screens.end import EndScreen
from player.screens.player import PlayerScreen
from player.screens.resume import ResumeScreen
from tests.app.helpers import build, kinds, stored_events, wait_for_screen


async def test_an_exception_inside_the_app_saves_the_session_first(private_home, monkeypatch):
    def broken(self, seconds=10.0):
        raise RuntimeError("boom")

    monkeypatch.setattr(Playback, "rewind", broken)
    now = ManualTime()
    app = build(private_home, now=now)
    with pytest.raises(RuntimeError, match="boom"):
        async with app.run_test(size=(80, 24)) as pilot:
            now.advance(3)
            await pilot.press("space", "space", "right")
            await pilot.press("r")
            await pilot.pause()
    # Read with a fresh store, without closing the app's: what the crash handler saved is on disk.
    events = History(private_home, "ann").events()
    assert kinds(events) == ["start", "pause", "resume", "skip", "abandon", "end"]
    assert app.crash_log and "RuntimeError: boom" in app.crash_log and "logs/watch.log" in app.crash_log


async def test_a_failing_disk_shows_a_warning_and_the_events_are_saved_later(private_home, monkeypatch):
    real_write = history_module.atomic_write
    disk_full = {"on": True}

    def flaky_write(path, payload):
        if disk_full["on"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, payload)

    monkeypatch.setattr(history_module, "atomic_write", flaky_write)
    monkeypatch.setattr(history_module, "RETRY_DELAYS", (0.1,))
    now = ManualTime()
    app = build(private_home, now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        await pilot.pause(0.6)
        status = str(app.screen.query_one("#status").render())
        assert "history not saved (no space left on device)" in status
        assert app.services.history.pending >= 2
        disk_full["on"] = False
        await pilot.pause(0.8)
        assert app.history_warning is None
        assert "history not saved" not in str(app.screen.query_one("#status").render())
        await pilot.press("space", "q")
    assert kinds(stored_events(app)) == ["start", "pause", "resume", "abandon", "end"]


async def _watch_until(home, seconds: float) -> None:
    now = ManualTime()
    app = build(home, now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        now.advance(seconds)
        await pilot.pause()
        await pilot.press("q")
    app.services.history.close()


async def test_an_unfinished_title_offers_to_continue_where_it_stopped(private_home):
    await _watch_until(private_home, 13.0)
    app = build(private_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        assert "00:13" in str(app.screen.query_one("#resume-where").render())
        assert "scene 2: Two" in str(app.screen.query_one("#resume-where").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen) and app.screen.playback.position == 13.0
        await pilot.press("q")
    events = stored_events(app)
    second = [e for e in events if e["session"] == events[-1]["session"]]
    assert kinds(second)[:2] == ["start", "seek"] and second[1]["reason"] == "resume" and second[1]["to"] == 13.0


async def test_start_over_and_from_start_begin_at_zero(private_home):
    await _watch_until(private_home, 13.0)
    app = build(private_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert app.screen.playback.position == 0.0
        await pilot.press("q")
    app.services.history.close()
    app = build(private_home, offer_resume=False)  # --from-start
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen) and app.screen.playback.position == 0.0


async def test_a_finished_title_starts_from_the_beginning(private_home):
    now = ManualTime()
    app = build(private_home, now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        now.advance(25)
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("1")
        now.advance(5)
        await wait_for_screen(pilot, EndScreen)
        await pilot.press("q")
    app.services.history.close()
    app = build(private_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen)
