"""The plan of a personalised ending: the profile decides where the ending goes, the model writes it.

A 270M base model ignores instructions such as "the viewer loves action" (it moved 12 of 20 endings, see
docs/measurements.md), but it carries on a sentence in the direction it was started (20 of 20), and it drifts when
left alone. So the plan decides what matters: which of the film's own answers to the branch question the ending
gives (an authored ending's `decision` or a branch way), what follows from it and in what order, the tone, the
tags to lean on, the characters in the spotlight and the number of beats. Every beat opens with the film's own
clause and a taste connector, or with a taste opener, from openers.toml; the model finishes each beat.
"""

from __future__ import annotations

import random
import re
import tomllib
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from player.engine.catalog.films import TAGS, YOURS, Film
from player.engine.ending.world_rules import Rules

OPENERS = tomllib.loads((Path(__file__).with_name("openers.toml")).read_text(encoding="utf-8"))
TONES = ("hopeful", "dark")
LEANS = 0.05  # a tag scored above this is one the viewer seeks
AVOIDS = -0.1  # below this, one they avoid
BEATS = 10
SEEDS = 2**32  # a plan's seed is below this (watch play --seed refuses others): the model takes a 32-bit seed


@dataclass(frozen=True)
class BeatPlan:
    kind: str  # "action" or "dialogue"
    tags: tuple[str, ...]
    opener: str  # the words the beat starts with (for dialogue, the words inside the quotes)
    speaker: str | None = None  # character id, for dialogue
    material: str = ""  # the film's own clause this beat plays out (the decision, or what follows); "" for taste
    role: str = "taste"  # "decision", "follows", "taste" or "close"


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
    way: str = ""  # the id of the authored ending or branch way whose decision it makes; "" for a film without any
    decision: str = ""  # that decision, the answer to the branch question

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


@dataclass(frozen=True)
class Decision:
    """One answer to the branch question: an authored ending's, or a branch way's."""

    id: str
    text: str
    tags: tuple[str, ...]
    follows: tuple[str, ...]


def decisions(film: Film) -> list[Decision]:
    """Every decision the film makes possible, authored endings first."""
    found = [Decision(e.id, e.decision, e.tags, e.follows) for e in film.branch.endings if e.decision]
    return found + [Decision(w.id, w.decision, w.tags, w.follows) for w in film.branch.ways]


def cast(film: Film) -> tuple[str, ...]:
    """The characters at stake: the film's world.cast, else every character."""
    return film.branch.world.cast or tuple(film.characters)


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


def next_seed(seed: int) -> int:
    """The seed of another ending after one with `seed` (the `r` key): the next, and 0 after the last."""
    return (seed + 1) % SEEDS


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
        reasons.append(f"a {tone} ending: {_ranked(tone, other, scores)}")
    liked = [tag for tag in sorted(TAGS, key=lambda t: -scores[t])
             if scores[tag] > LEANS and tag not in TONES and tag != "dialogue"]
    own = _film_tags(film) or ["suspense"]
    welcome = [tag for tag in own if scores[tag] >= AVOIDS]
    emphasis = tuple(liked[:2] or welcome[:2] or sorted(own, key=lambda t: -scores[t])[:2])
    if liked:
        reasons.append("more " + " and ".join(emphasis) + ": what you seek out most ("
                       + ", ".join(f"{tag} {scores[tag]:+.2f}" for tag in emphasis) + ")")
    elif welcome:
        reasons.append("the film's own mix of " + " and ".join(emphasis)
                       + (": your profile does not say yet what you like" if not known else ""))
    else:  # the viewer turns away from every tag of the film: lean on those they turn away from least
        reasons.append("more " + " and ".join(emphasis) + ": of this film's tags, the ones you turn away from least")
    less_at = len(reasons)  # the "less" reason follows, once the tone is final

    focus = _focus(film, profile, reasons)
    dialogue_share = 0.0 if scores["dialogue"] < AVOIDS else 0.4 if scores["dialogue"] > LEANS else 0.25
    count = _beat_count(profile, reasons)
    chosen = _decide(film, scores, tone, rng, reasons)
    if chosen is not None and tone == "bittersweet" and len(set(chosen.tags) & set(TONES)) == 1:
        tone = next(tag for tag in chosen.tags if tag in TONES)  # the profile does not lean: the decision's own tone
        reasons.append(f"a {tone} close, like the decision it makes: your profile does not lean either way")
    # A tag the ending is made of is never one it stays away from, even when the viewer turns away from it.
    made_of = ((tone,) if tone in TONES else TONES) + emphasis
    avoid = tuple(tag for tag in TAGS if scores[tag] < AVOIDS and tag not in made_of)
    if avoid:
        reasons.insert(less_at + (chosen is not None), "less " + ", ".join(avoid)
                       + ": you skip, hurry through or turn down these")
    # a film without decisions (an imported one) gets beats opened by the taste alone
    beats = _beats(film, rng, count, tone, emphasis, focus, dialogue_share, chosen)
    return Plan(film=film.id, seed=seed, tone=tone, emphasis=emphasis, avoid=avoid, focus=focus, beats=beats,
                reasons=tuple(reasons), way=chosen.id if chosen else "", decision=chosen.text if chosen else "")


def _ranked(first: str, second: str, scores: dict[str, float]) -> str:
    """Why `first` comes before `second`, in words true to the signs of their scores: a tag with a negative
    score is one the viewer turns away from, never one they lean to."""
    numbers = f"({first} {scores[first]:+.2f}, {second} {scores[second]:+.2f})"
    if scores[second] >= 0:
        return f"you like {first} scenes more than {second} ones {numbers}"
    if scores[first] > 0:
        return f"you like {first} scenes and turn away from {second} ones {numbers}"
    if scores[first] == 0:
        return f"you turn away from {second} scenes, not from {first} ones {numbers}"
    return f"you turn away from {second} scenes more than from {first} ones {numbers}"


NEAR = 0.05  # decisions whose fit is this close to the best are equally good: the seed picks among them


def _decide(film: Film, scores: dict[str, float], tone: str, rng: random.Random,
            reasons: list[str]) -> Decision | None:
    """The decision whose tags the viewer likes best, a tone that matches the plan's counting double."""
    options = decisions(film)
    if not options:
        return None

    def fit(option: Decision) -> float:
        toned = sum(scores[tag] for tag in option.tags if tag in TONES and (tone == tag or tone not in TONES))
        return (sum(scores[tag] for tag in option.tags) + toned) / len(option.tags)

    best = max(fit(option) for option in options)
    chosen = rng.choice([option for option in options if fit(option) >= best - NEAR])
    liked = [tag for tag in chosen.tags if scores[tag] > LEANS]
    if liked:
        why = "the answer closest to your taste (" + " + ".join(f"{tag} {scores[tag]:+.2f}" for tag in liked) + ")"
    elif any(scores[tag] < AVOIDS for tag in chosen.tags):
        why = "the answer whose tags you turn away from least"
    else:
        why = "the answer closest to your taste (no tag of it put you off)"
    reasons.insert(0, f"the decision: {chosen.text}, {why}")
    return chosen


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


def _tag_at(index: int, count: int, tone: str, emphasis: tuple[str, ...]) -> str:
    """Open on the viewer's taste, keep leaning on it, and close on the tone."""
    closing = [tone] if tone in TONES else list(TONES)
    if index >= count - 2:
        return closing[(index - (count - 2)) % len(closing)]
    # p: the tag the viewer likes most, s: the second, t: the tone. The last two beats close on the tone.
    pattern = "pptpstpp" if tone in TONES else "ppsppspp"
    slot = pattern[index % len(pattern)]
    return tone if slot == "t" else emphasis[1] if slot == "s" and len(emphasis) > 1 else emphasis[0]


def _roles(count: int, follows: int) -> list[str]:
    """Where the film's material goes: the decision first, what follows spread evenly between beats of taste,
    and the last beat closes."""
    middle = count - 2
    placed = min(follows, middle)
    roles = ["taste"] * middle
    for number in range(placed):
        roles[round(number * middle / placed)] = "follows"
    return ["decision"] + roles + ["close"]


def _beats(film: Film, rng: random.Random, count: int, tone: str, emphasis: tuple[str, ...],
           focus: tuple[str, ...], dialogue_share: float, chosen: Decision | None = None) -> tuple[BeatPlan, ...]:
    follows = list(chosen.follows) if chosen else []
    roles = _roles(count, len(follows)) if chosen else ["taste"] * count
    slots = roles.count("follows")
    if len(follows) > slots:  # fewer beats than material: keep the first ones and the resolution
        follows = follows[:slots - 1] + follows[-1:] if slots else []
    # a silent film has no characters: its ending is about "someone" and "someone else", and nobody speaks
    names = {cid: short_name(film, cid) for cid in film.characters} or {"": "someone", " ": "someone else"}
    material_text = " ".join([chosen.text] + follows) if chosen else ""
    # the characters at stake whom the material leaves out: the taste beats bring them in
    unseen = [cid for cid in cast(film) if not _named(material_text, names_of(film, cid))] if chosen else []
    pair = focus if len(focus) > 1 else focus * 2 if focus else ("", " ")
    # One person at stake: an opener about two ({b}) would have them kiss themselves or say their own name, so
    # those are passed over, and where a tag has only such openers (romance), any tag's may stand in.
    alone = pair[0] == pair[1]
    for_the_cast = (lambda opener: "{b}" not in opener) if alone else (lambda opener: True)
    spare_tags = emphasis + (tuple(t for t in OPENERS if t not in emphasis) if alone else ())
    beats = []
    used: set[str] = set()
    rules = Rules.of(film)  # an opener the film's world rules out ("Sparks rain down" in orbit) is never picked
    for index, role in enumerate(roles):
        tag = _tag_at(index, count, tone, emphasis)
        named = False  # this beat brings in someone at stake: its opener must name them
        material = chosen.text if role == "decision" else follows.pop(0) if role == "follows" else ""
        if material:  # the connector leans on the pair in the spotlight, not on the clause's own subject
            who, other = pair if not material.startswith(names[pair[0]] + " ") else pair[::-1]
        elif role == "taste" and unseen:
            who, other, named = unseen.pop(0), pair[0], True
        else:
            who = pair[0] if (index % 3 != 1 or role == "close") else pair[1]
            other = pair[1] if who == pair[0] else pair[0]
        fill = {"a": names[who], "b": names[other]}
        speaking = role == "taste" and 0 < index < count - 1 and rng.random() < dialogue_share and bool(focus)
        if material:
            template = _pick(OPENERS["then"][tag], used, rng, [OPENERS["then"][t] for t in spare_tags + (tone,)
                                                              if t in OPENERS["then"]],
                             lambda o: for_the_cast(o) and rules.allow(f"{material}, {o.format(**fill)}"))
            opener = f"{material.rstrip('.,;')}, {template.format(**fill)}"
        else:
            kind = "say" if speaking else "end" if index == count - 1 else "do"
            kind = kind if kind in OPENERS[tag] else "do"
            choices = [o for o in OPENERS[tag][kind] if "{a}" in o or speaking] if named else OPENERS[tag][kind]
            opener = _pick(choices or OPENERS[tag][kind], used, rng,
                           [OPENERS[t][kind] for t in spare_tags if kind in OPENERS.get(t, {})],
                           lambda o: for_the_cast(o) and rules.allow(o.format(**fill))).format(**fill)
            opener = opener[:1].upper() + opener[1:]  # "someone" opens a sentence too
        tags = tuple(dict.fromkeys((tag,) + (("dialogue",) if speaking else ())))
        beats.append(BeatPlan(kind="dialogue" if speaking else "action", tags=tags, opener=opener,
                              speaker=who if speaking else None, material=material,
                              role=role if chosen else "taste"))
    return tuple(beats)


def _pick(choices: list[str], used: set[str], rng: random.Random, spare: list[list[str]] = (),
          allowed: Callable[[str], bool] = lambda template: True) -> str:
    """An opener the film allows and not used yet in this ending, else one of the spare lists' (a neighbouring
    tag's): an opener said twice makes the model say the same thing twice."""
    fits = [o for o in choices if allowed(o)]
    fresh = ([o for o in fits if o not in used] or [o for more in spare for o in more if o not in used and allowed(o)]
             or fits or choices)
    template = rng.choice(fresh)
    used.add(template)
    return template


def _named(text: str, names: list[str]) -> bool:
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in names)


def names_of(film: Film, character_id: str) -> list[str]:
    """Every name a text may call a character by: the short name, and each capitalised word of the full name."""
    words = [word for word in film.characters[character_id].name.split() if word[:1].isupper()]
    return list(dict.fromkeys([short_name(film, character_id)] + words))


def predict(film: Film, profile: dict, yours: bool) -> str | None:
    """The option the viewer most likely wants: the one whose tags the profile likes best on average. A
    personalised ending is made of liked tags, so it wins once the profile knows something. None when the
    profile knows nothing yet, or too little to put one option clearly (by more than NEAR) ahead of the
    others: then nothing is predicted."""
    if not profile.get("known"):
        return None
    scores = {tag: profile["tags"].get(tag, {}).get("score", 0.0) for tag in TAGS}

    def liking(tags) -> float:
        return sum(scores.get(tag, 0.0) for tag in tags) / max(len(tags), 1)

    options = [(ending.id, liking(ending.tags)) for ending in film.branch.endings]
    if yours:
        options.append((YOURS, liking(make_plan(film, profile, 0).tags)))
    best = max(options, key=lambda option: option[1])
    return best[0] if all(best[1] - liked > NEAR for option, liked in options if option != best[0]) else None
