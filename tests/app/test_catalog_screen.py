from player.screens.catalog import CatalogScreen
from player.screens.player import PlayerScreen
from tests.app.helpers import build, kinds, stored_events


async def test_the_catalog_lists_titles_and_enter_plays_one(private_home):
    app = build(private_home, None)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, CatalogScreen)
        table = app.screen.query_one("#titles")
        titles = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "The Last Lighthouse" in titles and "Tiny Test Film" in titles
        while str(table.get_row_at(table.cursor_row)[0]) != "Tiny Test Film":
            await pilot.press("down")
        assert "Ada and Ben" in str(app.screen.query_one("#synopsis").render())
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, PlayerScreen) and app.screen.film.id == "tiny"
        await pilot.press("q")
        await pilot.pause(0.2)
        assert isinstance(app.screen, CatalogScreen)  # back to the catalog, not out of the app
    assert kinds(stored_events(app)) == ["start", "abandon", "end"]
