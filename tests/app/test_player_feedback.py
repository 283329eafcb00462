"""What the player says back: the space hint says what space will do, seeking and speed keys flash a short
message that goes away by itself, the speed keys work while Your ending's first beat is written, and a paused film
runs no timer."""

import pytest

from player.screens.player import PlayerScreen
from player.widgets.flash import Flash
from player.widgets.keybar import KeyBar
from tests.app.helpers import build, play_to_branch, wait_for_screen, wait_until
from tests.clocks import ManualTime
from tests.fakes.backend import FakeBackend


def bar(app) -> str:
    return str(app.screen.query_one(KeyBar).render())


async def test_the_space_hint_says_what_space_will_do(private_home):
    app = build(private_home, "lighthouse")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, PlayerScreen)
        assert "pause" in bar(app) and "play" not in bar(app)
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.playback.paused
        assert "play" in bar(app) and "pause" not in bar(app)
        await pilot.press("space")
        await pilot.pause()
        assert not app.screen.playback.paused and "pause" in bar(app)
        await pilot.press("q")


@pytest.mark.parametrize("keys, shown", [
    (("r",), "−10 s"), (("right_square_bracket",), "1.25x"), (("left_square_bracket",), "0.75x"),
    (("right_square_bracket", "backspace"), "1x"), (("pagedown",), "scene 2/8"), (("right",), "+1 beat"),
    (("right", "left"), "−1 beat")])
async def test_seeking_and_speed_keys_flash_what_they_did(private_home, keys, shown):
    now = ManualTime()
    app = build(private_home, "lighthouse", now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, PlayerScreen)
        flash = app.screen.query_one(Flash)
        assert flash.shown is None and flash._hiding is None  # no timer while nothing is shown
        now.advance(20.0)
        await pilot.pause(0.1)
        await pilot.press(*keys)
        await pilot.pause()
        assert flash.shown == shown
        await wait_until(pilot, lambda: flash.shown is None, "the flash hiding itself")
        assert flash._hiding is None
        await pilot.press("q")


async def test_speed_keys_work_while_the_first_beat_of_your_ending_is_written(private_home):
    now, fake = ManualTime(), FakeBackend(block_after=0)  # the first beat never comes until quit
    app = build(private_home, now=now, backend=fake, seed=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await wait_for_screen(pilot, PlayerScreen)
        player = app.screen
        await wait_until(pilot, lambda: fake.sent == 0 and player.writing and player.model.ready,
                         "the model writing the first beat")
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert player.playback.speed == 1.5
        assert "1.5x" in str(player.query_one("#status").render())
        assert player.query_one(Flash).shown == "1.5x"
        await pilot.press("backspace")
        await pilot.pause()
        assert player.playback.speed == 1.0
        await pilot.press("q")


async def test_a_paused_film_runs_no_timer(private_home, monkeypatch):
    ticks = []
    real_tick = PlayerScreen.tick
    monkeypatch.setattr(PlayerScreen, "tick", lambda self: (ticks.append(1), real_tick(self)))
    app = build(private_home, "lighthouse")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, PlayerScreen)
        await wait_until(pilot, lambda: len(ticks) > 2, "the player ticking while it plays")
        await pilot.press("space")
        await pilot.pause(0.2)
        paused_at = len(ticks)
        await pilot.pause(0.6)
        assert len(ticks) == paused_at  # six ticks would have run
        assert all(not timer._active.is_set() for timer in app.screen._timers)
        await pilot.press("space")
        await wait_until(pilot, lambda: len(ticks) > paused_at, "the tick again once it plays")
        await pilot.press("q")
