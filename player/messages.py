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
    """One step of the ending being written: a beat started, a piece of text, a beat written or refused.
    Never replaceable: every piece of text must arrive."""

    event: object


@dataclass
class EndingFailed(Message):
    """The model could not write the ending; one line for the viewer."""

    reason: str


@dataclass
class EndingDone(Message):
    """The ending is written and saved under `ending_id`. When the model failed part-way, `closing` is the beat
    it closes on and `reason` says why."""

    ending_id: str | None
    closing: object = None  # a catalog.Beat
    reason: str | None = None
