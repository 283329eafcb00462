"""The end card: what was watched, the credits, and where to go next."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ..engine.catalog import Film
from ..engine.text import printable
from ..widgets.keybar import KeyBar


class EndScreen(Screen[str]):
    BINDINGS = [
        Binding("b", "back", "back to the choice", id="end-back", tooltip="Back to the branch point"),
        Binding("q", "quit_film", "quit", id="end-quit", tooltip="Quit the film"),
        Binding("f1,question_mark", "help", "help", id="end-help", key_display="?", tooltip="Help: every key"),
    ]

    def __init__(self, film: Film, ending_id: str):
        super().__init__()
        self.film = film
        self.ending_id = ending_id

    def compose(self) -> ComposeResult:
        label = next((e.label for e in self.film.branch.endings if e.id == self.ending_id), self.ending_id)
        credits = [self.film.author, *self.film.credits]
        with Vertical(id="end"):
            yield Static(Content.styled("THE END", "bold"), id="end-title")
            yield Static(Content(printable(f"{self.film.title} · ending: {label}", False)), id="end-ending")
            yield Static(Content(printable("\n".join(c for c in credits if c))), id="end-credits")
        yield KeyBar()

    def action_back(self) -> None:
        self.dismiss("branch")

    def action_quit_film(self) -> None:
        self.dismiss("quit")

    def action_help(self) -> None:
        self.app.show_help(self)
