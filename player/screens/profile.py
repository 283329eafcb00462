"""The taste profile screen: the same chart and evidence as `watch profile`, computed off the UI thread."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Static

from player.engine.base.text import printable
from player.engine.catalog.films import Catalog
from player.engine.history.store import History
from player.engine.taste import profile_store
from ..profile_view import render
from ..widgets.keybar import KeyBar


SCROLL = Binding.Group("scroll", compact=True)


class ProfileScreen(Screen):
    BINDINGS = [
        Binding("up", "scroll('up')", "Scroll up", id="profile-up", key_display="↑", group=SCROLL),
        Binding("down", "scroll('down')", "Scroll down", id="profile-down", key_display="↓", group=SCROLL),
        Binding("escape,q,p", "app.pop_screen", "back", id="profile-back", key_display="esc",
                tooltip="Back to where you were"),
        Binding("f1,question_mark", "app.help", "help", id="profile-help", key_display="?",
                tooltip="Help: every key"),
    ]

    described: dict | None = None  # what is shown, once computed

    def __init__(self, history: History, catalog: Catalog):
        super().__init__()
        self.history = history
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("watch", "bold $accent"), "  ·  your taste profile"), id="profile-title")
        with VerticalScroll(id="profile-body"):
            yield Static(Content("Reading your viewing history…"), id="profile-status")
            yield LoadingIndicator()
            yield Static(id="profile")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="profile", exit_on_error=False)
    def load(self) -> None:
        try:
            self.described = profile_store.described(self.history, self.catalog)
        except OSError as error:
            self.app.call_from_thread(self.show, Content(printable(
                f"Could not read the history: {error.strerror or error}")))
            return
        self.app.call_from_thread(self.show, render(self.described, self.history.viewer))

    def show(self, renderable) -> None:
        self.query_one(LoadingIndicator).display = False
        self.query_one("#profile-status").display = False
        self.query_one("#profile", Static).update(renderable)

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#profile-body", VerticalScroll)
        body.scroll_up() if direction == "up" else body.scroll_down()
