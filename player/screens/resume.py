"""Continue watching: offered when the last session of a title stopped before the end."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..engine.catalog import Film
from ..engine.text import printable
from ..engine.timeline import Timeline
from ..widgets.keybar import KeyBar
from ..widgets.timeline import clock_text


class ResumeScreen(ModalScreen[float | None]):
    """Dismisses with the position to start from, or None to quit."""

    BINDINGS = [
        Binding("enter,c", "resume", "continue", id="resume", key_display="enter",
                tooltip="Continue where you stopped"),
        Binding("s,home", "start_over", "start over", id="start-over", tooltip="Start from the beginning"),
        Binding("q,escape", "quit_film", "quit", id="resume-quit", tooltip="Quit the film"),
    ]

    def __init__(self, film: Film, position: float):
        super().__init__()
        self.film = film
        self.position = position

    def compose(self) -> ComposeResult:
        slot = Timeline(self.film.scenes).slot_at(self.position)
        scene = f"scene {slot.scene_index + 1}: {slot.scene.title}"
        with Vertical(id="resume"):
            yield Static(Content.styled("Continue watching?", "bold"), id="resume-title")
            yield Static(Content(printable(f"You stopped {self.film.title} at {clock_text(self.position)}, "
                                           f"in {scene}.")), id="resume-where")
            yield KeyBar()

    def action_resume(self) -> None:
        self.dismiss(self.position)

    def action_start_over(self) -> None:
        self.dismiss(0.0)

    def action_quit_film(self) -> None:
        self.dismiss(None)
