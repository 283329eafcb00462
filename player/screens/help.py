"""Every key of the screen it was opened from, built from that screen's bindings so it never goes stale.

Two columns: the keys, and what they do, wrapped under its own column. It scrolls when it is taller than the
terminal, and then says so.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from player.engine.base.text import printable
from ..widgets.backlog_columns import TwoColumns
from ..widgets.keybar import key_names

FRAME_ROWS = 4  # the border, the title and the hint around the keys
MAX_KEY_COLUMN = 20  # cells; a longer key name wraps inside the column


def key_table(screen: Screen) -> list[tuple[str, str]]:
    """The keys that work on `screen` now (a personalised ending's keys only after one), with what they do."""
    rows: list[tuple[str, str]] = []
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding) and screen.check_action(binding.action.split("(")[0], ()) is not False:
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
    DEFAULT_CSS = """
    #help-scroll { height: auto; }
    """
    BINDINGS = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close", id="help-close"),
        Binding("up", "scroll('scroll_up')", "Scroll up", id="help-up", show=False),
        Binding("down", "scroll('scroll_down')", "Scroll down", id="help-down", show=False),
        Binding("pageup", "scroll('scroll_page_up')", "Page up", id="help-page-up", show=False),
        Binding("pagedown", "scroll('scroll_page_down')", "Page down", id="help-page-down", show=False),
    ]

    def __init__(self, screen: Screen):
        super().__init__()
        self.rows = key_table(screen)

    def compose(self) -> ComposeResult:
        width = min(max(cell_len(key) for key, _ in self.rows), MAX_KEY_COLUMN)
        rows = [(Content.styled(printable(key), "bold $accent"), Content(printable(text))) for key, text in self.rows]
        with Vertical(id="help"):
            yield Static(Content.styled("Keys", "bold"), id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield TwoColumns(rows, width, id="help-keys")
            yield Static(id="help-hint")

    def on_resize(self) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        scroll.styles.max_height = max(self.size.height - FRAME_ROWS, 1)
        self.call_after_refresh(self._show_hint)

    def _show_hint(self) -> None:
        """The scroll keys are hinted only when there is something to scroll."""
        parts: list = [("esc", "bold"), " or ", ("?", "bold"), " closes this"]
        if self.query_one("#help-scroll", VerticalScroll).max_scroll_y > 0:
            parts = [("↑/↓ PgUp/PgDn", "bold"), " scroll  ·  ", *parts]
        self.query_one("#help-hint", Static).update(Content.assemble(*parts))

    def action_scroll(self, how: str) -> None:
        getattr(self.query_one("#help-scroll", VerticalScroll), how)()
