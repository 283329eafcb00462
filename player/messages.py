"""App-wide messages. Workers and the history writer talk to the UI only through these."""

from dataclasses import dataclass

from textual.message import Message


@dataclass
class HistoryWarning(Message):
    """The history writer could not save (None: it recovered). Sent from the writer thread."""

    warning: str | None


@dataclass
class HistoryNotice(Message):
    """The history store moved a damaged file aside (one line for the user). Sent from any thread."""

    notice: str
