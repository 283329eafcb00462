"""A screenplay imported with `watch import` goes through the whole product: it plays, it records history, its
branch point offers a personalised ending, and the profile learns from it."""

from player.cli import run
from player.engine.ending import endings_store
from tests.clocks import ManualTime
from player.engine.history.store import History
from player.engine.catalog.films import YOURS
from player.screens.branch import BranchScreen
from player.screens.end import EndScreen
from tests.app.helpers import build, kinds, stored_events, wait_for_screen
from tests.conftest import FIXTURES
from tests.fakes.backend import FakeBackend


async def test_an_imported_screenplay_plays_records_and_offers_your_ending(private_home, capsys):
    assert run(["import", str(FIXTURES / "fountain" / "branching.fountain"), "--id", "door"]) == 0
    assert "Play it with `watch door`" in capsys.readouterr().out
    now = ManualTime()
    app = build(private_home, "door", now=now, backend=FakeBackend(), seed=5)
    async with app.run_test(size=(80, 24)) as pilot:
        film = app.screen.film
        await pilot.press("right", "space", "space")
        for _ in range(200):
            if isinstance(app.screen, BranchScreen):
                break
            now.advance(2.0)
            await pilot.pause(0.02)
        await wait_for_screen(pilot, BranchScreen)
        options = app.screen.query_one("#endings")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(labels) == len(film.branch.endings) + 1 and "Your ending" in labels[-1]
        await pilot.press(str(len(labels)))
        for _ in range(300):
            if isinstance(app.screen, EndScreen):
                break
            now.advance(2.0)
            await pilot.pause(0.02)
        assert isinstance(app.screen, EndScreen) and app.screen.yours
        await pilot.press("q")
    events = stored_events(app)
    assert kinds(events)[:4] == ["start", "skip", "pause", "resume"]
    assert all(e["title"] == "door" for e in events)
    assert next(e for e in events if e["kind"] == "choice")["ending"] == YOURS
    assert kinds(events)[-2:] == ["finish", "end"]
    saved = endings_store.all_endings(History(private_home, "ann"))
    assert saved and saved[0]["title"] == "door"
    names = {c.name.split()[0] for c in film.characters.values()}
    assert any(name in " ".join(b["text"] for b in saved[0]["beats"]) for name in names)
    assert run(["profile", "--viewer", "ann", "--json"]) == 0
    assert '"sessions": 1' in capsys.readouterr().out


async def test_a_screenplay_without_a_date_plays_under_its_title_alone(private_home, tmp_path):
    source = tmp_path / "diner.fountain"
    source.write_text("INT. DINER - NIGHT\n\nMARA\nCoffee.\n", encoding="utf-8")
    assert run(["import", str(source), "--id", "diner"]) == 0
    app = build(private_home, "diner", now=ManualTime(), backend=FakeBackend())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.film.year == 0
        assert str(app.screen.query_one("#film-title").render()) == "Diner"
