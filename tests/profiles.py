"""Taste profiles for tests, in the shape taste.scoring.describe() gives: known viewers with opposite tastes, and
`profile()` to make others."""

from player.engine.catalog.films import TAGS


def profile(known=True, characters=None, pace=None, **scores) -> dict:
    return {"known": known, "tags": {tag: {"score": scores.get(tag, 0.0), "evidence": [f"evidence for {tag}"]}
                                     for tag in TAGS},
            "characters": characters or {}, "pace": pace or {}, "evidence": []}


ACTION = profile(action=0.7, spectacle=0.3, romance=-0.6, dialogue=-0.4)
ROMANCE = profile(romance=0.7, dialogue=0.4, action=-0.6)
DARK = profile(dark=0.6, suspense=0.3, hopeful=-0.5)
HOPEFUL = profile(hopeful=0.6, humor=0.3, dark=-0.5)

AT = "2026-11-27T12:00:00.000Z"


def ev(kind: str, tags=(), title="lighthouse", at=AT, **data) -> dict:
    """One event as the history holds it, with only what scoring reads."""
    return {"kind": kind, "title": title, "session": data.pop("session", "s"), "scene": "a", "beat": 0,
            "position": 0.0, "at": at, "tags": list(tags), **data}


def heavy_skipper_events(film, title: str | None = None) -> list[dict]:
    """A viewer who skipped every beat of a film, twice: every tag it has ends up negative, by how often."""
    return [ev("skip", beat.tags, title=title or film.id, beats=1) for _ in range(2)
            for scene in film.scenes for beat in scene.beats]
