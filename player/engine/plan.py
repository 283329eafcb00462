"""The plan of a personalised ending: the profile decides where the ending goes, the model writes it.

A 270M base model ignores instructions such as "the viewer loves action" (HOUSE.md: moved 12 of 20 endings),
but it carries on a sentence in the direction it was started (20 of 20). So the plan picks the tone, the tags
to lean on, the characters in the spotlight and the number of beats, and opens every beat with a few words
from openers.toml; the model finishes each beat.
"""

from __future__ import annotations

import random
import tomllib
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from .catalog import TAGS, Film

OPENERS = tomllib.loads((Path(__file__).with_name("openers.toml")).read_text(encoding="utf-8"))
TONES = ("hopeful", "dark")
LEANS = 0.05  # a tag scored above this is one the viewer seeks
AVOIDS = -0.1  # below this, one they avoid
BEATS = 10
YOURS = "yours"  # the ending id of a personalised ending in events and on the branch screen


@dataclass(frozen=True)
class BeatPlan:
    kind: str  # "action" or "dialogue"
    tags: tuple[str, ...]
    opener: str  # the words the beat starts with (for dialogue, the words inside the quotes)
    speaker: str | None = None  # character id, for dialogue


@dataclass(frozen=True)
class Plan:
    film: str
    seed: int
    tone: str  # "hopeful", "dark" or "bittersweet"
    emphasis: tuple[str, ...]  # tags the ending leans on
    avoid: tuple[str, ...]  # tags it stays away from
    focus: tuple[str, ...]  # character ids in the spotlight, most first
    beats: tuple[BeatPlan, ...]
    reasons: tuple[str, ...]  # why, in plain words, for the "why this ending" panel

    @property
    def tags(self) -> tuple[str, ...]:
        """The tone of the ending as a whole, like an authored ending's tags."""
        tone = (self.tone,) if self.tone in TONES else TONES
        return tuple(dict.fromkeys(tone + self.emphasis))

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Plan":
        beats = tuple(BeatPlan(**{**beat, "tags": tuple(beat["tags"])}) for beat in data["beats"])
        return cls(**{**data, "beats": beats, "emphasis": tuple(data["emphasis"]), "avoid": tuple(data["avoid"]),
                      "focus": tuple(data["focus"]), "reasons": tuple(data["reasons"])})


def short_name(film: Film, character_id: str) -> str:
    """The name the film's own text uses most for a character: "Mara" for Mara Quell, "Dunmore" for Gideon
    Dunmore."""
    name = film.characters[character_id].name
    words = [word for word in name.split() if word[:1].isupper()] or [name]
    text = " ".join(beat.text for scene in film.scenes for beat in scene.beats)
    return max(words, key=lambda word: (text.count(word), -words.index(word)))


def _prominence(film: Film) -> list[str]:
    """Characters by how much they speak, then by the order the film lists them."""
    lines = Counter(beat.speaker for scene in film.scenes for beat in scene.beats if beat.speaker)
    order = list(film.characters)
    return sorted(order, key=lambda c: (-lines[c], order.index(c)))


def _film_tags(film: Film) -> list[str]:
    counts = Counter(tag for scene in film.scenes for beat in scene.beats for tag in beat.tags)
    return [tag for tag, _ in counts.most_common() if tag not in TONES and tag != "dialogue"]


def make_plan(film: Film, profile: dict, seed: int) -> Plan:
    """Decide the ending for a viewer's profile (the dict of profile.describe)."""
    rng = random.Random(seed)
    scores = {tag: profile["tags"].get(tag, {}).get("score", 0.0) for tag in TAGS}
    known = profile.get("known", False)
    reasons: list[str] = []

    lean = scores["hopeful"] - scores["dark"]
    tone = "hopeful" if lean > LEANS else "dark" if lean < -LEANS else "bittersweet"
    if tone != "bittersweet":
        other = "dark" if tone == "hopeful" else "hopeful"
        reasons.append(f"a {tone} ending: you lean to {tone} scenes ({scores[tone]:+.2f}) over {other} ones "
                       f"({scores[other]:+.2f})")
    avoid = tuple(tag for tag in TAGS if scores[tag] < AVOIDS)
    liked = [tag for tag in sorted(TAGS, key=lambda t: -scores[t])
             if scores[tag] > LEANS and tag not in TONES and tag != "dialogue"]
    emphasis = tuple(liked[:2]) or tuple(tag for tag in _film_tags(film) if tag not in avoid)[:2] or ("suspense",)
    if liked:
        reasons.append("more " + " and ".join(emphasis) + ": what you seek out most ("
                       + ", ".join(f"{tag} {scores[tag]:+.2f}" for tag in emphasis) + ")")
    else:
        reasons.append("the film's own mix of " + " and ".join(emphasis)
                       + (": your profile does not say yet what you like" if not known else ""))
    if avoid:
        reasons.append("less " + ", ".join(avoid) + ": you skip or hurry through these")

    focus = _focus(film, profile, reasons)
    dialogue_share = 0.1 if scores["dialogue"] < AVOIDS else 0.4 if scores["dialogue"] > LEANS else 0.25
    count = _beat_count(profile, reasons)
    beats = _beats(film, rng, count, tone, emphasis, focus, dialogue_share)
    return Plan(film=film.id, seed=seed, tone=tone, emphasis=emphasis, avoid=avoid, focus=focus, beats=beats,
                reasons=tuple(reasons))


def _focus(film: Film, profile: dict, reasons: list[str]) -> tuple[str, ...]:
    prominent = _prominence(film)
    liked = [(c["id"], c) for c in profile.get("characters", {}).values()
             if c.get("title") == film.id and c["id"] in film.characters]
    favourites = [cid for cid, c in liked if c["score"] > 0]
    avoided = {cid for cid, c in liked if c["score"] < 0}
    if favourites:
        name = film.characters[favourites[0]].name
        reasons.append(f"{name} in the spotlight: you went back to {name}'s lines "
                       f"{dict(liked)[favourites[0]]['rewound']} times")
    rest = [cid for cid in prominent if cid not in favourites and cid not in avoided] or prominent
    return tuple(dict.fromkeys(favourites + rest))[:2] if len(film.characters) > 1 else tuple(prominent[:1])


def _beat_count(profile: dict, reasons: list[str]) -> int:
    pace = profile.get("pace", {})
    if pace.get("skip_rate", 0) > 0.35 or pace.get("preferred_speed", 1.0) >= 1.5:
        reasons.append("a short ending: you skip or speed through a lot")
        return BEATS - 3
    if (pace.get("patience") or 0) > 0.8 and profile["tags"].get("quiet", {}).get("score", 0) > 0:
        reasons.append("a longer ending with room to breathe: you stay with quiet scenes")
        return BEATS + 2
    return BEATS


def _beats(film: Film, rng: random.Random, count: int, tone: str, emphasis: tuple[str, ...],
           focus: tuple[str, ...], dialogue_share: float) -> tuple[BeatPlan, ...]:
    """Open on the viewer's taste, keep leaning on it, and close on the tone."""
    closing = [tone] if tone in TONES else list(TONES)
    beats = []
    used: set[str] = set()
    # p: the tag the viewer likes most, s: the second, t: the tone. The last two beats close on the tone.
    pattern = "pptpstpp" if tone in TONES else "ppsppspp"
    for index in range(count):
        if index >= count - 2:
            tag = closing[(index - (count - 2)) % len(closing)]
        else:
            slot = pattern[index % len(pattern)]
            tag = tone if slot == "t" else emphasis[1] if slot == "s" and len(emphasis) > 1 else emphasis[0]
        speaking = 0 < index < count - 1 and rng.random() < dialogue_share
        who = focus[0] if (index % 3 != 1 or len(focus) < 2) else focus[1]
        other = next((c for c in focus if c != who), who)
        names = {"a": short_name(film, who), "b": short_name(film, other)}
        kind = "say" if speaking else "end" if index == count - 1 and "end" in OPENERS[tag] else "do"
        choices = [o for o in OPENERS[tag][kind] if o not in used] or OPENERS[tag][kind]
        template = rng.choice(choices)
        used.add(template)
        tags = tuple(dict.fromkeys((tag,) + (("dialogue",) if speaking else ())))
        beats.append(BeatPlan(kind="dialogue" if speaking else "action", tags=tags,
                              opener=template.format(**names), speaker=who if speaking else None))
    return tuple(beats)


def predict(film: Film, profile: dict, yours: bool) -> str:
    """The option the viewer most likely wants: the one whose tags the profile likes best on average. A
    personalised ending is made of liked tags, so it wins once the profile knows something; with a neutral
    profile, the first authored ending does."""
    scores = {tag: profile["tags"].get(tag, {}).get("score", 0.0) for tag in TAGS}

    def liking(tags) -> float:
        return sum(scores.get(tag, 0.0) for tag in tags) / max(len(tags), 1)

    options = [(ending.id, liking(ending.tags)) for ending in film.branch.endings]
    if yours and profile.get("known"):
        options.append((YOURS, liking(make_plan(film, profile, 0).tags)))
    return max(options, key=lambda option: option[1])[0]  # the first of equals wins
