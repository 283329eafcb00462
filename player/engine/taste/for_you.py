"""The catalog "for you": titles ordered by how well their main part suits the taste profile, each with the one
reason that weighed most, in the viewer's terms ("you rewind suspense scenes", "you skip action").

A title's fit is the sum, over its beat tags, of the tag's share of its beats times the profile's score for the
tag. The reason names the tag that moved the fit most in the direction it went, with what the viewer did: the
first piece of the profile's evidence for that tag (by its signal) that points the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from player.engine.catalog.films import Film
from player.engine.taste.scoring import WEIGHTS

BEST_FIRST = "for you: the titles that suit your taste profile best come first"
NO_HISTORY = "no viewing history yet, so nothing to go by: the titles stay in title order"
NEUTRAL = "nothing in your history on its scenes"

# What the viewer did, by the signal behind an evidence line, as a reason. Whether it speaks for the tag is the
# sign of the signal's weight.
_DEEDS = {
    "rewind": "you rewind {tag} scenes", "watch": "you watch {tag} scenes through", "slower": "you slow down for {tag}",
    "linger": "you linger on {tag}", "finish": "you finish {tag} films", "choose": "you choose {tag} endings",
    "details": "you look into {tag} films", "rate_up": "you rate {tag} endings up", "skip": "you skip {tag}",
    "faster": "you speed through {tag}", "abandon": "you quit during {tag}",
    "decline": "you turn down {tag} endings", "rate_down": "you rate {tag} endings down",
}
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
    return Pick(film, round(fit, 4), reason(tag, fit > 0, tags[tag].get("signals", [])))


def reason(tag: str, liked: bool, signals: list[str]) -> str:
    """What the viewer did with the tag's scenes, from the first signal of its evidence that points the way the
    fit went."""
    for signal in signals:
        if signal in _DEEDS and (WEIGHTS[signal] > 0) == liked:
            return _DEEDS[signal].format(tag=tag)
    return (_LIKED if liked else _AVOIDED).format(tag=tag)
