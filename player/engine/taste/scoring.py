"""The taste profile: what a viewer's whole history says about them, across every title.

Every event becomes zero or more *signals* on the tags of the beats it concerns. Each signal has a fixed
weight (WEIGHTS, documented in docs/profile.md), and fades with a half-life on the event's wall time. A tag's
score is (for - against) / (for + against + PRIOR): it stays within (-1, 1), adding evidence against a tag can
only lower it, and adding evidence for it can only raise it. Confidence grows with the amount of evidence.

The stored aggregates are sums, so they can be updated incrementally as sessions end, and give the same result
as a full rebuild from the raw events, in any order. Weights are stored scaled to a fixed epoch, so no stored
number depends on when it was computed; the fading is applied when the profile is read, "as of" a date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable, Protocol

from player.engine.catalog.films import TAGS, YOURS, Catalog

VERSION = 2  # 2: the "details" signal; choosing Your ending is no signal
HALF_LIFE_DAYS = 90.0
EPOCH = date(2020, 1, 1)
PRIOR = 3.0  # evidence a score needs before it moves far from 0
CONFIDENCE_HALF = 10.0  # this much evidence gives a confidence of 0.5
SHORT_PAUSE_SECONDS = 30.0  # a longer pause is stepping away, not lingering
NORMAL_SPEED = (0.95, 1.05)
DETAILS_TAGS = 3  # a details event counts at most this many of the film's leading tags

# Signal weights, per beat (or per ending for choices and ratings). Explicit choices count most.
WEIGHTS = {
    "skip": -1.0,      # skipped a beat
    "watch": 0.2,      # watched a beat through at normal speed
    "rewind": 1.0,     # went back to watch a beat again
    "faster": -0.5,    # sped up while the beat was on screen
    "slower": 0.5,     # slowed down while the beat was on screen
    "linger": 0.3,     # a short pause on the beat
    "abandon": -2.0,   # quit the title in a scene, spread over the scene's tags
    "finish": 1.0,     # finished the title, spread over its tags
    "choose": 3.0,     # chose an ending with this tag at the branch point
    "decline": -1.5,   # the tags of the endings not chosen (and not shared with the chosen one)
    "rate_up": 3.0,    # rated an ending +
    "rate_down": -3.0,  # rated an ending -
    "details": 0.1,    # opened a title's details in the catalog: curiosity, much weaker than watching (once a day)
}
SIGNALS = tuple(WEIGHTS)
_INDEX = {signal: index for index, signal in enumerate(SIGNALS)}


class Names(Protocol):
    """Human names for ids in events, for evidence lines. Falls back to the ids."""

    def title(self, title: str) -> str: ...
    def scene(self, title: str, scene: str) -> str: ...
    def character(self, title: str, speaker: str) -> str: ...


class CatalogNames:
    def __init__(self, catalog: Catalog | None):
        self.films = catalog.films if catalog else {}

    def title(self, title: str) -> str:
        film = self.films.get(title)
        return film.title if film else title

    def scene(self, title: str, scene: str) -> str:
        film = self.films.get(title)
        if film:
            for candidate in film.scenes + tuple(s for e in film.branch.endings for s in e.scenes):
                if candidate.id == scene:
                    return candidate.title
        return scene

    def character(self, title: str, speaker: str) -> str:
        film = self.films.get(title)
        character = film.characters.get(speaker) if film else None
        return character.name if character else speaker


def empty() -> dict:
    """The stored form: plain JSON-ready sums."""
    return {"version": VERSION, "events": 0, "sessions": 0,
            "tags": {tag: [0.0, 0.0] for tag in TAGS},
            "records": {},  # "tag|title" -> {"c": counts per signal, "w": weights per signal, "scenes": ...}
            "characters": {},  # "title|speaker" -> [for, against, rewound, skipped]
            "pace": {"speed_sum": 0.0, "speed_weight": 0.0, "skipped": 0.0, "watched": 0.0,
                     "quiet_watched": 0.0, "quiet_avoided": 0.0}}


_DAY_FACTOR: dict[str, float] = {}


def _growth(at: str) -> float | None:
    """2 ** (days since EPOCH / half-life), by whole UTC days: weights are stored at this scale."""
    day = at[:10]
    factor = _DAY_FACTOR.get(day)
    if factor is None:
        try:
            days = (date.fromisoformat(day) - EPOCH).days
        except ValueError:
            return None
        factor = _DAY_FACTOR[day] = 2.0 ** (days / HALF_LIFE_DAYS)
    return factor


def _count(tags: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for tag in tags:
        counts[tag] = counts.get(tag, 0) + 1
    return counts


def _per_beat_signal(event: dict, kind: str) -> str | None:
    """The signal an event gives to each beat it names, if it is that kind of event."""
    if kind == "skip" or kind == "rewind":
        return kind
    if kind == "complete":
        return "watch" if NORMAL_SPEED[0] <= event.get("speed", 1.0) <= NORMAL_SPEED[1] else None
    if kind == "speed":
        change = event.get("to", 1.0) - event.get("from", 1.0)
        return None if not change else "faster" if change > 0 else "slower"
    if kind == "resume":
        return "linger" if event.get("paused", 0) < SHORT_PAUSE_SECONDS else None
    return None


def _signals(event: dict, kind: str) -> list[tuple[str, str, int, float]]:
    """(signal, tag, beats, amount) for one event: the weight is WEIGHTS[signal] * amount, and `beats` is how
    many beats (or endings) the evidence counts. Tags repeat per beat in events, so they are counted here."""
    tags = event.get("tags") or []
    per_beat = _per_beat_signal(event, kind)
    if per_beat:
        return [(per_beat, tag, count, float(count)) for tag, count in _count(tags).items()]
    if kind == "abandon":
        counts = _count(tags)
        beats = max(event.get("beats") or 0, max(counts.values(), default=0), 1)
        return [("abandon", tag, 1, count / beats) for tag, count in counts.items()]
    if kind == "finish":
        return [("finish", tag, 1, float(share)) for tag, share in (event.get("share") or {}).items()]
    # The viewer did not choose what the countdown or a fallback chose, and Your ending's tags are the ones the
    # profile itself planned: counting them would make the profile feed on itself.
    if kind == "choice" and event.get("how") not in ("timer", "fallback") and event.get("ending") != YOURS:
        chosen = set(tags)
        return [("choose", tag, 1, 1.0) for tag in chosen] + [
            ("decline", tag, 1, 1.0) for tag in set(event.get("declined") or []) - chosen]
    if kind == "rate":
        signal = "rate_up" if event.get("rating", 0) > 0 else "rate_down"
        return [(signal, tag, 1, 1.0) for tag in set(tags)]
    if kind == "details":
        return [("details", tag, 1, 1.0) for tag in list(dict.fromkeys(tags))[:DETAILS_TAGS]]
    return []


def _record() -> dict:
    return {"c": [0] * len(SIGNALS), "w": [0.0] * len(SIGNALS)}


def apply(state: dict, event: dict) -> None:
    """Add one event to the sums. Order does not matter: every update is an addition."""
    at = event.get("at")
    growth = _DAY_FACTOR.get(at[:10]) or _growth(at) if isinstance(at, str) else None
    if growth is None:
        return
    kind = event.get("kind")
    state["events"] += 1
    if kind == "start":
        state["sessions"] += 1
    signals = _signals(event, kind)
    if not signals and kind not in ("complete", "skip", "speed"):
        return
    title = str(event.get("title", ""))
    tags_state, records = state["tags"], state["records"]
    for signal, tag, beats, amount in signals:
        pair = tags_state.get(tag)
        if pair is None:
            continue  # not a tag of the vocabulary
        key = f"{tag}|{title}"
        record = records.get(key) or records.setdefault(key, _record())
        if signal == "details":  # once a day per title: opening the details again adds nothing, in any order
            days = record.setdefault("details", {})
            if at[:10] in days:
                continue
            days[at[:10]] = 1
        weight = abs(WEIGHTS[signal] * amount * growth)
        pair[0 if WEIGHTS[signal] > 0 else 1] += weight
        index = _INDEX[signal]
        record["c"][index] += beats
        record["w"][index] += weight
        if signal == "rewind" or signal == "abandon":
            scenes = record.setdefault(signal, {})
            scene = str(event.get("scene", ""))
            scenes[scene] = scenes.get(scene, 0) + 1
    if kind == "skip" or kind == "rewind":
        _apply_characters(state, event, kind, title, growth)
    _apply_pace(state, event, kind, growth)


def _apply_characters(state: dict, event: dict, kind: str, title: str, growth: float) -> None:
    for speaker in event.get("speakers") or []:
        entry = state["characters"].setdefault(f"{title}|{speaker}", [0.0, 0.0, 0, 0])
        if kind == "rewind":
            entry[0] += growth
            entry[2] += 1
        else:
            entry[1] += growth
            entry[3] += 1


def _apply_pace(state: dict, event: dict, kind: str, growth: float) -> None:
    pace = state["pace"]
    tags = event.get("tags") or []
    if kind == "complete":
        seconds = float(event.get("seconds", 0.0))
        pace["speed_sum"] += float(event.get("speed", 1.0)) * seconds * growth
        pace["speed_weight"] += seconds * growth
        pace["watched"] += float(event.get("beats", 0)) * growth
        pace["quiet_watched"] += tags.count("quiet") * growth
    elif kind == "skip":
        pace["skipped"] += float(event.get("beats", 0)) * growth
        pace["quiet_avoided"] += tags.count("quiet") * growth
    elif kind == "speed" and event.get("to", 1.0) > event.get("from", 1.0):
        pace["quiet_avoided"] += tags.count("quiet") * growth


def build(events: Iterable[dict], state: dict | None = None) -> dict:
    """Sums over raw events (added to `state` when given)."""
    state = state or empty()
    for event in events:
        apply(state, event)
    return state


def merge(states: Iterable[dict]) -> dict:
    """One profile from several (the per-title parts kept on disk). Records and characters are keyed by title,
    so parts of different titles never collide; where they could, the sums are added."""
    total = empty()
    for state in states:
        total["events"] += state["events"]
        total["sessions"] += state["sessions"]
        for tag, (for_, against) in state["tags"].items():
            total["tags"][tag][0] += for_
            total["tags"][tag][1] += against
        for key, value in state["pace"].items():
            total["pace"][key] += value
        for key, record in state["records"].items():
            mine = total["records"].setdefault(key, _record())
            mine["c"] = [a + b for a, b in zip(mine["c"], record["c"])]
            mine["w"] = [a + b for a, b in zip(mine["w"], record["w"])]
            for signal in ("rewind", "abandon"):
                for scene, count in record.get(signal, {}).items():
                    scenes = mine.setdefault(signal, {})
                    scenes[scene] = scenes.get(scene, 0) + count
            if "details" in record:
                mine.setdefault("details", {}).update(record["details"])  # days, counted once
        for key, entry in state["characters"].items():
            mine = total["characters"].setdefault(key, [0.0, 0.0, 0, 0])
            total["characters"][key] = [a + b for a, b in zip(mine, entry)]
    return total


# -- reading a profile -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TagScore:
    tag: str
    score: float
    confidence: float


def _scale(as_of: date) -> float:
    """Turns stored epoch-scaled weights into weights faded as of a day."""
    return 2.0 ** (-((as_of - EPOCH).days) / HALF_LIFE_DAYS)


def score(for_: float, against: float) -> float:
    return (for_ - against) / (for_ + against + PRIOR)


def confidence(for_: float, against: float) -> float:
    return (for_ + against) / (for_ + against + CONFIDENCE_HALF)


def tag_scores(state: dict, as_of: date | None = None) -> list[TagScore]:
    """Every tag, most liked first (ties in vocabulary order)."""
    scale = _scale(as_of or _today())
    scores = []
    for tag in TAGS:
        for_, against = (value * scale for value in state["tags"].get(tag, [0.0, 0.0]))
        scores.append(TagScore(tag, round(score(for_, against), 4), round(confidence(for_, against), 4)))
    return sorted(scores, key=lambda s: (-s.score, TAGS.index(s.tag)))


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _beats(count: int, tag: str) -> str:
    return f"{count} {tag} beat" + ("" if count == 1 else "s")


def _line(signal: str, tag: str, title: str, record: dict, names: Names) -> str:
    counts = record["c"]
    count = counts[_INDEX[signal]]
    name = names.title(title)
    if signal == "skip":
        seen = count + counts[_INDEX["watch"]]
        return f"skipped {count} of {_beats(seen, tag)} in {name}"
    if signal == "rewind":
        scene, times = max(record.get("rewind", {}).items(), key=lambda item: (item[1], item[0]), default=("", 0))
        if times >= 2:
            return f"rewound {tag} in \"{names.scene(title, scene)}\" ({name}) {_times(times)}"
        return f"rewound {_beats(count, tag)} in {name}"
    if signal == "abandon":
        scene = max(record.get("abandon", {}).items(), key=lambda item: (item[1], item[0]), default=("", 0))[0]
        return f"quit {name} during \"{names.scene(title, scene)}\" ({tag})"
    return {
        "watch": f"watched {_beats(count, tag)} through at normal speed in {name}",
        "faster": f"sped up during {_beats(count, tag)} in {name}",
        "slower": f"slowed down for {_beats(count, tag)} in {name}",
        "linger": f"paused briefly on {_beats(count, tag)} in {name}",
        "finish": f"finished {name} ({tag})",
        # an ending is named by its tag only as "an ending tagged ...": no ending is called "the dark ending"
        "choose": f"chose an ending tagged {tag} in {name}" + (f" {_times(count)}" if count > 1 else ""),
        "decline": f"turned down an ending tagged {tag} in {name}" + (f" {_times(count)}" if count > 1 else ""),
        "details": f"opened the details of {name} ({tag})" + (f" on {count} days" if count > 1 else ""),
        "rate_up": f"rated a {tag} ending of {name} up",
        "rate_down": f"rated a {tag} ending of {name} down",
    }[signal]


def evidence(state: dict, names: Names, as_of: date | None = None) -> list[dict]:
    """Every piece of evidence as a readable line, strongest first. Opening a title's details is named only for
    a tag that has no other evidence: only then does the score rest on it."""
    scale = _scale(as_of or _today())
    found = []
    for key, record in state["records"].items():
        tag, title = key.split("|", 1)
        for signal in SIGNALS:
            weight = record["w"][_INDEX[signal]] * scale
            if record["c"][_INDEX[signal]]:
                found.append({"tag": tag, "title": title, "signal": signal,
                              "weight": round(math.copysign(weight, WEIGHTS[signal]), 4),
                              "line": _line(signal, tag, title, record, names)})
    watched = {item["tag"] for item in found if item["signal"] != "details"}
    found = [item for item in found if item["signal"] != "details" or item["tag"] not in watched]
    return sorted(found, key=lambda item: (-abs(item["weight"]), item["line"]))


def describe(state: dict, names: Names | None = None, as_of: date | None = None, evidence_lines: int = 12) -> dict:
    """The profile as shown to the user: the JSON of `watch profile --json` and the profile screen."""
    names = names or CatalogNames(None)
    as_of = as_of or _today()
    scores = tag_scores(state, as_of)
    lines = evidence(state, names, as_of)
    known = state["events"] > 0 and any(s.confidence > 0 for s in scores)
    scale = _scale(as_of)
    pace = state["pace"]
    beats = pace["skipped"] + pace["watched"]
    quiet = pace["quiet_watched"] + pace["quiet_avoided"]
    characters = {}
    for key, (for_, against, rewound, skipped) in state["characters"].items():
        title, speaker = key.split("|", 1)
        characters[f"{names.character(title, speaker)} ({names.title(title)})"] = {
            "title": title, "id": speaker, "score": round(score(for_ * scale, against * scale), 4),
            "rewound": rewound, "skipped": skipped}
    characters = dict(sorted(characters.items(), key=lambda item: (-item[1]["score"], item[0])))
    return {
        "known": known,
        "note": "" if known else "not enough viewing history yet: the profile is neutral",
        "as_of": as_of.isoformat(),
        "half_life_days": HALF_LIFE_DAYS,
        "events": state["events"],
        "sessions": state["sessions"],
        "tags": {s.tag: {"score": s.score, "confidence": s.confidence,
                         "evidence": [item["line"] for item in lines if item["tag"] == s.tag][:3],
                         # the signal behind each of those lines, for reasons in the viewer's terms (for_you)
                         "signals": [item["signal"] for item in lines if item["tag"] == s.tag][:3]}
                 for s in scores},
        "pace": {
            "preferred_speed": round(pace["speed_sum"] / pace["speed_weight"], 3) if pace["speed_weight"] else 1.0,
            "skip_rate": round(pace["skipped"] / beats, 4) if beats else 0.0,
            "patience": round(pace["quiet_watched"] / quiet, 4) if quiet else None,
        },
        "characters": characters,
        "evidence": [item["line"] for item in lines[:evidence_lines]],
    }
