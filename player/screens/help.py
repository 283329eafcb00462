"""Every key of the screen it was opened from, built from that screen's bindings so it never goes stale."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ..widgets.keybar import key_names

def key_table(screen: Screen) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding):
            rows.append((key_names(binding.key), binding.tooltip or binding.description))
    rows += [("ctrl+p", "Command palette"), ("ctrl+q", "Quit watch")]
    return _merge_numbered(rows)


def _merge_numbered(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Show "1 … 9" once instead of nine rows."""
    numbered = [row for row in rows if row[0].isdigit()]
    if len(numbered) < 2:
        return rows
    first = rows.index(numbered[0])
    rest = [row for row in rows if not row[0].isdigit()]
    rest.insert(first, (f"{numbered[0][0]} … {numbered[-1][0]}", "Choose that ending"))
    return rest


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close", id="help-close")]

    def __init__(self, screen: Screen):
        super().__init__()
        self.rows = key_table(screen)

    def compose(self) -> ComposeResult:
        width = max(len(key) for key, _ in self.rows) + 2
        lines = [Content.assemble((key.ljust(width), "bold $accent"), text) for key, text in self.rows]
        with Vertical(id="help"):
            yield Static(Content.styled("Keys", "bold"), id="help-title")
            yield Static(Content("\n").join(lines), id="help-keys")
            yield Static(Content.assemble(("esc", "bold"), " or ", ("?", "bold"), " closes this"), id="help-hint")
