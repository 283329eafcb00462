"""The saved record of a personalised ending: one place for its fields, for the ending that saves it
(your_ending.py), for the player that continues or replays it, and for `watch endings` that lists it.

An ending is saved when it is written to its end, when the model failed part-way and it was closed on what it
had (`closed`: the reason), and when the viewer quit while it was being written: then it is partial
(`complete` false) and remembers the plan beat to write next (`next`) and the beat the viewer was at
(`watched`), so the next play of the title can offer to continue it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from player.engine.base.events import utc_now
from player.engine.base.text import counted
from player.engine.catalog.films import Beat, Film, reading_seconds
from player.engine.ending.plan import Plan


def make(film: Film, plan: Plan, *, viewer: str, profile: dict, beats: Sequence[Beat], generator: dict,
         sampler: dict, session: str, prompt: str = "", tokens: int = 0, seconds: float = 0.0,
         first_token_seconds: float | None = None, refused: Sequence[str] = (), complete: bool = True,
         next_beat: int | None = None, watched: int = 0, closed: str | None = None,
         created: str | None = None) -> dict:
    """The record of an ending, as endings_store saves it."""
    return {"title": film.id, "film": film.title, "viewer": viewer, "created": created or utc_now(),
            "label": "Your ending", "seed": plan.seed, "generator": generator, "sampler": sampler,
            "plan": plan.as_dict(), "profile": profile, "prompt": prompt,
            "beats": beats_record(list(beats)), "tokens": tokens, "seconds": round(seconds, 3),
            "first_token_seconds": first_token_seconds, "refused": list(refused), "session": session,
            "complete": complete, "next": len(plan.beats) if next_beat is None else next_beat,
            "watched": watched, "closed": closed}


def beats_record(beats: list[Beat]) -> list[dict]:
    return [{"kind": b.kind, "text": b.text, "tags": list(b.tags), "speaker": b.speaker, "duration": b.duration}
            for b in beats]


def is_partial(record: dict) -> bool:
    """Saved when the viewer quit while it was written (records from before this field are complete)."""
    return record.get("complete", True) is False


@dataclass(frozen=True)
class SavedEnding:
    """A saved ending read back: its id and its record, as make() wrote it (or an older version did)."""

    id: str
    record: dict

    @property
    def film_id(self) -> str:
        return self.record["title"]

    @property
    def beats(self) -> list[Beat]:
        return [Beat(kind=b["kind"], text=b["text"], tags=tuple(b["tags"]), speaker=b.get("speaker"),
                     duration=b.get("duration") or reading_seconds(b["text"])) for b in self.record["beats"]]

    @property
    def plan(self) -> Plan:
        return Plan.from_dict(self.record["plan"])

    @property
    def planned(self) -> int:
        """How many beats its plan has."""
        return len(self.record["plan"]["beats"])

    @property
    def profile(self) -> dict:
        """The profile it was shaped by (a continued ending keeps it)."""
        return self.record.get("profile") or {}

    @property
    def created(self) -> str | None:
        return self.record.get("created")

    @property
    def next_beat(self) -> int:
        """The plan beat to write next, when it is continued."""
        return int(self.record.get("next") or len(self.record["beats"]))

    @property
    def watched(self) -> int:
        """The beat the viewer was at when they quit (0 when they had not seen it play)."""
        return int(self.record.get("watched") or 0)


def listing_row(record: dict) -> dict:
    """One row of `watch endings --json`."""
    generator = record.get("generator") or {}
    beats = record.get("beats") or []
    return {"id": record["id"], "title": record["title"], "film": record.get("film", record["title"]),
            "created": record.get("created"), "seed": record["seed"], "model": generator.get("model"),
            "sha256": generator.get("sha256"), "backend": generator.get("backend"),
            "url": generator.get("url"),  # the server's, when a server wrote it (its describe())
            "beats": len(beats),
            "planned": len((record.get("plan") or {}).get("beats") or beats), "complete": not is_partial(record),
            "first_line": beats[0]["text"] if beats else ""}


def listing_lines(row: dict) -> list[str]:
    """The lines of `watch endings` for a row, a third naming the server that wrote it, if one did (not yet made
    printable: the caller does that)."""
    partial = f"  partial: {row['beats']} of {counted(row['planned'], 'beat')}" if not row["complete"] else ""
    server = [f"          written by the server at {row['url']}"] if row.get("url") else []
    return [f"{row['id']}  {row['created'] or '':<24} {row['film']:<22} seed {row['seed']:<11} {row['model']}"
            f"{partial}", f"          {row['first_line'][:66]}", *server]
