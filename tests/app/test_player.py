"""Pilot tests: press keys in the real app and read what was stored on disk."""

from tests.clocks import ManualTime
from player.screens.branch import BranchScreen
from player.screens.end import EndScreen
from player.screens.help import HelpScreen
from player.screens.player import PlayerScreen
from player.screens.too_small import TooSmallScreen
from player.widgets.caption import Caption
from player.widgets.storyboard import Storyboard
from tests.app.helpers import build, kinds, stored_events, wait_for_screen


async def test_pause_resume_skip_and_quit_are_stored(private_home):
    now = ManualTime()
    app = build(private_home, now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        now.advance(3.0)
        await pilot.pause()
        await pilot.press("space")
        now.advance(2.0)
        await pilot.press("space", "right", "right", "q")
        await pilot.pause()
    events = stored_events(app)
    assert kinds(events) == ["start", "pause", "resume", "skip", "skip", "abandon", "end"]
    pause, resume, skip1, skip2 = events[1:5]
    assert (pause["scene"], pause["beat"], pause["position"]) == ("one", 0, 3.0)
    assert (resume["position"], resume["paused"]) == (3.0, 2.0)
    assert (skip1["scene"], skip1["beat"], skip1["from"], skip1["to"]) == ("one", 0, 3.0, 4.0)
    assert (skip2["scene"], skip2["beat"], skip2["from"], skip2["to"]) == ("one", 1, 4.0, 8.0)
    assert len({event["session"] for event in events}) == 1


async def test_every_player_key_does_what_its_hint_says(private_home):
    now = ManualTime()
    app = build(private_home, now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        now.advance(14.0)
        await pilot.press("pagedown", "pageup", "shift+right", "shift+left", "left", "right", "r",
                          "right_square_bracket", "left_square_bracket", "left_square_bracket", "backspace")
        screen = app.screen
        assert isinstance(screen, PlayerScreen)
        await pilot.press("q")
    events = stored_events(app)
    moves = [(e["kind"], e.get("by"), e["from"], e["to"]) for e in events if e["kind"] in ("skip", "rewind")]
    assert moves == [
        ("skip", "scene", 14.0, 20.0), ("rewind", "scene", 20.0, 12.0), ("skip", "scene", 12.0, 20.0),
        ("rewind", "scene", 20.0, 12.0), ("rewind", "beat", 12.0, 8.0), ("skip", "beat", 8.0, 12.0),
        ("rewind", "time", 12.0, 2.0),
    ]
    speeds = [(e["from"], e["to"]) for e in events if e["kind"] == "speed"]
    assert speeds == [(1.0, 1.25), (1.25, 1.0), (1.0, 0.75), (0.75, 1.0)]


async def test_the_screen_shows_the_beat_the_frame_and_the_state(private_home):
    now = ManualTime()
    app = build(private_home, now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        now.advance(17.0)
        await pilot.pause(0.2)
        caption = app.screen.query_one(Caption)
        assert "ADA" in str(caption.render()) and "Stay. Watch it with me." in str(caption.render())
        assert "two" in str(app.screen.query_one(Storyboard).render())
        await pilot.press("space")
        assert "paused" in str(app.screen.query_one("#status").render())
        await pilot.press("]")
        assert "1.25x" in str(app.screen.query_one("#status").render())


async def test_the_branch_point_plays_the_chosen_ending_to_the_end(private_home):
    now = ManualTime()
    app = build(private_home, now=now)
    async with app.run_test(size=(80, 24)) as pilot:
        now.advance(25.0)
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("down", "enter")  # the second ending
        now.advance(5.0)
        await wait_for_screen(pilot, EndScreen)
        await pilot.press("b")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("1")
        now.advance(5.0)
        await wait_for_screen(pilot, EndScreen)
        await pilot.press("q")
    events = stored_events(app)
    choices = [(e["ending"], e["how"]) for e in events if e["kind"] == "choice"]
    assert choices == [("dark", "key"), ("fix", "key")]
    assert kinds(events).count("finish") == 2 and kinds(events)[-1] == "end"


async def test_the_branch_timer_chooses_the_default(private_home):
    app = build(private_home, timer=1)
    now = app.services.time_source
    async with app.run_test(size=(80, 24)) as pilot:
        now.advance(25.0)
        await wait_for_screen(pilot, BranchScreen)
        await pilot.pause(1.5)
        assert not isinstance(app.screen, BranchScreen)
        await pilot.press("q")
    choice = [e for e in stored_events(app) if e["kind"] == "choice"]
    assert [(c["ending"], c["how"]) for c in choice] == [("fix", "timer")]


async def test_t_pauses_the_branch_timer(private_home):
    app = build(private_home, timer=1)
    async with app.run_test(size=(80, 24)) as pilot:
        app.services.time_source.advance(25.0)
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("t")
        await pilot.pause(1.5)
        assert isinstance(app.screen, BranchScreen)
        assert "timer paused" in str(app.screen.query_one("#countdown").render())


async def test_help_lists_every_key_of_the_player(private_home):
    app = build(private_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-keys").render())
        for key in ("space", "←", "→", "PgUp", "PgDn", "shift+←", "r", "[", "]", "backspace", "q", "f1", "ctrl+p"):
            assert key in text, key
        await pilot.press("escape")
        assert isinstance(app.screen, PlayerScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_the_key_bar_fits_80_columns_on_every_screen(private_home):
    app = build(private_home)
    async with app.run_test(size=(80, 24)) as pilot:
        from player.widgets.keybar import KeyBar
        bar = str(app.screen.query_one(KeyBar).render())
        assert "…" not in bar and "help" in bar and "^p" in bar and "quit" in bar and "speed" in bar
        app.services.time_source.advance(25.0)
        await wait_for_screen(pilot, BranchScreen)
        bar = str(app.screen.query_one(KeyBar).render())
        assert "…" not in bar and "1-9" in bar and "timer" in bar


async def test_catalog_text_is_shown_literally(private_home):
    app = build(private_home, "literal")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        caption = str(app.screen.query_one(Caption).render())
        assert "[bold red]Not bold[/]" in caption and "\x1b" not in caption and "\u241b[2J" in caption
        frame = str(app.screen.query_one(Storyboard).render())
        assert "[bold]frame[/bold]" in frame and "[/]" in frame
        app.services.time_source.advance(3.0)
        await pilot.pause(0.2)
        assert "[link=http://example.com]no link[/link] [/] [ unbalanced" in str(
            app.screen.query_one(Caption).render())
        app.services.time_source.advance(3.0)
        await wait_for_screen(pilot, BranchScreen)
        assert "[reverse]A[/]" in str(app.screen.query_one("#endings").get_option_at_index(0).prompt)


async def test_below_80x24_it_says_so(private_home):
    app = build(private_home)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause(0.2)
        assert isinstance(app.screen, TooSmallScreen)
        assert "60x20" in str(app.screen.query_one("#too-small").render())
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        assert isinstance(app.screen, PlayerScreen)
