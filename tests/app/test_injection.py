"""Terminal injection in the app: a server's error, a history notice with a data-dir path, a catalog folder name
are shown as written: their escapes and invisible characters as visible stand-ins, their markup as text (neither
a live link or action nor a crash), honest brackets kept. The CLI and the log: tests/unit/test_injection.py."""

from __future__ import annotations

from textual.widgets._toast import Toast

from player.engine.catalog.films import Catalog
from tests.clocks import ManualTime
from player.messages import ModelStatus
from player.screens.catalog import CatalogScreen
from player.screens.player import PlayerScreen
from tests.app.helpers import build, wait_for_screen
from tests.app.helpers import play_to_branch
from tests.fakes.backend import FakeBackend

OSC = "\x1b]0;pwned\x07"
HOSTILE = (f"{OSC} \x1b[2J \u202eevil\u200b [link=https://x.example]here[/link] [@click=app.quit]quit[/] [/nope] "
           "(no [DONE])")
SHOWN = ("\u241b]0;pwned\u2407 \u241b[2J \ufffdevil\ufffd [link=https://x.example]here[/link] "
         "[@click=app.quit]quit[/] [/nope] (no [DONE])")


async def toasts(pilot) -> list[str]:
    await pilot.pause(0.1)
    return [str(toast.render()) for toast in pilot.app.screen.query(Toast)]


async def test_history_notices_and_warnings_are_shown_as_written(private_home):
    app = build(private_home)
    app.services.notices.append(f"history file {private_home}/{HOSTILE} was damaged")
    # wide enough for both long texts: the status line leaves out a part that does not fit rather than cut it
    async with app.run_test(size=(260, 30), notifications=True) as pilot:
        await wait_for_screen(pilot, PlayerScreen)
        app.services.history.on_notice(f"notice: {HOSTILE}")
        app.services.history.on_warning(f"warning: {HOSTILE}")
        app.post_message(ModelStatus(f"status: {HOSTILE}", None))
        shown = await toasts(pilot)
        assert shown == [f"history file {private_home}/{SHOWN} was damaged", f"History\nnotice: {SHOWN}",
                         f"History\nwarning: {SHOWN}"]
        status = str(app.screen.query_one("#status").render())
        assert f"warning: {SHOWN}" in status and f"status: {SHOWN}" in status and "\x1b" not in status
        assert app.is_running  # [@click=app.quit] did not quit, [/nope] did not crash it
        await pilot.press("q")


async def test_a_servers_error_is_shown_as_written(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(fail_start=f"the server said: {HOSTILE}"))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await pilot.pause(0.5)
        assert f"Model\nYour ending could not be written: the server said: {SHOWN}. Playing an authored ending." in (
            await toasts(pilot))
        assert app.is_running
        await pilot.press("q")


async def test_a_broken_folders_name_is_shown_as_written(private_home, tmp_path):
    catalog = tmp_path / "catalog"
    (catalog / f"bad{OSC}\u202e").mkdir(parents=True)
    (catalog / f"bad{OSC}\u202e" / "film.toml").write_text('title = "Bad"\n')
    app = build(private_home, film_id=None, samples=False)
    app.services.catalog.broken.update(Catalog.load([catalog]).broken)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for_screen(pilot, CatalogScreen)
        notes = str(app.screen.query_one("#catalog-notes").render())
        assert "skipped invalid titles: bad\u241b]0;pwned\u2407\ufffd (run" in notes
        await pilot.press("q")
