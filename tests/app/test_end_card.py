"""The end card says which ending played and what it decided, and h reads that ending back, line by line: an
authored ending's beats, or Your ending's as they were written."""

from textual.content import Content

from player.screens.backlog import BacklogScreen
from player.screens.end import EndScreen
from tests.app.helpers import build, play_to_branch, play_to_end, wait_for_screen
from tests.app.test_backlog import in_order, shown
from tests.clocks import ManualTime
from tests.fakes.backend import FakeBackend


def card(screen, part: str) -> str:
    return str(screen.query_one(f"#end-{part}").render())


def title(screen) -> str:
    """The reader's title as drawn (border titles are kept as markup that draws the text as written)."""
    return Content.from_markup(screen.query_one("#backlog").border_title).plain


async def test_the_end_card_says_which_ending_and_reads_it_back(private_home):
    now = ManualTime()
    app = build(private_home, now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("1")
        await play_to_end(app, now, pilot)
        await pilot.pause(0.1)  # let the card lay out
        assert card(app.screen, "ending") == "Ending 1 of 2: Fix the lamp"
        assert card(app.screen, "about") == "Ada fixes the lamp and the test passes."
        assert "h read it" in str(app.screen.query_one("KeyBar").render())
        await pilot.press("h")
        await wait_for_screen(pilot, BacklogScreen)
        assert title(app.screen) == "Ending 1 of 2: Fix the lamp"
        assert shown(app.screen) == "· Fixed · The lamp comes back on."  # the ending only, not the film before it
        await pilot.press("escape")
        assert isinstance(app.screen, EndScreen)  # back on the end card, which still waits for the viewer
        await pilot.press("h")
        await wait_for_screen(pilot, BacklogScreen)
        await pilot.press("h")
        assert isinstance(app.screen, EndScreen)
        await pilot.press("q")


async def test_your_ending_is_read_back_as_it_was_written(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(), seed=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await play_to_end(app, now, pilot)
        await pilot.pause(0.1)  # let the card lay out
        player = app.screen_stack[-2]
        written = [slot.beat for slot in player.playback.timeline.slots]
        plan = app.screen.plan
        assert card(app.screen, "ending") == f"Your ending, written for you (seed {plan.seed})"
        assert plan.tone.capitalize() in card(app.screen, "about")
        await pilot.press("h")
        await wait_for_screen(pilot, BacklogScreen)
        assert title(app.screen) == card(app.screen_stack[-2], "ending")
        lines = [" ".join(f"{player.film.speaker_name(beat) if beat.kind == 'dialogue' else ''} {beat.text}".split())
                 for beat in written]
        text = shown(app.screen)
        assert len(written) == len(plan.beats) and in_order(text, "· Your ending ·", *lines)
        assert text.endswith(lines[-1])
        await pilot.press("escape", "q")


async def test_a_hostile_label_is_read_back_as_written(private_home):
    now = ManualTime()
    app = build(private_home, "literal", now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("1")
        await play_to_end(app, now, pilot)
        await pilot.pause(0.1)  # let the card lay out
        assert card(app.screen, "ending") == "Ending 1 of 2: [reverse]A[/]"
        await pilot.press("h")
        await wait_for_screen(pilot, BacklogScreen)
        assert title(app.screen) == "Ending 1 of 2: [reverse]A[/]"
        assert shown(app.screen) == "· A · [blink]The end[/blink]"
        await pilot.press("escape", "q")
