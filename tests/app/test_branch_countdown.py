"""The branch point's countdown: it waits behind what covers it, costs nothing while paused, and keeps to one line."""

from textual.widgets import Static

from player.screens.branch import BranchScreen
from tests.app.helpers import build


async def _at_branch(pilot) -> BranchScreen:
    pilot.app.services.time_source.advance(600.0)  # the whole film
    await pilot.pause(0.3)
    assert isinstance(pilot.app.screen, BranchScreen)
    return pilot.app.screen


async def test_help_over_the_branch_point_stops_its_countdown_until_it_closes(private_home):
    app = build(private_home, "lighthouse", timer=15)
    async with app.run_test(size=(80, 24)) as pilot:
        branch = await _at_branch(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        covered = branch.remaining
        await pilot.pause(0.6)  # six ticks of the countdown
        assert branch.remaining == covered
        await pilot.press("escape")
        await pilot.pause(0.6)
        assert branch.remaining < covered


async def test_a_paused_countdown_runs_no_timer_and_its_line_fits_80_columns(private_home):
    app = build(private_home, "lighthouse", timer=15)
    async with app.run_test(size=(80, 24)) as pilot:
        branch = await _at_branch(pilot)
        await pilot.press("t")
        await pilot.pause(0.2)
        assert not branch.ticker._active.is_set()
        countdown = branch.query_one("#countdown", Static)
        line = countdown.render()
        assert "timer paused" in line.plain and "then: " in line.plain
        assert line.cell_length <= countdown.content_region.width and countdown.size.height == 1
        await pilot.press("t")
        await pilot.pause(0.2)
        assert branch.ticker._active.is_set()


async def test_a_long_default_label_gives_way_on_the_countdown_line(private_home):
    app = build(private_home, "lighthouse", timer=15)
    async with app.run_test(size=(80, 24)) as pilot:
        branch = await _at_branch(pilot)
        branch.endings = [(ending_id, "A very long way of saying what the default ending does, far too long for "
                           "one line") for ending_id, _ in branch.endings]
        branch.update_countdown()
        countdown = branch.query_one("#countdown", Static)
        line = countdown.render()
        assert line.plain.endswith("…") and line.cell_length <= countdown.content_region.width
