"""Continue watching: offered when the last session of a title stopped before the end."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from player.engine.catalog.films import Film
from player.engine.ending.ending_record import SavedEnding
from player.engine.base.text import printable
from player.engine.playback.timeline import Timeline
from ..widgets.keybar import KeyBar
from ..widgets.timeline import clock_text


class ResumeScreen(ModalScreen[float | SavedEnding | None]):
    """Dismisses with the position to start from, the partial ending to continue, or None to quit."""

    BINDINGS = [
        Binding("enter,c", "resume", "continue", id="resume", key_display="enter",
                tooltip="Continue where you stopped"),
        Binding("s,home", "start_over", "start over", id="start-over", tooltip="Start from the beginning"),
        Binding("q,escape", "quit_film", "quit", id="resume-quit", tooltip="Quit the film"),
    ]

    def __init__(self, film: Film, position: float = 0.0, ending: SavedEnding | None = None):
        """`ending`: the viewer quit while Your ending was being written; continuing plays its saved beats from
        where they were and writes the rest."""
        super().__init__()
        self.film = film
        self.position = position
        self.ending = ending

    def compose(self) -> ComposeResult:
        with Vertical(id="resume"):
            yield Static(Content.styled("Continue watching?", "bold"), id="resume-title")
            yield Static(Content(printable(self._where())), id="resume-where")
            yield KeyBar()

    def _where(self) -> str:
        if self.ending is not None:
            written = len(self.ending.beats)
            return (f"You stopped {self.film.title} in Your ending, at beat {min(self.ending.watched + 1, written)} "
                    f"of {self.ending.planned}; {written} are written, the rest will be.")
        slot = Timeline(self.film.scenes).slot_at(self.position)
        return (f"You stopped {self.film.title} at {clock_text(self.position)}, "
                f"in scene {slot.scene_index + 1}: {slot.scene.title}.")

    def action_resume(self) -> None:
        self.dismiss(self.ending if self.ending is not None else self.position)

    def action_start_over(self) -> None:
        self.dismiss(0.0)

    def action_quit_film(self) -> None:
        self.dismiss(None)
