"""Build the real app for Pilot and snapshot tests, on a manual clock and a real history on disk."""

from __future__ import annotations

from pathlib import Path

from player.app import Services, WatchApp, make_app
from player.screens.branch import BranchScreen
from player.screens.end import EndScreen
from player.engine.catalog.films import Catalog
from tests.clocks import ManualTime
from player.engine.history.store import History
from tests.conftest import TEST_CATALOG
from player.engine.base.locations import bundled_catalog, user_catalog


def build(home: Path, film_id: str | None = "tiny", *, viewer: str = "ann", speed: float = 1.0,
          timer: int | None = 0, now: ManualTime | None = None, offer_resume: bool = True,
          samples: bool = True, backend=None, seed: int | None = None) -> WatchApp:
    """The app over a real history on disk. `backend` is a (fake) model backend; None means --no-ai."""
    folders = [TEST_CATALOG, user_catalog(home), bundled_catalog()] if samples else [TEST_CATALOG]
    catalog = Catalog.load(folders)
    services = Services(home=home, catalog=catalog, viewer=viewer, history=History(home, viewer), speed=speed,
                        branch_timer=timer, time_source=now or ManualTime(), offer_resume=offer_resume,
                        backend_factory=(lambda: backend) if backend is not None else None, seed=seed)
    film = catalog.films[film_id] if film_id else None
    return make_app(services, film=film)


def stored_events(app: WatchApp) -> list[dict]:
    """What is on disk, read by a fresh store, as another process would."""
    app.services.history.close()
    return History(app.services.home, app.services.viewer).events()


def kinds(events: list[dict]) -> list[str]:
    return [event["kind"] for event in events]


async def wait_for_screen(pilot, screen_type, timeout: float = 5.0) -> None:
    """Wait until the app shows a screen of this type: the player's clock ticks every 0.1 s, slower on a busy
    machine."""
    import time

    deadline = time.monotonic() + timeout
    while not isinstance(pilot.app.screen, screen_type):
        assert time.monotonic() < deadline, f"{screen_type.__name__} never came; on {pilot.app.screen}"
        await pilot.pause(0.05)
    await pilot.pause()  # let it finish mounting


async def wait_until(pilot, condition, what: str, tries: int = 200) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{what} never happened")


async def play_to_branch(app, now, pilot) -> None:
    now.advance(25.0)
    await wait_for_screen(pilot, BranchScreen)


async def play_to_end(app, now, pilot, limit: int = 200) -> None:
    for _ in range(limit):
        if isinstance(app.screen, EndScreen):
            return
        now.advance(3.0)
        await pilot.pause(0.05)
    raise AssertionError(f"never reached the end; on {app.screen}")
