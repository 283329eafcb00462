"""Viewing events: what each one holds and how it is built.

An event is a flat JSON-ready dict, so it can be stored, exported and read back without this module. Events
that concern beats carry those beats' tags and speakers, so the taste profile can be built from the history
alone, even after a title leaves the catalog.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

KINDS = (
    "start",     # a session began
    "end",       # a session ended (after finish or abandon)
    "pause",     # playback paused at a position
    "resume",    # playback resumed; `paused` is how long the pause lasted
    "skip",      # the viewer jumped forward; `from`, `to`, `seconds`, skipped beats' `tags`
    "rewind",    # the viewer jumped back; `from`, `to`, `seconds`, the beats to watch again
    "seek",      # a jump to a chosen position (resume where you left off, go to a scene)
    "speed",     # playback speed changed; `from`, `to`
    "complete",  # a scene played through to its end; the `tags` of the beats watched in it
    "abandon",   # the viewer quit before the end
    "finish",    # the film, ending included, played to its end
    "choice",    # an ending was chosen at the branch point
    "rate",      # an ending was rated
    "details",   # a title's details were opened in the catalog; `tags`: the film's leading beat tags, a mild signal
)

FIELDS = ("kind", "viewer", "title", "session", "scene", "beat", "position", "at")


def utc_now() -> str:
    """UTC wall time as ISO 8601 with milliseconds and a Z."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_session_id() -> str:
    return uuid.uuid4().hex[:12]


def make_event(kind: str, *, viewer: str, title: str, session: str, scene: str, beat: int, position: float,
               at: str | None = None, **data) -> dict:
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    event = {"kind": kind, "viewer": viewer, "title": title, "session": session, "scene": scene, "beat": beat,
             "position": round(position, 2), "at": at or utc_now()}
    for key, value in data.items():
        event[key] = round(value, 2) if isinstance(value, float) else value
    return event
