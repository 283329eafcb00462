"""Anything that covers the film pauses it, and closing the cover resumes it only if it was playing: help, the
palette, the why panel, the taste profile and "terminal too small". The viewer did not pause, so the history
records none of it."""

import pytest
from textual.command import CommandPalette

from player.engine.catalog.films import YOURS
from player.screens.help import HelpScreen
from player.screens.player import PlayerScreen
from player.screens.profile import ProfileScreen
from player.screens.too_small import TooSmallScreen
from player.screens.why import WhyScreen
from tests.app.helpers import build, kinds, play_to_branch, stored_events, wait_for_screen, wait_until
from tests.clocks import ManualTime
from tests.fakes.backend import FakeBackend


async def open_help(pilot):
    await pilot.press("question_mark")
    await wait_for_screen(pilot, HelpScreen)


async def open_palette(pilot):
    await pilot.press("ctrl+p")
    await wait_for_screen(pilot, CommandPalette)


async def open_profile(pilot):
    pilot.app.action_show_profile()
    await wait_for_screen(pilot, ProfileScreen)


async def open_too_small(pilot):
    await pilot.resize_terminal(60, 20)
    await wait_for_screen(pilot, TooSmallScreen)


async def close_with_escape(pilot):
    await pilot.press("escape")
    await wait_for_screen(pilot, PlayerScreen)


async def close_too_small(pilot):
    await pilot.resize_terminal(80, 24)
    await wait_for_screen(pilot, PlayerScreen)


COVERS = {"help": (open_help, close_with_escape), "palette": (open_palette, close_with_escape),
          "profile": (open_profile, close_with_escape), "too small": (open_too_small, close_too_small)}


def status(player) -> str:
    return str(player.query_one("#status").render())


async def covered_for_a_while(pilot, now, player, cover) -> tuple[float, float]:
    """Open the cover, let 5 s pass, close it: the positions when it opened and when it closed."""
    opens, closes = COVERS[cover]
    await opens(pilot)
    at = player.playback.position
    now.advance(5.0)
    await pilot.pause(0.2)
    assert "paused" in status(player) and "playing" not in status(player)
    held = player.playback.position
    await closes(pilot)
    return at, held


@pytest.mark.parametrize("cover", COVERS)
async def test_a_cover_pauses_the_film_and_closing_it_plays_on_unless_the_viewer_had_paused(private_home, cover):
    now = ManualTime()
    app = build(private_home, "lighthouse", now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await _playing(pilot, now)
        at, held = await covered_for_a_while(pilot, now, player, cover)
        assert held == pytest.approx(at)  # the film did not move behind the cover
        now.advance(2.0)
        await pilot.pause(0.2)
        assert player.playback.position == pytest.approx(held + 2.0)  # and plays on once it is gone
        assert "playing" in status(player)
        await pilot.press("space")  # the viewer pauses: a cover must not resume that
        at, _ = await covered_for_a_while(pilot, now, player, cover)
        now.advance(2.0)
        await pilot.pause(0.2)
        assert player.playback.paused and player.playback.position == pytest.approx(at)
        assert "paused" in status(player)
        await pilot.press("q")
    events = kinds(stored_events(app))
    assert events.count("pause") == 1 and "resume" not in events  # the viewer's pause only


async def test_the_why_panel_pauses_your_ending(private_home):
    now = ManualTime()
    app = build(private_home, "tiny", now=now, backend=FakeBackend(), seed=4)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        player = app.screen
        await wait_until(pilot, lambda: player.playback.part == YOURS and not player.writing, "the ending written")
        now.advance(1.0)
        await pilot.pause(0.1)
        await pilot.press("w")
        await wait_for_screen(pilot, WhyScreen)
        at = player.playback.position
        now.advance(5.0)
        await pilot.pause(0.2)
        assert player.playback.position == pytest.approx(at) and "paused" in status(player)
        await close_with_escape(pilot)
        now.advance(1.0)
        await pilot.pause(0.2)
        assert player.playback.position == pytest.approx(at + 1.0)
        await pilot.press("q")


async def test_a_terminal_too_small_from_the_start_does_not_let_the_film_run(private_home):
    now = ManualTime()
    app = build(private_home, "lighthouse", now=now)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for_screen(pilot, TooSmallScreen)
        player = next(screen for screen in app.screen_stack if isinstance(screen, PlayerScreen))
        now.advance(8.0)
        await pilot.pause(0.2)
        assert player.playback.position == 0.0
        await close_too_small(pilot)
        now.advance(3.0)
        await pilot.pause(0.2)
        assert player.playback.position == pytest.approx(3.0)
        await pilot.press("q")


async def _playing(pilot, now) -> PlayerScreen:
    await wait_for_screen(pilot, PlayerScreen)
    now.advance(3.0)
    await pilot.pause(0.2)
    player = pilot.app.screen
    assert player.playback.position == pytest.approx(3.0) and "playing" in status(player)
    return player
