"""Saved personalised endings: everything needed to know how each was made, and to play it back exactly.

Each ending is one small TinyDB document beside the viewer's history (`endings/<id>.json`), holding the seed,
what generated it (backend, model, the model file's sha256 or the server), the sampler settings, the plan, the
profile snapshot it was shaped by, the prompt, and the beats as they were written.
"""

from __future__ import annotations

import uuid

from player.engine.base.errors import WatchError
from player.engine.base.events import utc_now
from player.engine.ending.ending_record import SavedEnding, is_partial
from player.engine.ending.plan import Plan
from player.engine.history.store import History

FOLDER = "endings"


class EndingNotFound(WatchError):
    pass


def new_id() -> str:
    return uuid.uuid4().hex[:8]


def save(history: History, record: dict) -> str:
    """Save an ending record; returns its id."""
    ending_id = record.get("id") or new_id()
    record = {**record, "id": ending_id, "saved": record.get("saved") or utc_now()}
    history.write_state(f"{FOLDER}/{ending_id}", record)
    return ending_id


REQUIRED = {"id": str, "title": str, "seed": int, "beats": list}  # what `watch endings` lists


def _problem(record: dict) -> str | None:
    """What makes a saved ending unusable (for the history's damage check: such a file is moved aside and the
    user told, as an invalid one is), or None. Other fields may be missing; a plan, if there, must be readable."""
    for name, kind in REQUIRED.items():
        if not isinstance(record.get(name), kind) or isinstance(record.get(name), bool):
            return f"a saved ending without a valid {name}"
    try:
        SavedEnding(record["id"], record).beats
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


def find(history: History, wanted: str) -> SavedEnding:
    """An ending by its id or a unique prefix of it."""
    matches = [name for name in history.state_names(FOLDER) if name.startswith(wanted.strip().lower())]
    if len(matches) != 1 or not wanted.strip():
        problem = "no saved ending has the id" if not matches else "more than one saved ending starts with"
        raise EndingNotFound(f"{problem} {wanted!r}; run `watch endings` to see them")
    record = _read(history, matches[0])
    if not record:
        raise EndingNotFound(f"the saved ending {matches[0]} is damaged, so it cannot be replayed")
    return SavedEnding(matches[0], record)


def to_continue(history: History, film_id: str) -> SavedEnding | None:
    """The partial ending the viewer left in their last session of this title, if that is how it ended."""
    session = history.last_session(film_id)
    if not session:
        return None
    last = session[-1].get("session")
    for record in reversed(all_endings(history)):
        if record.get("title") == film_id and record.get("session") == last and is_partial(record) \
                and record.get("beats"):
            return SavedEnding(record["id"], record)
    return None
