"""The backlog, as a visual-novel player's history: the lines that played so far, with their speakers, newest at
the bottom. The end card opens the same reader on the ending that just played.

Every line is film or model text: it goes through printable() and is drawn as plain Content, never markup.
"""

from __future__ import annotations

from typing import Sequence

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from player.engine.base.text import printable
from player.engine.catalog.films import MAIN, Beat, Film, Scene
from player.engine.playback.session import Playback
from player.engine.playback.timeline import Timeline
from ..widgets.backlog_columns import TwoColumns
from ..widgets.keybar import KeyBar

MAX_SPEAKER_COLUMN = 16  # cells; a longer name wraps inside its column
SCROLL = Binding.Group("scroll", compact=True)
PAGE = Binding.Group("page", compact=True)
ENDS = Binding.Group("oldest/newest", compact=True)


def played_so_far(playback: Playback) -> list[tuple[Scene, Beat]]:
    """Every beat up to the one on screen, in story order: the film, then the ending that is playing. A beat the
    viewer skipped is listed too, as a visual novel's history lists the lines skipped through."""
    here = playback.timeline.index_at(playback.position)
    slots = playback.timeline.slots[:here + 1]
    if playback.part != MAIN:  # the ending's timeline starts where the film's ends
        slots = Timeline(playback.film.scenes).slots + slots
    return [(slot.scene, slot.beat) for slot in slots]


def in_scenes(scenes: Sequence[Scene]) -> list[tuple[Scene, Beat]]:
    """Every beat of these scenes: an ending read back whole."""
    return [(scene, beat) for scene in scenes for beat in scene.beats]


def backlog_rows(film: Film, lines: Sequence[tuple[Scene, Beat]]) -> list[tuple[Content, Content]]:
    """(speaker, line) rows, with a heading row where a new scene starts. Captions are in italics, as on screen."""
    rows: list[tuple[Content, Content]] = []
    scene_id = None
    for scene, beat in lines:
        if scene.id != scene_id:
            if rows:
                rows.append((Content(), Content()))  # a blank line between scenes
            scene_id = scene.id
            rows.append((Content(), Content.styled(printable(f"· {scene.title} ·", False), "bold $text-muted")))
        text = Content(printable(beat.text))
        if beat.kind == "caption":
            text = Content.styled(printable(beat.text), "italic")
        if beat.parenthetical:
            text = Content.assemble((f"({printable(beat.parenthetical, False)}) ", "italic $text-muted"), text)
        speaker = film.speaker_name(beat) if beat.kind == "dialogue" else ""
        rows.append((Content.styled(printable(speaker, False), "bold $accent"), text))
    return rows


class BacklogScreen(ModalScreen[None]):
    """Covers the player (which pauses under any covering screen) until it is closed."""

    DEFAULT_CSS = """
    #backlog { height: 1fr; border: round $accent; border-title-align: left; padding: 0 1;
               background: $surface; }
    #backlog-lines { height: 1fr; }
    #backlog-empty { color: $text-muted; }
    """
    BINDINGS = [
        Binding("up", "scroll('scroll_up')", "Scroll up", id="backlog-up", key_display="↑", group=SCROLL),
        Binding("down", "scroll('scroll_down')", "Scroll down", id="backlog-down", key_display="↓", group=SCROLL),
        Binding("pageup", "scroll('scroll_page_up')", "Page up", id="backlog-page-up", key_display="PgUp",
                group=PAGE),
        Binding("pagedown", "scroll('scroll_page_down')", "Page down", id="backlog-page-down", key_display="PgDn",
                group=PAGE),
        Binding("home", "scroll('scroll_home')", "The oldest line", id="backlog-home", key_display="Home",
                group=ENDS),
        Binding("end", "scroll('scroll_end')", "The newest line", id="backlog-end", key_display="End", group=ENDS),
        Binding("h,escape,q", "dismiss", "close", id="backlog-close", key_display="h/esc",
                tooltip="Close this, back to where you were"),
        Binding("f1,question_mark", "app.help", "help", id="backlog-help", key_display="?", tooltip="Help: every key"),
    ]

    def __init__(self, film: Film, lines: Sequence[tuple[Scene, Beat]], title: str = "Backlog"):
        """`lines`: (scene, beat) pairs in story order, from played_so_far() or in_scenes(); `title`: what they
        are ("Backlog", or the ending's label); it is film text, shown through printable()."""
        super().__init__()
        self.film = film
        self.rows = backlog_rows(film, lines)
        self.heading = printable(title, False)

    def compose(self) -> ComposeResult:
        speakers = [cell_len(speaker.plain) for speaker, _ in self.rows]
        with Vertical(id="backlog") as box:
            box.border_title = Content.styled(printable(self.heading), "bold")
            with VerticalScroll(id="backlog-lines"):
                if self.rows:
                    yield TwoColumns(self.rows, min(max(speakers), MAX_SPEAKER_COLUMN), id="backlog-rows")
                else:
                    yield Static("Nothing has played yet.", id="backlog-empty")
        yield KeyBar()

    def on_mount(self) -> None:
        self.call_after_refresh(self.action_scroll, "scroll_end")  # newest at the bottom, in view

    def action_scroll(self, how: str) -> None:
        getattr(self.query_one("#backlog-lines", VerticalScroll), how)(animate=False)
