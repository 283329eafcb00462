"""Saved personalised endings: everything needed to know how each was made, and to play it back exactly.

Each ending is one small TinyDB document beside the viewer's history (`endings/<id>.json`), holding the seed,
what generated it (backend, model, the model file's sha256 or the server), the sampler settings, the plan, the
profile snapshot it was shaped by, the prompt, and the beats as they were written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from .catalog import Beat, reading_seconds
from .errors import WatchError
from .events import utc_now
from .history import History

FOLDER = "endings"


class EndingNotFound(WatchError):
    pass


@dataclass(frozen=True)
class Saved:
    id: str
    record: dict

    @property
    def beats(self) -> list[Beat]:
        return [Beat(kind=b["kind"], text=b["text"], tags=tuple(b["tags"]), speaker=b.get("speaker"),
                     duration=b.get("duration") or reading_seconds(b["text"])) for b in self.record["beats"]]


def new_id() -> str:
    return uuid.uuid4().hex[:8]


def save(history: History, record: dict) -> str:
    """Save an ending record; returns its id."""
    ending_id = record.get("id") or new_id()
    record = {**record, "id": ending_id, "saved": record.get("saved") or utc_now()}
    history.write_state(f"{FOLDER}/{ending_id}", record)
    return ending_id


def beats_record(beats: list[Beat]) -> list[dict]:
    return [{"kind": b.kind, "text": b.text, "tags": list(b.tags), "speaker": b.speaker, "duration": b.duration}
            for b in beats]


def all_endings(history: History) -> list[dict]:
    """Every saved ending of the viewer, oldest first."""
    records = [history.read_state(f"{FOLDER}/{name}") for name in history.state_names(FOLDER)]
    return sorted((r for r in records if r), key=lambda r: (r.get("saved", ""), r["id"]))


def find(history: History, wanted: str) -> Saved:
    """An ending by its id or a unique prefix of it."""
    matches = [name for name in history.state_names(FOLDER) if name.startswith(wanted.strip().lower())]
    if len(matches) != 1 or not wanted.strip():
        problem = "no saved ending has the id" if not matches else "more than one saved ending starts with"
        raise EndingNotFound(f"{problem} {wanted!r}; run `watch endings` to see them")
    record = history.read_state(f"{FOLDER}/{matches[0]}")
    if not record:
        raise EndingNotFound(f"the saved ending {matches[0]} could not be read")
    return Saved(matches[0], record)
