"""The catalog in the app, over a made-up history: each title marked new, in progress or watched, with its real
length; a title's details recorded once per title per catalog visit; and `f`, the order for you from the taste
profile with a reason per title, or a plain word when there is no history. Also the ranking itself
(engine/taste/for_you.py) over a profile that scoring builds from the same events."""

import shutil
from pathlib import Path

from player.engine.base.events import make_event
from player.engine.base.locations import bundled_catalog, user_catalog
from player.engine.catalog.films import Catalog
from player.engine.history.store import History
from player.engine.taste import for_you, scoring
from player.screens.catalog import CatalogScreen
from player.screens.player import PlayerScreen
from player.widgets.keybar import KeyBar
from player.widgets.timeline import clock_text
from tests.app.helpers import build, stored_events, wait_for_screen, wait_until
from tests.conftest import TEST_CATALOG


def made_up_events() -> list[dict]:
    """Today's events (the profile fades with age): The Last Lighthouse watched to the end, its suspense rewound
    and its action skipped; Dead Man's Wages stopped at 05:00 after skipping its action."""
    def event(kind, title, session, position=0.0, **data):
        return make_event(kind, viewer="ann", title=title, session=session, scene="s", beat=0, position=position,
                          **data)

    jump = {"from": 110.0, "to": 100.0, "seconds": 10.0}
    return [event("start", "lighthouse", "l1"),
            event("rewind", "lighthouse", "l1", 100.0, tags=["suspense"] * 4, **jump),
            event("rewind", "lighthouse", "l1", 200.0, tags=["suspense", "mystery"] * 2, **jump),
            event("skip", "lighthouse", "l1", 300.0, tags=["action"] * 4, beats=4, **jump),
            event("finish", "lighthouse", "l1", 520.0, share={"suspense": 0.5, "mystery": 0.5}),
            event("end", "lighthouse", "l1", 520.0),
            event("start", "wages", "w1"),
            event("skip", "wages", "w1", 100.0, tags=["action"] * 3, beats=3, **jump),
            event("pause", "wages", "w1", 300.4),
            event("abandon", "wages", "w1", 300.4, tags=["action"], beats=1),
            event("end", "wages", "w1", 300.4)]


def made_up_history(home: Path, twin: bool = True) -> None:
    """The made-up events on disk, and with `twin` a copy of Dead Man's Wages as w2 in the user's catalog."""
    history = History(home, "ann")
    for event in made_up_events():
        history.log(event)
    history.close()
    if twin:
        shutil.copytree(bundled_catalog() / "wages", user_catalog(home) / "w2")


async def marks_read(pilot) -> CatalogScreen:
    screen = pilot.app.screen
    assert isinstance(screen, CatalogScreen)
    await wait_until(pilot, lambda: screen.marks, "the marks")
    await pilot.pause()
    return screen


def column(screen: CatalogScreen, key: str) -> list[str]:
    table = screen.query_one("#titles")
    return [str(table.get_cell_at((row, table.get_column_index(key)))) for row in range(table.row_count)]


def row_ids(screen: CatalogScreen) -> list[str]:
    table = screen.query_one("#titles")
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


def hints(screen: CatalogScreen) -> str:
    return str(screen.query_one(KeyBar).render())


async def test_each_title_is_marked_from_the_history_with_its_real_length(private_home):
    made_up_history(private_home)
    app = build(private_home, None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marks_read(pilot)
        seen = dict(zip(row_ids(screen), column(screen, "seen")))
        assert seen["lighthouse"] == "watched"
        assert seen["wages"] == "in progress 05:00"
        assert seen["w2"] == seen["deli"] == seen["tiny"] == "new"
        lengths = dict(zip(row_ids(screen), column(screen, "length")))
        films = app.services.catalog.films
        assert lengths == {film_id: clock_text(films[film_id].runtime_seconds) for film_id in lengths}
        assert len(set(lengths.values())) >= 4  # not one length for every title
        titles = dict(zip(row_ids(screen), column(screen, "title")))
        assert titles["w2"] == "Dead Man's Wages (w2)" and titles["wages"] == "Dead Man's Wages (wages)"
        assert titles["lighthouse"] == "The Last Lighthouse"  # an id only where a name is shared


async def test_details_are_recorded_once_per_title_per_visit(private_home):
    app = build(private_home, None, samples=False)  # Literal [bold]Markup[/] Test, then Tiny Test Film
    films = app.services.catalog.films
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marks_read(pilot)
        for key in ("down", "up"):  # moving over the synopses is no "details"
            await pilot.press(key)
        assert "details" in hints(screen)
        await pilot.press("i")  # literal
        assert "mostly" in str(screen.query_one("#synopsis").render())
        assert "synopsis" in hints(screen) and "details" not in hints(screen)
        for key in ("down", "up", "down", "i", "i", "up"):  # tiny once; back to literal; closed and opened again
            await pilot.press(key)
        await pilot.press("enter")  # plays literal: this visit is over
        await wait_for_screen(pilot, PlayerScreen)
        await pilot.press("q")
        await wait_for_screen(pilot, CatalogScreen)
        # literal is in progress now: the table is filled again with the new marks, and that is no look
        await wait_until(pilot, lambda: column(screen, "seen")[0] == "in progress", "the new marks")
        await pilot.press("down")  # the details are still open: tiny, in a new visit
        await pilot.pause()
    events = stored_events(app)
    recorded = [event for event in events if event["kind"] == "details"]
    assert [event["title"] for event in recorded] == ["literal", "tiny", "tiny"]
    for event in recorded:
        assert event["tags"] == list(films[event["title"]].leading_tags()) and event["tags"]
        assert event["session"] == "" and event["viewer"] == "ann"
    assert [event["kind"] for event in events if event["kind"] != "details"] == ["start", "abandon", "end"]


async def test_f_orders_the_titles_for_you_with_a_reason_each_and_f_again_by_title(private_home):
    made_up_history(private_home)
    app = build(private_home, None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marks_read(pilot)
        await wait_until(pilot, app.profile.loaded.is_set, "the profile")
        by_title = row_ids(screen)
        assert "for you" in hints(screen)
        await pilot.press("f")
        order = row_ids(screen)
        assert order != by_title and sorted(order) == sorted(by_title)
        why = dict(zip(order, column(screen, "why")))
        assert why[order[0]] == "you rewind suspense scenes"  # suspense is what they went back to
        assert why[order[-1]] == "you skip action"  # and action what they skipped
        assert all(why.values())
        assert "a-z" in hints(screen) and "for you" not in hints(screen)
        assert "for you" in str(screen.query_one("#catalog-title").render())
        assert dict(zip(order, column(screen, "seen")))["wages"] == "in progress 05:00"  # the marks stay
        await pilot.press("f")
        assert row_ids(screen) == by_title
        assert "for you" in hints(screen)
        assert not screen.query_one("#catalog-order").display


async def test_with_no_history_for_you_says_so_and_keeps_the_order(private_home):
    app = build(private_home, None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marks_read(pilot)
        await wait_until(pilot, app.profile.loaded.is_set, "the profile")
        by_title = row_ids(screen)
        await pilot.press("f")
        assert row_ids(screen) == by_title
        assert "Why" not in [str(c.label) for c in screen.query_one("#titles").columns.values()]  # no reasons
        assert str(screen.query_one("#catalog-order").render()) == for_you.NO_HISTORY
        assert set(column(screen, "seen")) == {"new"}


def test_the_ranking_follows_what_the_viewer_did():
    catalog = Catalog.load([TEST_CATALOG, bundled_catalog()])
    profile = scoring.describe(scoring.build(made_up_events()), scoring.CatalogNames(catalog))
    picks = for_you.rank(catalog.films.values(), profile)
    assert sorted(pick.film.id for pick in picks) == sorted(catalog.films)
    assert [pick.fit for pick in picks] == sorted((pick.fit for pick in picks), reverse=True)
    for pick in picks:
        assert pick.reason == ("you rewind suspense scenes" if pick.fit > 0 else "you skip action"), pick
    assert picks[0].fit > 0 > picks[-1].fit


def test_no_history_gives_no_reasons_and_the_title_order():
    catalog = Catalog.load([TEST_CATALOG, bundled_catalog()])
    picks = for_you.rank(catalog.films.values(), scoring.describe(scoring.empty()))
    assert [pick.film.title for pick in picks] == sorted((f.title for f in catalog.films.values()), key=str.casefold)
    assert {pick.reason for pick in picks} == {""}


def test_a_reason_says_what_the_viewer_did_the_way_the_fit_went():
    signals = ["watch", "skip", "rate_up"]  # the signals behind a tag's evidence lines, strongest first
    assert for_you.reason("action", False, signals) == "you skip action"
    assert for_you.reason("action", True, signals) == "you watch action scenes through"
    assert for_you.reason("action", True, signals[2:]) == "you rate action endings up"
    assert for_you.reason("humor", True, ["skip", "rate_down"]) == "you like humor"  # nothing points that way
    assert for_you.reason("humor", False, []) == "you avoid humor"
