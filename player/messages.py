"""App-wide messages. Workers and the history writer talk to the UI only through these."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from player.engine.ending.your_ending import Event, Failed, Finished, YourEnding


@dataclass
class HistoryWarning(Message):
    """The history writer could not save (None: it recovered). Sent from the writer thread."""

    warning: str | None


@dataclass
class HistoryNotice(Message):
    """The history store moved a damaged file aside (one line for the user). Sent from any thread."""

    notice: str


@dataclass
class ModelStatus(Message):
    """What the model is doing ("preparing the default model", 0.4), from its worker thread. Only the latest
    matters, so a newer status may replace an older one still in the queue."""

    text: str
    fraction: float | None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ModelStatus)


@dataclass
class EndingProgress(Message):
    """One step of `ending` being written: a beat started, a piece of text, a beat written or refused. Sent from
    its writing thread. Never replaceable: every piece of text must arrive."""

    ending: YourEnding
    event: Event


@dataclass
class EndingOver(Message):
    """`ending` is written and saved (Finished), or could not be written at all (Failed)."""

    ending: YourEnding
    outcome: Finished | Failed
