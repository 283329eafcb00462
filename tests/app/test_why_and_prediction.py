"""The branch point and the Why panel in the real app: no prediction mark without evidence, a first viewing
shapes its own ending (its skips count at its branch point), and the Why panel's wrapped lines hang under their
label."""

from rich.console import Console

from player.engine.catalog.films import YOURS
from player.engine.ending.plan import make_plan, predict
from player.screens.branch import BranchScreen
from player.screens.player import PlayerScreen
from player.screens.why import WhyScreen
from tests.app.helpers import build, play_to_branch, wait_for_screen, wait_until
from tests.clocks import ManualTime
from tests.fakes.backend import FakeBackend
from tests.unit.test_taste_honesty import heavy_skipper


def prompts(branch: BranchScreen) -> list[str]:
    endings = branch.query_one("#endings")
    return [str(endings.get_option_at_index(i).prompt) for i in range(endings.option_count)]


async def test_no_history_means_no_prediction_mark(private_home):
    now = ManualTime()
    app = build(private_home, "tiny", now=now, backend=FakeBackend(), seed=4)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        player = app.screen_stack[-2]
        assert not any("predicted for you" in prompt for prompt in prompts(app.screen))
        profile = player.profile.with_session(player.playback.events)  # what the mark was decided from
        assert predict(player.film, profile, yours=True) is None
        await pilot.press("q")


async def test_when_nothing_is_known_the_mark_and_the_why_panel_agree(private_home):
    now = ManualTime()  # at 2x, scenes watched through say nothing about taste: the profile stays neutral
    app = build(private_home, "tiny", now=now, backend=FakeBackend(), seed=4, speed=2.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        player = app.screen_stack[-2]
        assert not any("predicted for you" in prompt for prompt in prompts(app.screen))
        await pilot.press("3")
        await wait_until(pilot, lambda: player.plan is not None, "a plan")
        await pilot.press("w")
        assert isinstance(app.screen, WhyScreen)
        assert any("does not say much yet" in text for _, text in app.screen.rows)
        await pilot.press("escape", "q")


async def play_skipping(app, now, pilot, tag: str) -> None:
    """A first viewing: watch every beat through, except those with `tag`, skipped, up to the branch point."""
    player = app.screen
    assert isinstance(player, PlayerScreen)
    while not isinstance(app.screen, BranchScreen):
        slot = player.playback.slot
        if tag in slot.beat.tags:
            await pilot.press("right")
        else:
            now.advance(slot.end - player.playback.position + 1e-6)
            player.tick()
        await pilot.pause()
    await wait_for_screen(pilot, BranchScreen)


async def test_a_first_viewing_that_skips_suspense_gets_an_ending_without_it(private_home):
    now = ManualTime()
    app = build(private_home, "lighthouse", now=now, backend=FakeBackend(), seed=3, offer_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.profile.loaded.wait(10) and not app.profile.current["known"]  # no history before this viewing
        await pilot.pause()
        player = app.screen
        await play_skipping(app, now, pilot, "suspense")
        assert any("predicted for you" in prompt for prompt in prompts(app.screen))  # the skips are evidence
        await pilot.press(str(len(player.film.branch.endings) + 1))  # Your ending
        await wait_until(pilot, lambda: player.plan is not None, "a plan")
        assert "suspense" in player.plan.avoid and "suspense" not in player.plan.emphasis
        await pilot.press("w")
        assert isinstance(app.screen, WhyScreen)
        lines = [text for _, text in app.screen.rows]
        assert any(line.startswith("skipped ") and "suspense beats in The Last Lighthouse" in line for line in lines)
        assert not any("does not say much yet" in line for line in lines)
        await pilot.press("escape", "q")
    choice = next(e for e in app.services.history.events() if e["kind"] == "choice")
    assert choice["ending"] == YOURS


def test_wrapped_lines_hang_under_their_label(catalog):
    from player.profile_view import hanging  # new with the hanging rows
    from player.screens.why import why_rows

    film = catalog.films["lighthouse"]
    skipper = heavy_skipper(catalog)
    rows = why_rows(film, make_plan(film, skipper, 1), skipper)
    console = Console(width=72, record=True)  # the panel's text width at 80 columns
    console.print(hanging(rows))
    lines = console.export_text().splitlines()
    labels = [label for label, _ in rows]
    wrapped = 0
    for line in lines:
        if line.strip() and not any(line.startswith(label) for label in labels if label):
            assert line.startswith(" "), line  # a continuation: indented under the text, not under the label
            wrapped += 1
    assert wrapped  # the heavy skipper's reasons are long enough to wrap
