"""Shown instead of a garbled layout when the terminal is below the size the player is drawn for."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from player.engine.base.terminal import MIN_HEIGHT, MIN_WIDTH


class TooSmallScreen(ModalScreen[None]):
    BINDINGS = [Binding("q", "app.quit", "Quit", id="small-quit")]

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def on_mount(self) -> None:
        self.show_size()

    def on_resize(self, event) -> None:
        self.show_size(event.size)

    def show_size(self, size=None) -> None:
        width, height = size or self.app.size
        self.query_one(Static).update(Content.assemble(
            ("Terminal too small", "bold"), f"\n\nIt is {width}x{height}; watch needs at least "
            f"{MIN_WIDTH}x{MIN_HEIGHT}.\nMake the window bigger to go on, or press ", ("q", "bold"), " to quit."))
