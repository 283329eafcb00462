"""What a film's world rules out: the things it never has (`world.never`: a car in 1884), and what a character's
state at the branch point forbids (`world.state`: Elias, whose leg is splinted, "sprints"). The plan keeps its
openers to these rules, and the judge of written beats (ranking.py) refuses a beat that breaks them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from player.engine.catalog.films import Film

_WORD = re.compile(r"[a-z]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Rules:
    never: frozenset[str] = frozenset()
    cannot: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()  # (a character's own names, what they can't do)

    @classmethod
    def of(cls, film: Film) -> "Rules":
        world = film.branch.world
        return cls(frozenset(world.never),
                   tuple((own_names(film, state.character), frozenset(state.cannot)) for state in world.state))

    def never_had(self, word: str) -> bool:
        return word in self.never or (word.endswith("s") and word[:-1] in self.never)

    def contradiction(self, text: str) -> str | None:
        """A sentence that names a character with a word their state rules out, in words for the refusal."""
        for sentence in _SENTENCE.split(text):
            names = set(re.findall(r"[A-Z][a-z]+", sentence))
            words = set(_WORD.findall(sentence.lower()))
            for own, cannot in self.cannot:
                if names & own and (ruled := sorted(words & cannot)):
                    return f"has {min(names & own)} do what the film rules out ({ruled[0]})"
        return None

    def allow(self, text: str) -> bool:
        return not any(self.never_had(word) for word in _WORD.findall(text.lower())) and not self.contradiction(text)


def own_names(film: Film, character_id: str) -> frozenset[str]:
    """The words of a character's name that no one else in the film has: Elias and Gideon and Dunmore, not Quell
    when Mara is a Quell too."""
    others = {word for key, c in film.characters.items() if key != character_id for word in c.name.split()}
    return frozenset(word for word in film.characters[character_id].name.split() if word not in others)
