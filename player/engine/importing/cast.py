"""An imported film's characters: one per voice in the dialogue, named and described from the author's cast
notes, or else from the sentence of the action that introduces them in capitals."""

from __future__ import annotations

import re

from player.engine.importing.beat_split import sentences
from player.engine.importing.names import title_case
from player.engine.importing.screenplay import Builder


def _introduction(cue: str, actions: list[str], others: set[str] = frozenset()) -> tuple[str, str]:
    """Find where the action first introduces a character in capitals (ROSA QUINTERO, forties, ...), and return
    the full name and that sentence, which makes the best description a screenplay has to offer.

    A surname is a shouted word straight after the cue, separated by a space only: "CHALF, NAR, and YOR" are
    three people, "GAVIN BELSON, CIO" a name and a title. Another speaker's cue is never a surname. When unsure,
    the cue is the name."""
    pattern = re.compile(rf"(?<!\w){re.escape(cue)}(?!\w)")
    for text in actions:
        for sentence in sentences(text):
            match = pattern.search(sentence)
            if match:
                words = [cue]
                rest = sentence[match.end():]
                for word in rest.split(" ")[1:3] if rest.startswith(" ") else []:  # at most two more words
                    if not _shouted(word) or word.rstrip(".,;:").strip("()") in others:
                        break
                    words.append(word)
                    if word[-1] in ",.;:":
                        break
                written = " ".join(words).rstrip(".,;:")
                name = title_case(written)
                return name, sentence.replace(written, name, 1)
    return "", ""


def _shouted(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def find_characters(builder: Builder, title: str, actions: list[str]) -> dict[str, tuple[str, str]]:
    """Character id -> (name, description), in the order of the author's cast notes, then in the order they
    first speak."""
    found = {}
    for key in [key for key in builder.character_notes if key in builder.cues] + list(builder.cues):
        if key in found:
            continue
        cue = builder.cues[key]
        _, display, description = builder.character_notes.get(key, ("", "", ""))
        others = {other for other in builder.cues.values() if other != cue}
        found_name, found_sentence = _introduction(cue, actions, others) if cue == cue.upper() else ("", "")
        name = display or found_name or title_case(cue)
        if not description:
            first = builder.first_lines.get(key, "")
            description = found_sentence or f"{name}, a character in {title}, who first says: “{first}”"
        found[key] = (name, description)
    for key, (cue, display, description) in builder.character_notes.items():
        if key not in found:  # a character who never speaks, described for the ending's writer
            found[key] = (display or title_case(cue), description or f"{display or cue}, in {title}.")
    return found
