"""The catalog "for you": titles ordered by how well their main part suits the taste profile, each with the one
reason that weighed most, in the viewer's terms ("you rewind suspense scenes", "you skip action").

A title's fit is the sum, over its beat tags, of the tag's share of its beats times the profile's score for the
tag. The reason names the tag that moved the fit most in the direction it went, with what the viewer did: the
first line of the profile's evidence for that tag that points the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from player.engine.catalog.films import Film

BEST_FIRST = "for you: the titles that suit your taste profile best come first"
NO_HISTORY = "no viewing history yet, so nothing to go by: the titles stay in title order"
NEUTRAL = "nothing in your history on its scenes"

# What an evidence line of the profile (scoring._line) says the viewer did, as a reason: its first words, whether
# it speaks for the tag, and the reason. A line not listed here gets the reason of its score's sign.
_DEEDS = (
    ("rewound", True, "you rewind {tag} scenes"),
    ("watched", True, "you watch {tag} scenes through"),
    ("slowed down", True, "you slow down for {tag}"),
    ("paused briefly", True, "you linger on {tag}"),
    ("finished", True, "you finish {tag} films"),
    ("chose", True, "you choose {tag} endings"),
    ("opened the details", True, "you look into {tag} films"),
    ("skipped", False, "you skip {tag}"),
    ("sped up", False, "you speed through {tag}"),
    ("quit", False, "you quit during {tag}"),
    ("turned down", False, "you turn down {tag} endings"),
)
_LIKED, _AVOIDED = "you like {tag}", "you avoid {tag}"


@dataclass(frozen=True)
class Pick:
    film: Film
    fit: float  # within (-1, 1): the profile's scores weighted by the film's tag shares
    reason: str


def rank(films: Iterable[Film], profile: dict) -> list[Pick]:
    """The films, best fit first (ties by title). `profile` is a described profile (ProfileCache.current); with
    no history it is not known: the films stay in title order with no reason (say NO_HISTORY instead)."""
    films = sorted(films, key=lambda film: film.title.casefold())
    if not profile.get("known"):
        return [Pick(film, 0.0, "") for film in films]
    picks = [_pick(film, profile["tags"]) for film in films]
    return sorted(picks, key=lambda pick: -pick.fit)  # stable: equal fits stay in title order


def _pick(film: Film, tags: dict) -> Pick:
    counts = film.tag_counts()
    beats = sum(counts.values()) or 1
    parts = {tag: count / beats * tags.get(tag, {}).get("score", 0.0) for tag, count in counts.items()}
    fit = sum(parts.values())
    if not fit:
        return Pick(film, 0.0, NEUTRAL)
    tag = max(parts, key=lambda tag: parts[tag] if fit > 0 else -parts[tag])
    return Pick(film, round(fit, 4), reason(tag, fit > 0, tags[tag].get("evidence", [])))


def reason(tag: str, liked: bool, evidence: list[str]) -> str:
    """What the viewer did with the tag's scenes, from the first evidence line that points the way the fit went."""
    for line in evidence:
        deed = _deed(line)
        if deed and deed[0] == liked:
            return deed[1].format(tag=tag)
    return (_LIKED if liked else _AVOIDED).format(tag=tag)


def _deed(line: str) -> tuple[bool, str] | None:
    if line.startswith("rated"):
        up = line.endswith(" up")
        return up, "you rate {tag} endings " + ("up" if up else "down")
    for start, speaks_for, words in _DEEDS:
        if line.startswith(start):
            return speaks_for, words
    return None
