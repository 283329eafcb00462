"""The backlog (h in the player): the lines that played so far, with their speakers, newest at the bottom, shown
literally; and the two columns it shares with help, where a long text wraps under its own column."""

from textual.containers import VerticalScroll
from textual.content import Content

from player.screens.backlog import BacklogScreen
from player.screens.help import HelpScreen
from player.screens.player import PlayerScreen
from player.widgets.backlog_columns import TwoColumns
from tests.app.helpers import build, play_to_branch, wait_for_screen
from tests.clocks import ManualTime
from tests.fakes.backend import FakeBackend, Mischief


def shown(screen) -> str:
    """The backlog as drawn, its words joined by single spaces: a wrapped line reads on as one."""
    return " ".join(str(screen.query_one("#backlog-rows").render()).split())


def in_order(text: str, *parts: str) -> bool:
    at = [text.find(part) for part in parts]
    return -1 not in at and at == sorted(at)


async def test_the_backlog_shows_the_lines_so_far_in_order_with_their_speakers(private_home):
    now = ManualTime()
    app = build(private_home, now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, PlayerScreen)
        now.advance(17.0)  # the fifth beat: Ada's line in scene two
        await pilot.pause(0.2)
        await pilot.press("h")
        await wait_for_screen(pilot, BacklogScreen)
        text = shown(app.screen)
        assert in_order(text, "· One ·", "Morning.", "Ada switches on the bench lamp.", "Ben Can we skip this part?",
                        "· Two ·", "Ben sprints for the door. Ada tackles him.",
                        "Ada (softly) Stay. Watch it with me.")
        assert text.endswith("Ada (softly) Stay. Watch it with me.")  # the newest line is the last
        assert "The lamp flickers and dies." not in text  # not played yet
        bar = str(app.screen.query_one("KeyBar").render())
        for hint in ("↑", "↓", "scroll", "PgUp", "PgDn", "page", "Home", "End", "h/esc", "close", "?", "help"):
            assert hint in bar, hint  # every key of the backlog has its hint
        await pilot.press("h")  # the same key closes it
        assert isinstance(app.screen, PlayerScreen)
        await pilot.press("h", "escape")  # and so does escape
        assert isinstance(app.screen, PlayerScreen)
        await pilot.press("q")


async def test_a_long_backlog_opens_at_the_newest_line_and_scrolls(private_home):
    now = ManualTime()
    app = build(private_home, "tallow", now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, PlayerScreen)
        now.advance(300.0)
        await pilot.pause(0.2)
        newest = app.screen.playback.slot.beat.text
        await pilot.press("h")
        await wait_for_screen(pilot, BacklogScreen)
        scroll = app.screen.query_one("#backlog-lines", VerticalScroll)
        await pilot.pause(0.1)
        assert scroll.max_scroll_y > 0 and scroll.scroll_y == scroll.max_scroll_y
        assert shown(app.screen).endswith(" ".join(newest.split()))
        await pilot.press("pageup")
        assert 0 < scroll.max_scroll_y - scroll.scroll_y
        await pilot.press("home")
        assert scroll.scroll_y == 0
        await pilot.press("down")
        assert scroll.scroll_y == 1
        await pilot.press("end")
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("escape", "q")


async def test_the_backlog_goes_on_into_your_ending(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(), seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        player = app.screen
        first, second = (slot.beat for slot in player.playback.timeline.slots[:2])
        now.advance(first.duration + 0.1)
        await pilot.pause(0.2)
        await pilot.press("h")
        await wait_for_screen(pilot, BacklogScreen)
        text = shown(app.screen)

        def line(beat) -> str:
            speaker = player.film.speaker_name(beat) if beat.kind == "dialogue" else ""
            return " ".join(f"{speaker} {beat.text}".split())

        assert in_order(text, "The lamp flickers and dies.", "· Your ending ·", line(first), line(second))
        assert text.endswith(line(second))
        await pilot.press("escape", "q")


async def test_a_hostile_line_is_shown_as_written(private_home):
    now = ManualTime()
    app = build(private_home, "literal", now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, PlayerScreen)
        now.advance(4.0)
        await pilot.pause(0.2)
        await pilot.press("h")
        await wait_for_screen(pilot, BacklogScreen)
        text = shown(app.screen)
        assert in_order(text, "· Brackets [/] ·", "M [i] [bold red]Not bold[/] and \u241b[2J not a clear-screen.",
                        "[link=http://example.com]no link[/link] [/] [ unbalanced")
        assert "\x1b" not in text
        rows = app.screen.query_one("#backlog-rows", TwoColumns).rows
        assert not any(span.style for _, text in rows for span in text.spans if "red" in str(span.style))
        await pilot.press("escape", "q")


async def test_what_the_model_wrote_is_shown_as_written(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=Mischief(), seed=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        await pilot.press("h")
        await wait_for_screen(pilot, BacklogScreen)
        text = shown(app.screen)
        assert "[bold]bold[/] \u241b[2J [link=x]y[/link] \u2407 done" in text and "\x1b" not in text
        await pilot.press("escape", "q")


def test_a_long_text_wraps_under_its_own_column():
    columns = TwoColumns([(Content("PgUp shift+←"), Content("Previous scene (restarts the scene after 3 s)")),
                          (Content("q"), Content("Quit"))], label_width=12)
    lines = [line.plain.rstrip() for line in columns.lines(40)]
    assert lines == ["PgUp shift+←  Previous scene (restarts",
                     "              the scene after 3 s)",
                     "q             Quit"]


async def test_help_at_80_columns_wraps_every_description_under_its_column(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(), seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")  # in Your ending, w (why) is a key too, and its text is a long one
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        await pilot.press("question_mark")
        await wait_for_screen(pilot, HelpScreen)
        keys = app.screen.query_one("#help-keys", TwoColumns)
        lines = str(keys.render()).splitlines()
        column = max(len(key) for key, _ in app.screen.rows) + 2
        assert keys.region.height == len(lines) > len(app.screen.rows)  # something wrapped, and all of it shows
        for line in lines:  # a line is a key and its text, or the rest of a text under the text column
            assert line[:column].strip() in {key for key, _ in app.screen.rows} | {""}, line
            assert line[column:column + 1] != " ", line
        assert "Why this ending" in str(keys.render()) and "Backlog" in str(keys.render())
        await pilot.press("escape", "q")
