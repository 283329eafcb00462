"""The story prompt: the film told as plain text for a base model to continue.

The prefix holds everything that does not depend on the choice (the film, its people, the story so far, the
branch question), so it can be evaluated while the film plays; at the branch point only the ending's own lines
are new (a prefix evaluated beforehand cut the first token from 0.65 s to 0.035 s: docs/measurements.md).
"""

from __future__ import annotations

from player.engine.catalog.films import Beat, Character, Film
from player.engine.ending.plan import BeatPlan, short_name
from player.engine.base.text import folded

FULL_SCENES = 3  # the last scenes are told beat by beat; the earlier ones by their titles only
ENDING_HEADING = "How it ended:"


def line(film: Film, kind: str, text: str, speaker: str | None = None, parenthetical: str | None = None) -> str:
    """One beat as a line of the story: action as prose, dialogue as `Name: "words"`."""
    if kind == "dialogue" and speaker:
        aside = f" ({parenthetical})" if parenthetical else ""
        return f'{short_name(film, speaker)}{aside}: "{text}"'
    return text


def beat_line(film: Film, beat: Beat) -> str:
    return line(film, beat.kind, beat.text, beat.speaker, beat.parenthetical)


def _person(character: Character) -> str:
    """A person as the prompt lists them. An imported description often starts with the name ("Nob, 42, white,
    male"): written as "Nob: Nob, 42, ..." it reads as a line Nob says, and the model has him say "42" again."""
    if character.description.startswith(character.name):
        return character.description
    return f"{character.name}: {character.description}"


def story_prefix(film: Film) -> str:
    """The choice-independent part of the prompt; it ends where the ending's first line begins."""
    parts = [film.title, f"A {' and '.join(film.genres)} story.", "", folded(film.synopsis), ""]
    parts += ["The people in it:"] if film.characters else []  # a silent film may have none
    now = {state.character: f" Now {state.now}." for state in film.branch.world.state}  # so the ending keeps to it
    parts += [_person(c) + now.get(key, "") for key, c in film.characters.items()]
    earlier, told = film.scenes[:-FULL_SCENES], film.scenes[-FULL_SCENES:]
    parts += ["", "The story so far:"]
    if earlier:
        parts.append("Earlier: " + "; ".join(scene.title for scene in earlier) + ".")
    for scene in told:
        parts += ["", f"{scene.title}." + (f" {scene.place}." if scene.place else "")]
        parts += [beat_line(film, beat) for beat in scene.beats]
    parts += ["", film.branch.question, "", ENDING_HEADING, "", ""]
    return "\n".join(parts)


def opening(film: Film, beat: BeatPlan) -> str:
    """How the prompt opens a planned beat, for the model to finish."""
    if beat.kind == "dialogue" and beat.speaker:
        return f'{short_name(film, beat.speaker)}: "{beat.opener}'
    return beat.opener
