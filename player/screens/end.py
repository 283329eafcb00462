"""The end card: what was watched, the credits, and where to go next. After "Your ending": another one with a
new seed, a rating, and why it was written that way."""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from player.engine.catalog.films import YOURS, Film
from player.engine.ending.plan import Plan
from player.engine.base.text import printable
from ..widgets.keybar import KeyBar

RATE = Binding.Group("rate", compact=True)


class EndScreen(Screen[str]):
    BINDINGS = [
        Binding("r", "again", "another ending", id="end-again", tooltip="Another personalised ending, new seed"),
        Binding("plus,equals_sign", "rate(1)", "Rate it up", id="end-up", key_display="+", group=RATE),
        Binding("minus", "rate(-1)", "Rate it down", id="end-down", key_display="-", group=RATE),
        Binding("w", "why", "why", id="end-why", tooltip="Why this ending: what in your history shaped it"),
        Binding("b", "back", "back to the choice", id="end-back", tooltip="Back to the branch point"),
        Binding("q", "quit_film", "quit", id="end-quit", tooltip="Quit the film"),
        Binding("f1,question_mark", "app.help", "help", id="end-help", key_display="?", tooltip="Help: every key"),
    ]

    def __init__(self, film: Film, ending_id: str, plan: Plan | None = None,
                 on_rate: Callable[[int], None] = lambda rating: None, on_why: Callable[[], None] = lambda: None):
        super().__init__()
        self.film = film
        self.ending_id = ending_id
        self.yours = ending_id == YOURS and plan is not None
        self.on_rate = on_rate
        self.on_why = on_why
        self.rating = 0

    def compose(self) -> ComposeResult:
        label = "Your ending" if self.ending_id == YOURS else self.film.branch.ending(self.ending_id).label
        credits = [self.film.author, *self.film.credits]
        with Vertical(id="end"):
            yield Static(Content.styled("THE END", "bold"), id="end-title")
            yield Static(Content(printable(f"{self.film.title} · ending: {label}", False)), id="end-ending")
            yield Static(Content(printable("\n".join(c for c in credits if c))), id="end-credits")
            yield Static(id="end-rating")
        yield KeyBar()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("again", "why"):
            return self.yours
        return True

    def action_again(self) -> None:
        self.dismiss("again")

    def action_rate(self, rating: int) -> None:
        if rating == self.rating:
            return  # one rating per ending; pressing the other key changes it
        self.rating = rating
        self.on_rate(rating)
        word = "up ▲" if rating > 0 else "down ▼"
        self.query_one("#end-rating", Static).update(
            Content.assemble(f"You rated this ending {word}. ", ("It counts towards your taste profile.", "dim")))

    def action_why(self) -> None:
        self.on_why()

    def action_back(self) -> None:
        self.dismiss("branch")

    def action_quit_film(self) -> None:
        self.dismiss("quit")
