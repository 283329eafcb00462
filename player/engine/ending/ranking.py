"""Judging a written beat against the film: refuse what breaks it, rank what is left.

Refused (beat_text.refusal): too short, a loop, a repeat of an earlier beat, a copy of the film; and here, what
the film does not have: a capitalised word (a name, a place) that the film's text never uses, a relative the
film never mentions (a brother) or never gives that person ("Dunmore's father"), a thing from
`world.never` (a car in 1884), or a sentence that has a character do what their `world.state` rules out (Elias,
whose leg is splinted, "sprints").
Ranked: the model's own mean token log-probability when the backend gives it (fluency), plus how strongly the
beat's words lean to the beat's tag and away from the tags the viewer avoids (lexicon.leanings), plus a little
for a sentence the model ended itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from player.engine.ending import beat_text
from player.engine.llm.backend import Generated
from player.engine.catalog.films import Film
from player.engine.catalog.lexicon import leanings
from player.engine.ending.plan import BeatPlan
from player.engine.ending.prompt import beat_line
from player.engine.ending.world_rules import Rules

KIN = frozenset("""mother mom mum father dad brother sister son daughter wife husband uncle aunt cousin nephew
niece grandmother grandfather grandma grandpa fiance fiancee girlfriend boyfriend""".split())
TASTE_WEIGHT = 2.0  # a beat full of its tag's words (1.0) outweighs a fluency gap of 2 nats per token
ENDED_BONUS = 0.3
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:'[a-z]+)?\b")
_WORD = re.compile(r"[a-z]+")
_KIN_PHRASE = re.compile(rf"\b(?:her|his|their|my|your|our|[a-z]+'s) (?:{'|'.join(sorted(KIN))})s?\b")


@dataclass(frozen=True)
class World:
    """The words a film's text uses (lower case), and what its world rules out."""

    words: frozenset[str]
    rules: Rules  # what the film's world rules out
    story: str  # the main scenes as the prompt tells them: a beat may not copy them
    said: str  # all of the film's words, lower case, one space apart: for phrases such as "her father"

    @classmethod
    def of(cls, film: Film) -> "World":
        branch, world = film.branch, film.branch.world
        texts = [film.title, film.synopsis, branch.question, *world.props, *world.places]
        texts += [f"{c.name} {c.description}" for c in film.characters.values()]
        texts += [beat.text for scene in film.scenes for beat in scene.beats]
        for ending in branch.endings:
            texts += [ending.label, ending.summary, ending.decision, *ending.follows]
            texts += [beat.text for scene in ending.scenes for beat in scene.beats]
        texts += [text for way in branch.ways for text in (way.decision, way.summary, *way.follows)]
        story = "\n".join(beat_line(film, beat) for scene in film.scenes for beat in scene.beats)
        found = re.findall(r"[a-z]+(?:'[a-z]+)?", " ".join(texts).lower().replace("’", "'"))
        return cls(words=frozenset(_WORD.findall(" ".join(found))), rules=Rules.of(film), story=story,
                   said=f" {' '.join(found)} ")

    def knows(self, word: str) -> bool:
        word = word.lower().split("'")[0]  # Dunmore's, We'll
        return word in self.words or any(word.endswith(s) and word[:-len(s)] in self.words
                                         for s in ("s", "es", "ed", "ing"))


def stranger(text: str, opener: str, world: World) -> str | None:
    """What the model added that the film does not have, in words for the refusal, or None."""
    added = text[len(opener):] if text.startswith(opener) else text
    for name in _CAPITALISED.findall(added):
        if not world.knows(name):
            return f"names someone or somewhere the film does not have ({name})"
    found = _WORD.findall(added.lower())
    for word in found:
        if world.rules.never_had(word):
            return f"has something this film's world does not ({word})"
        if word.removesuffix("s") in KIN and not world.knows(word):
            return f"brings in a person the film does not have (a {word.removesuffix('s')})"
    for phrase in _KIN_PHRASE.findall(added.lower().replace("’", "'")):
        if f" {phrase} " not in world.said:
            return f"brings in a person the film does not have ({phrase})"
    return world.rules.contradiction(text)


def refusal(text: str, opener: str, earlier: list[str], world: World) -> str | None:
    """Why a written beat is not good enough, or None if it is."""
    return beat_text.refusal(text, opener, earlier, world.story) or stranger(text, opener, world)


def fluency(generated: Generated | None) -> float:
    """The model's mean log-probability per token of what it wrote (0 is certain); 0 when the backend does not
    say, so that candidates are then ranked by the rest alone."""
    logprobs = getattr(generated, "logprobs", None) if generated is not None else None
    return sum(logprobs) / len(logprobs) if logprobs else 0.0


def score(text: str, planned: BeatPlan, generated: Generated | None, avoid: Sequence[str] = ()) -> float:
    """Higher is better: fluent, on the beat's tag and away from the tags the viewer avoids, and a sentence the
    model ended itself. (A line of dialogue is dialogue whatever the viewer thinks of it.)"""
    weights = leanings(text)
    taste = weights.get(planned.tags[0], 0.0) if planned.tags else 0.0
    shunned = [weights.get(tag, 0.0) for tag in avoid if not (tag == "dialogue" and planned.kind == "dialogue")]
    taste -= max(shunned, default=0.0) / 2
    ended = generated is not None and generated.stopped_by == "stop"
    return fluency(generated) + TASTE_WEIGHT * taste + (ENDED_BONUS if ended else 0.0)
