"""Saved personalised endings: everything needed to know how each was made, and to play it back exactly.

Each ending is one small TinyDB document beside the viewer's history (`endings/<id>.json`), holding the seed,
what generated it (backend, model, the model file's sha256 or the server), the sampler settings, the plan, the
profile snapshot it was shaped by, the prompt, and the beats as they were written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from player.engine.catalog.films import Beat, reading_seconds
from player.engine.base.errors import WatchError
from player.engine.base.events import utc_now
from player.engine.history.store import History
from player.engine.ending.plan import Plan

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


REQUIRED = {"id": str, "title": str, "seed": int, "beats": list}  # what `watch endings` lists


def _problem(record: dict) -> str | None:
    """What makes a saved ending unusable (for the history's damage check: such a file is moved aside and the
    user told, as an invalid one is), or None. Other fields may be missing; a plan, if there, must be readable."""
    for name, kind in REQUIRED.items():
        if not isinstance(record.get(name), kind) or isinstance(record.get(name), bool):
            return f"a saved ending without a valid {name}"
    try:
        Saved(record["id"], record).beats
        if "plan" in record:
            Plan.from_dict(record["plan"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return "a saved ending whose beats or plan cannot be read"
    return None


def _read(history: History, name: str) -> dict | None:
    return history.read_state(f"{FOLDER}/{name}", _problem)


def all_endings(history: History) -> list[dict]:
    """Every usable saved ending of the viewer, oldest first (damaged ones are moved aside, with a notice)."""
    records = [_read(history, name) for name in history.state_names(FOLDER)]
    return sorted((r for r in records if r), key=lambda r: (r.get("saved", ""), r["id"]))


def find(history: History, wanted: str) -> Saved:
    """An ending by its id or a unique prefix of it."""
    matches = [name for name in history.state_names(FOLDER) if name.startswith(wanted.strip().lower())]
    if len(matches) != 1 or not wanted.strip():
        problem = "no saved ending has the id" if not matches else "more than one saved ending starts with"
        raise EndingNotFound(f"{problem} {wanted!r}; run `watch endings` to see them")
    record = _read(history, matches[0])
    if not record:
        raise EndingNotFound(f"the saved ending {matches[0]} is damaged, so it cannot be replayed")
    return Saved(matches[0], record)
