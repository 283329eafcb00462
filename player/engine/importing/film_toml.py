"""The text of an imported title's film.toml: the film's fields, its characters, its scenes and beats, and the
branch with its endings."""

from __future__ import annotations

import json
from collections import Counter
from typing import Iterator

from player.engine.base.text import counted, folded
from player.engine.importing.names import place
from player.engine.importing.screenplay import WORLD_NOTES, DraftBeat, DraftEnding, DraftFilm, DraftScene, DraftWay
from player.engine.importing.storyboard_cards import frame_path


def _string(value: str) -> str:
    """A TOML basic string. JSON's escapes are all valid TOML; TOML also wants DEL escaped."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _strings(values) -> str:
    return "[" + ", ".join(_string(value) for value in values) + "]"


BEATS_PER_PART = 256  # a scene's beats are written this many at a time: a long scene is never held whole


def _scene_toml(scene: DraftScene, prefix: str, beats: slice = slice(None)) -> list[str]:
    lines = ["", f"[[{prefix}]]", f"id = {_string(scene.id)}", f"title = {_string(scene.title)}"]
    where = place(scene.heading)[1]
    if where:
        lines.append(f"place = {_string(where)}")
    lines.append(f"storyboard = {_string(frame_path(scene))}")
    return lines + _beats_toml(scene.beats[beats], prefix)


def _beats_toml(beats: list[DraftBeat], prefix: str) -> list[str]:
    lines = []
    for beat in beats:
        lines += ["", f"[[{prefix}.beats]]", f"kind = {_string(beat.kind)}"]
        if beat.speaker:
            lines.append(f"speaker = {_string(beat.speaker)}")
        if beat.parenthetical:
            lines.append(f"parenthetical = {_string(beat.parenthetical)}")
        lines += [f"text = {_string(beat.text)}", f"tags = {_strings(beat.tags)}"]
    return lines


def _scene_parts(scene: DraftScene) -> Iterator[str]:
    """A main scene's part of film.toml, its first beats with it, then its other beats a part at a time."""
    yield _joined(_scene_toml(scene, "scenes", slice(BEATS_PER_PART)))
    for start in _later_beats(scene):
        yield _joined(_beats_toml(scene.beats[start:start + BEATS_PER_PART], "scenes"))


def _later_beats(scene: DraftScene) -> range:
    """Where each of a main scene's parts after its first starts, in its beats."""
    return range(BEATS_PER_PART, len(scene.beats), BEATS_PER_PART)


def part_count(draft: DraftFilm) -> int:
    """How many parts `parts` yields: the fields, each main scene's parts, the branch."""
    return 2 + sum(1 + len(_later_beats(scene)) for scene in draft.main)


def _decision_toml(item: DraftEnding | DraftWay) -> list[str]:
    lines = [f"decision = {_string(item.decision)}"] if item.decision else []
    return lines + ([f"follows = {_strings(item.follows)}"] if item.follows else [])


def parts(draft: DraftFilm) -> Iterator[str]:
    """The film.toml, in parts that joined are the file: the film's fields and characters, the main scenes (a
    long one in several parts), then the branch with its endings. A long film is written a part at a time, never
    held whole. Each part after the first starts with its table header, so it parses alone (films.TitleParts
    checks each as written)."""
    film = draft.fields
    lines = [f"# Made by `watch import` from {draft.source_name}. Edit the screenplay and import it again, or edit",
             "# this file by hand (docs/catalog-format.md). Durations come from reading speed.",
             f"title = {_string(film['title'])}", f"year = {film['year']}", f"genres = {_strings(film['genres'])}"]
    synopsis = film["synopsis"] or _generated_synopsis(film["title"], draft.main, draft.characters)
    lines.append(f"synopsis = {_string(synopsis)}")
    if film["author"]:
        lines.append(f"author = {_string(film['author'])}")
    if film["credits"]:
        lines.append(f"credits = {_strings(film['credits'])}")
    for key, (name, description) in draft.characters.items():
        lines += ["", f"[characters.{key}]", f"name = {_string(name)}", f"description = {_string(description)}"]
    yield _joined(lines)
    for scene in draft.main:
        yield from _scene_parts(scene)
    lines = ["", "[branch]", f"question = {_string(draft.question)}"]
    for ending, scenes in draft.endings:
        lines += ["", "[[branch.endings]]", f"id = {_string(ending.id)}", f"label = {_string(ending.label)}",
                  f"summary = {_string(folded(ending.summary))}", f"tags = {_strings(ending.tags)}"]
        lines += _decision_toml(ending)
        for scene in scenes:
            lines += _scene_toml(scene, "branch.endings.scenes")
    for way in draft.ways:
        lines += ["", "[[branch.ways]]", f"id = {_string(way.id)}", *_decision_toml(way),
                  f"summary = {_string(folded(way.summary))}", f"tags = {_strings(way.tags)}"]
    world = draft.world
    if world:
        lines += ["", "[branch.world]"] + [f"{key} = {_strings(world[key])}" for key in WORLD_NOTES if key in world]
        for state in world.get("state", ()):  # character ids are slugs, so each one is a bare TOML key
            lines += ["", f"[branch.world.state.{state.character}]", f"now = {_string(state.now)}",
                      f"cannot = {_strings(state.cannot)}"]
    yield _joined(lines)


def _joined(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


SYNOPSIS_CAST = 3  # the generated synopsis names the characters with the most lines, this many at most


def _generated_synopsis(title: str, main: list[DraftScene], characters: dict[str, tuple[str, str]]) -> str:
    lines = Counter(beat.speaker for scene in main for beat in scene.beats if beat.speaker)
    order = list(characters)
    names = [characters[key][0] for key in sorted(order, key=lambda key: (-lines[key], order.index(key)))]
    shown = names[:SYNOPSIS_CAST] + (["others"] if len(names) > SYNOPSIS_CAST else [])
    cast = f" with {', '.join(shown[:-1])} and {shown[-1]}" if len(shown) > 1 else f" with {shown[0]}" if shown else ""
    opening = next((beat.text for beat in main[0].beats if beat.kind == "action"), "")
    return f"{title}, imported from a screenplay: {counted(len(main), 'scene')}{cast}. {opening}".strip()
