"""The catalog: every title with its year, genres, length and how far the viewer got with it (new, in progress,
watched), and the synopsis of the highlighted one. `i` shows its details (recorded, once per title per visit, as
a "details" event), `f` orders the titles for you from the taste profile with a reason each, and enter chooses
the highlighted title: the app plays it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from player.engine.base.events import make_event
from player.engine.base.text import counted, printable
from player.engine.catalog.films import Catalog, Film
from player.engine.history.store import History, Progress
from player.engine.taste import for_you
from player.engine.taste.profile_cache import ProfileCache
from ..widgets.keybar import KeyBar
from ..widgets.timeline import clock_text

log = logging.getLogger(__name__)
MOVE = Binding.Group("move", compact=True)
DETAILS = "Show the highlighted title's details, or only its synopsis again"
ORDER = "Order the titles for you from your taste profile, or by title again"
TITLE_WIDTH = 24  # cells; a longer title wraps in its cell, so that every column fits 80 columns


def mark(progress: Progress | None) -> str:
    """How far the viewer got with a title, in a few words ("" while the history is being read)."""
    if progress is None:
        return ""
    if progress.resume_at is not None:
        return f"in progress {clock_text(progress.resume_at)}"
    if progress.finished:
        return "watched"
    return "in progress" if progress.in_progress else "new"


def shown_names(films: list[Film]) -> dict[str, str]:
    """Each film's title as the catalog shows it: with its id where another title has the same name, since the
    id is what tells them apart when typed (`watch w2`)."""
    names: dict[str, int] = {}
    for film in films:
        names[film.title.casefold()] = names.get(film.title.casefold(), 0) + 1
    return {film.id: film.title + (f" ({film.id})" if names[film.title.casefold()] > 1 else "") for film in films}


class SynopsisPane(VerticalScroll, can_focus=False):
    """Holds the highlighted title's synopsis (and details): it scrolls when the text is longer than the pane."""


class CatalogScreen(Screen):
    DEFAULT_CSS = """
    #catalog-order { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("up", "cursor('up')", "Highlight the title above", key_display="↑", group=MOVE, id="catalog-up"),
        Binding("down", "cursor('down')", "Highlight the title below", key_display="↓", group=MOVE,
                id="catalog-down"),
        Binding("enter", "play", "play", id="play", key_display="enter", tooltip="Play the highlighted title"),
        # One key each for two states: the key bar hints the one that applies now (check_action).
        Binding("i", "details", "details", id="catalog-details", tooltip=DETAILS),
        Binding("i", "synopsis", "synopsis", id="catalog-synopsis", tooltip=DETAILS),
        Binding("f", "for_you", "for you", id="catalog-for-you", tooltip=ORDER),
        Binding("f", "by_title", "a-z", id="catalog-by-title", tooltip=ORDER),
        # priority: before the table's own paging, only while the synopsis has more to show (check_action)
        Binding("pagedown", "scroll_synopsis('down')", "more", key_display="PgDn", id="catalog-more",
                priority=True, tooltip="Scroll the synopsis down"),
        Binding("pageup", "scroll_synopsis('up')", "Scroll the synopsis up", show=False, id="catalog-back",
                priority=True),
        Binding("p", "app.show_profile", "profile", id="catalog-profile", tooltip="Your taste profile"),
        Binding("q", "app.quit", "quit", id="catalog-quit", tooltip="Quit watch"),
        Binding("f1,question_mark", "app.help", "help", id="catalog-help", key_display="?",
                tooltip="Help: every key"),
    ]

    @dataclass
    class Chosen(Message):
        """The viewer chose a film to play."""

        film: Film

    def __init__(self, catalog: Catalog, history: History, profile: ProfileCache):
        super().__init__()
        self.catalog = catalog
        self.history = history
        self.profile = profile
        self.films = sorted(catalog.films.values(), key=lambda f: f.title.casefold())
        self.names = shown_names(self.films)
        self.marks: dict[str, Progress] = {}
        self.picks: dict[str, for_you.Pick] | None = None  # set while the titles are ordered for you
        self.details = False  # the details of the highlighted title are shown, not only its synopsis
        self.details_seen: set[str] = set()  # titles whose details were recorded in this visit
        self.shown: str | None = None  # the title whose synopsis is shown

    def compose(self) -> ComposeResult:
        with Vertical(id="catalog"):
            yield Static(id="catalog-title")
            yield DataTable(id="titles", cursor_type="row", zebra_stripes=True)
            yield Static(id="catalog-order")
            with SynopsisPane(id="synopsis-pane"):
                yield Static(id="synopsis")
            yield Static(id="catalog-notes")
        yield KeyBar()

    def on_mount(self) -> None:
        self._say_order("")
        self.fill()
        broken = self.catalog.broken
        if broken:
            names = ", ".join(path.name for path in broken)
            self.query_one("#catalog-notes", Static).update(Content.styled(
                printable(f"⚠ skipped invalid titles: {names} (run `watch check DIR` for details)", False),
                "$warning"))
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        """Each time the catalog is on top again (and the first time): what the viewer has watched since, and the
        order for you from the profile of now."""
        self.read_marks()
        if self.picks is not None:
            self.action_for_you()

    # -- the table ------------------------------------------------------------------------------------------
    def fill(self) -> None:
        """(Re)build the table in the order and with the columns of now, keeping the highlighted title."""
        table = self.query_one(DataTable)
        highlighted = self._selected()
        films = self.films if self.picks is None else [pick.film for pick in self.picks.values()]
        why = self.picks is not None and any(pick.reason for pick in self.picks.values())  # none: no history
        rows = {film.id: self._cells(film, why) for film in films}
        table.clear(columns=True)
        # Every width given, none measured: DataTable measures on idle, and rows drawn before that keep the
        # widths they were drawn at.
        header = ("Title", "Why") if why else ("Title", "Year", "Genres", "Length")
        for number, label in enumerate((*header, "Seen")):
            widest = max((cell_len(str(cells[number])) for cells in rows.values()), default=0)
            table.add_column(label, width=TITLE_WIDTH if number == 0 else max(cell_len(label), widest),
                             key=label.lower())
        for film_id, cells in rows.items():
            # A long title wraps in its cell, in as many lines as it needs.
            table.add_row(*cells, key=film_id, height=len(cells[0].wrap(self.app.console, TITLE_WIDTH)))
        if highlighted is not None:
            table.move_cursor(row=table.get_row_index(highlighted.id))
        self.query_one("#catalog-title", Static).update(Content.assemble(
            ("watch", "bold $accent"), "  ·  choose a film", "  ·  for you" if self.picks is not None else ""))
        self.show_synopsis()

    def _cells(self, film: Film, why: bool) -> list:
        """A title's row, with the reason it is for you when `why`. Rich Text for the film's own words, not a str:
        DataTable would parse a str as markup."""
        cells: list = [Text(printable(self.names[film.id], False))]
        if why:
            cells.append(Text(self.picks[film.id].reason))
        else:
            cells += [str(film.known_year or "—"), Text(printable(", ".join(film.genres), False)), clock_text(film.runtime_seconds)]
        return [*cells, mark(self.marks.get(film.id))]

    @work(thread=True, exclusive=True, group="catalog-marks", exit_on_error=False)
    def read_marks(self) -> None:
        """On a thread: reading the history may wait for the viewer's lock, and the UI never waits."""
        try:
            marks = {film.id: self.history.progress(film.id) for film in self.films}
        except OSError as error:  # the marks stay as they were; the history says what is wrong with the disk
            log.warning("the catalog could not read the history: %s", error)
            return
        self.app.call_from_thread(self._show_marks, marks)

    def _show_marks(self, marks: dict[str, Progress]) -> None:
        if marks != self.marks:
            self.marks = marks
            self.fill()  # afresh rather than cell by cell: the column widths follow the new marks

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
        if film is None:
            return
        moved, self.shown = film.id != self.shown, film.id
        text = Content(printable(film.synopsis))
        if self.details:
            if moved:  # the viewer moved to it; the table filled again (new marks, another order) is no look
                self._record_details(film)
            text = Content.assemble((printable(self._facts(film)), "bold"), "\n", text)
        synopsis = self.query_one("#synopsis", Static)
        synopsis.update(text)
        self.query_one(SynopsisPane).scroll_home(animate=False)
        self.call_after_refresh(self._changed_mode)  # "PgDn more" only for a text longer than the pane, once laid out

    @staticmethod
    def _facts(film: Film) -> str:
        """What the table does not say: its size, what it is mostly like, and who is in it."""
        cast = ", ".join(character.name for character in film.characters.values())
        return (f"{counted(len(film.scenes), 'scene')} · {counted(len(film.branch.endings), 'ending')} · mostly "
                f"{', '.join(film.leading_tags())}\nwith {cast}")

    def _record_details(self, film: Film) -> None:
        """Once per title per visit: looking at a title's details again, or moving back to it, adds nothing. The
        history journals it at once and saves it on its writer thread."""
        if film.id in self.details_seen:
            return
        self.details_seen.add(film.id)
        self.history.log(make_event("details", viewer=self.history.viewer, title=film.id, session="", scene="",
                                    beat=0, position=0.0, tags=list(film.leading_tags())))

    # -- actions --------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "scroll_synopsis":  # hinted only while the synopsis is longer than its pane
            return self.query_one(SynopsisPane).max_scroll_y > 0
        if action in ("details", "synopsis"):
            return self.details == (action == "synopsis")
        if action in ("for_you", "by_title"):
            return (self.picks is not None) == (action == "by_title")
        return True

    def _changed_mode(self) -> None:
        self.query_one(KeyBar).refresh()

    def action_details(self) -> None:
        self.details = True
        film = self._selected()
        if film:
            self._record_details(film)
        self.show_synopsis()
        self._changed_mode()

    def action_synopsis(self) -> None:
        self.details = False
        self.show_synopsis()
        self._changed_mode()

    def _say_order(self, text: str) -> None:
        order = self.query_one("#catalog-order", Static)
        order.update(text)
        order.display = bool(text)

    def action_for_you(self) -> None:
        if not self.profile.loaded.is_set():
            self._say_order("your taste profile is still being read; press f again in a moment")
            return
        picks = for_you.rank(self.films, self.profile.current)
        self._say_order(for_you.BEST_FIRST if any(pick.reason for pick in picks) else for_you.NO_HISTORY)
        self.picks = {pick.film.id: pick for pick in picks}
        self.fill()
        self._changed_mode()

    def action_by_title(self) -> None:
        self.picks = None
        self._say_order("")
        self.fill()
        self._changed_mode()

    def action_scroll_synopsis(self, direction: str) -> None:
        pane = self.query_one(SynopsisPane)
        pane.scroll_page_down(animate=False) if direction == "down" else pane.scroll_page_up(animate=False)

    def action_cursor(self, direction: str) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_up() if direction == "up" else table.action_cursor_down()

    def action_play(self) -> None:
        film = self._selected()
        if film:
            self.details_seen.clear()  # the visit ends: back in the catalog, the details count again
            self.post_message(self.Chosen(film))
