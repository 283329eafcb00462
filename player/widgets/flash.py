"""A short message that says what a key just did ("−10 s", "2x", "scene 3/7"), as mpv's on-screen display does,
then hides itself. Its one timer is a one-shot that lives only while the message is shown."""

from __future__ import annotations

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from player.engine.base.text import printable

SHOWN_SECONDS = 1.5


class Flash(Static):
    DEFAULT_CSS = """
    Flash { width: auto; height: 1; padding: 0 1; background: $accent; color: $text; text-style: bold;
            display: none; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._hiding: Timer | None = None

    def show(self, text: str) -> None:
        """Show `text` (made by the player, never film or model text) for SHOWN_SECONDS; a newer one replaces it."""
        self.update(Content(printable(text)))
        self.display = True
        if self._hiding is not None:
            self._hiding.stop()
        self._hiding = self.set_timer(SHOWN_SECONDS, self.hide)

    def hide(self) -> None:
        self.display = False
        if self._hiding is not None:
            self._hiding.stop()
            self._hiding = None

    @property
    def shown(self) -> str | None:
        """The message on screen, or None."""
        return str(self.render()) if self.display else None
