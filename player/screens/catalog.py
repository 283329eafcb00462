"""The catalog: every title with its genres, length and synopsis. Enter chooses the highlighted one, and the app
plays it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from player.engine.base.text import printable
from player.engine.catalog.films import Catalog, Film
from ..widgets.keybar import KeyBar


MOVE = Binding.Group("move", compact=True)


class CatalogScreen(Screen):
    BINDINGS = [
        Binding("up", "cursor('up')", "Highlight the title above", key_display="↑", group=MOVE, id="catalog-up"),
        Binding("down", "cursor('down')", "Highlight the title below", key_display="↓", group=MOVE,
                id="catalog-down"),
        Binding("enter", "play", "play", id="play", key_display="enter", tooltip="Play the highlighted title"),
        Binding("p", "app.show_profile", "profile", id="catalog-profile", tooltip="Your taste profile"),
        Binding("q", "app.quit", "quit", id="catalog-quit", tooltip="Quit watch"),
        Binding("f1,question_mark", "app.help", "help", id="catalog-help", key_display="?",
                tooltip="Help: every key"),
    ]

    @dataclass
    class Chosen(Message):
        """The viewer chose a film to play."""

        film: Film

    def __init__(self, catalog: Catalog):
        super().__init__()
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        with Vertical(id="catalog"):
            yield Static(Content.assemble(("watch", "bold $accent"), "  ·  choose a film"), id="catalog-title")
            yield DataTable(id="titles", cursor_type="row", zebra_stripes=True)
            yield Static(id="synopsis")
            yield Static(id="catalog-notes")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Title", "Year", "Genres", "Min")
        for film in sorted(self.catalog.films.values(), key=lambda f: f.title.casefold()):
            # Rich Text, not a str: DataTable would parse a str as markup.
            table.add_row(Text(printable(film.title, False)), str(film.year),
                          Text(printable(", ".join(film.genres), False)), f"{film.minutes:.0f}", key=film.id)
        broken = self.catalog.broken
        if broken:
            names = ", ".join(path.name for path in broken)
            self.query_one("#catalog-notes", Static).update(Content.styled(
                printable(f"⚠ skipped invalid titles: {names} (run `watch check DIR` for details)", False),
                "$warning"))
        table.focus()
        self.show_synopsis()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_synopsis()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_play()

    def _selected(self) -> Film | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.catalog.films[key]

    def show_synopsis(self) -> None:
        film = self._selected()
        if film:
            self.query_one("#synopsis", Static).update(Content(printable(film.synopsis)))

    def action_cursor(self, direction: str) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_up() if direction == "up" else table.action_cursor_down()

    def action_play(self) -> None:
        film = self._selected()
        if film:
            self.post_message(self.Chosen(film))
