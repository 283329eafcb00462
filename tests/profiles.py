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
