"""The end card: which ending was watched and what it decided, the credits, and where to go next: read the ending
back line by line, rate it, go back to the choice. After "Your ending": another one with a new seed, and why it
was written that way."""

from __future__ import annotations

from typing import Callable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from player.engine.catalog.films import YOURS, Film, Scene
from player.engine.ending.plan import Plan
from player.engine.base.text import printable
from ..widgets.keybar import KeyBar
from .backlog import BacklogScreen, in_scenes

RATE = Binding.Group("rate", compact=True)


class EndScreen(Screen[str]):
    DEFAULT_CSS = """
    #end-about { padding: 0 6; }
    """
    BINDINGS = [
        Binding("r", "again", "another ending", id="end-again", tooltip="Another personalised ending, new seed"),
        Binding("plus,equals_sign", "rate(1)", "Rate it up", id="end-up", key_display="+", group=RATE),
        Binding("minus", "rate(-1)", "Rate it down", id="end-down", key_display="-", group=RATE),
        Binding("w", "why", "why", id="end-why", tooltip="Why this ending: what in your history shaped it"),
        Binding("h", "read", "read it", id="end-read", tooltip="Read this ending again, line by line"),
        Binding("b", "back", "back to the choice", id="end-back", tooltip="Back to the branch point"),
        Binding("q", "quit_film", "quit", id="end-quit", tooltip="Quit the film"),
        Binding("f1,question_mark", "app.help", "help", id="end-help", key_display="?", tooltip="Help: every key"),
    ]

    def __init__(self, film: Film, ending_id: str, plan: Plan | None = None,
                 on_rate: Callable[[int], None] = lambda rating: None, on_why: Callable[[], None] = lambda: None,
                 scenes: Sequence[Scene] = ()):
        """`scenes`: the ending as it played (Your ending as written); an authored ending's own by default."""
        super().__init__()
        self.film = film
        self.ending_id = ending_id
        self.plan = plan
        self.yours = ending_id == YOURS and plan is not None
        self.scenes = tuple(scenes) or (() if ending_id == YOURS else film.branch.ending(ending_id).scenes)
        self.on_rate = on_rate
        self.on_why = on_why
        self.rating = 0

    def which(self) -> tuple[str, str]:
        """Which ending this was, and what it decided: for an authored one, where it stands among the film's
        endings and its summary; for Your ending, its decision and the tone it was written in."""
        if self.ending_id != YOURS:
            endings = [ending.id for ending in self.film.branch.endings]
            ending = self.film.branch.ending(self.ending_id)
            return (f"Ending {endings.index(ending.id) + 1} of {len(endings)}: {ending.label}", ending.summary)
        if self.plan is None:
            return "Your ending, written for you", ""
        plan = self.plan
        decided = f"{plan.decision[:1].upper()}{plan.decision[1:]}." if plan.decision else ""
        leaning = f", leaning on {', '.join(plan.emphasis)}" if plan.emphasis else ""
        return f"Your ending, written for you (seed {plan.seed})", f"{decided} {plan.tone.capitalize()}{leaning}."

    def compose(self) -> ComposeResult:
        credits = [self.film.author, *self.film.credits]
        which, about = self.which()
        with Vertical(id="end"):
            yield Static(Content.styled("THE END", "bold"), id="end-title")
            yield Static(Content(printable(self.film.title, False)), id="end-film")
            yield Static(Content.styled(printable(which, False), "bold $accent"), id="end-ending")
            yield Static(Content.styled(printable(about.strip(), False), "italic"), id="end-about")
            yield Static(Content(printable("\n".join(c for c in credits if c))), id="end-credits")
            yield Static(id="end-rating")
        yield KeyBar()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("again", "why"):
            return self.yours
        if action == "read":
            return bool(self.scenes)
        return True

    def action_read(self) -> None:
        self.app.push_screen(BacklogScreen(self.film, in_scenes(self.scenes), title=self.which()[0]))

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
