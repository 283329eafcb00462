"""Synthetic viewing histories for the benchmarks: sessions of realistic events over ten years, fixed seed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from player.engine.catalog.films import TAGS

TITLES = 300  # hundreds of titles, as a loyal viewer's years would have
SPEAKERS = ["mara", "elias", "callum", "bridie", "ines", "teo", "wren", "dov"]
KINDS = ["pause", "resume", "skip", "rewind", "speed", "complete", "complete", "seek"]


def _data(kind: str, rng: random.Random) -> dict:
    if kind in ("skip", "rewind"):
        beats = rng.randint(1, 3)
        return {"tags": [rng.choice(TAGS) for _ in range(beats * 2)], "beats": beats,
                "speakers": rng.sample(SPEAKERS, rng.randint(0, 2)), "seconds": rng.uniform(1, 30)}
    if kind == "complete":
        beats = rng.randint(4, 12)
        return {"tags": [rng.choice(TAGS) for _ in range(beats * 2)], "beats": beats,
                "seconds": rng.uniform(30, 90), "speed": rng.choice([1.0, 1.0, 1.25, 2.0])}
    if kind == "speed":
        return {"from": 1.0, "to": rng.choice([0.75, 1.5, 2.0]), "tags": rng.sample(TAGS, 2)}
    if kind in ("pause", "resume"):
        return {"tags": rng.sample(TAGS, 2), "paused": rng.choice([2.0, 8.0, 300.0])}
    if kind == "choice":
        return {"tags": rng.sample(TAGS, 2), "declined": rng.sample(TAGS, 2), "how": "key"}
    if kind in ("finish", "abandon"):
        return {"share": {tag: 0.3 for tag in rng.sample(TAGS, 3)}, "tags": rng.sample(TAGS, 3), "beats": 8}
    return {}


def synthetic_events(count: int, rng: random.Random, start: datetime | None = None,
                     span: timedelta = timedelta(days=3650)) -> list[dict]:
    """Sessions of 20-120 events; popular titles are watched more (a Zipf-like spread)."""
    at = start or datetime(2016, 1, 1, tzinfo=timezone.utc)
    step = span / max(count, 1)
    weights = [1 / (rank + 1) for rank in range(TITLES)]
    events: list[dict] = []
    while len(events) < count:
        title = f"title-{rng.choices(range(TITLES), weights)[0]:03d}"
        session = f"{rng.getrandbits(48):012x}"
        length = rng.randint(20, 120)
        position = 0.0
        for index in range(min(length, count - len(events))):
            if index == 0:
                kind = "start"
            elif index == length - 1:
                kind = "end"
            elif index == length - 2:
                kind = rng.choice(["finish", "abandon", "choice"])
            else:
                kind = rng.choice(KINDS)
            position += rng.uniform(0, 15)
            events.append({"kind": kind, "viewer": "bench", "title": title, "session": session,
                           "scene": f"scene-{int(position // 60)}", "beat": rng.randint(0, 12),
                           "position": round(position, 2),
                           "at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                           **_data(kind, rng)})
            at += step
    return events
