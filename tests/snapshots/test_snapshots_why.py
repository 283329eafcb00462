"""Snapshots at 80x24 of the Why panel and the taste profile screen of a heavy skipper: long reasons and long
lists, whose wrapped lines hang under their label.

Update after an intended change with `pytest tests/snapshots/test_snapshots_why.py --snapshot-update`."""

from datetime import date

from player.engine.base.events import utc_now
from player.engine.catalog.films import Catalog
from player.engine.history.store import History
from player.engine.taste import scoring
from tests.app.helpers import build
from tests.snapshots.steps import why_of_your_ending
from player.engine.base.locations import bundled_catalog
from tests.fakes.backend import FakeBackend
from tests.profiles import heavy_skipper_events


def skipped_everything(home, at: str) -> None:
    """A history that skipped every beat of every sample film, twice."""
    history = History(home, "ann")
    for film in Catalog.load([bundled_catalog()]).films.values():
        for event in heavy_skipper_events(film):
            history.log({**event, "viewer": "ann", "at": at})
    history.close()


def test_why_panel_of_a_heavy_skipper(snap_compare, private_home):
    skipped_everything(private_home, utc_now())  # today, as the profile is read: no fading in the numbers
    app = build(private_home, "tiny", timer=0, backend=FakeBackend(), seed=4)

    assert snap_compare(app, terminal_size=(80, 24), run_before=why_of_your_ending)


def test_profile_screen_of_a_heavy_skipper(snap_compare, private_home, monkeypatch):
    monkeypatch.setattr(scoring, "_today", lambda: date(2026, 11, 28))  # "as of" is on the screen
    skipped_everything(private_home, "2026-11-27T12:00:00.000Z")
    app = build(private_home, None, samples=True)

    async def run_before(pilot) -> None:
        await pilot.pause(0.2)
        await pilot.press("p")  # the catalog's key for the taste profile
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)

