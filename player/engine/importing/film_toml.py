"""The text of an imported title's film.toml: the film's fields, its characters, its scenes and beats, and the
branch with its endings."""

from __future__ import annotations

import json
from collections import Counter

from player.engine.base.text import counted
from player.engine.importing.names import place
from player.engine.importing.screenplay import WORLD_NOTES, DraftEnding, DraftScene, DraftWay
from player.engine.importing.storyboard_cards import frame_path


def _string(value: str) -> str:
    """A TOML basic string. JSON's escapes are all valid TOML; TOML also wants DEL escaped."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _strings(values) -> str:
    return "[" + ", ".join(_string(value) for value in values) + "]"


def _scene_toml(scene: DraftScene, prefix: str) -> str:
    """The scene's lines, joined: a long film is held as one string per scene, not as a list of all its lines."""
    lines = ["", f"[[{prefix}]]", f"id = {_string(scene.id)}", f"title = {_string(scene.title)}"]
    where = place(scene.heading)[1]
    if where:
        lines.append(f"place = {_string(where)}")
    lines.append(f"storyboard = {_string(frame_path(scene))}")
    for beat in scene.beats:
        lines += ["", f"[[{prefix}.beats]]", f"kind = {_string(beat.kind)}"]
        if beat.speaker:
            lines.append(f"speaker = {_string(beat.speaker)}")
        if beat.parenthetical:
            lines.append(f"parenthetical = {_string(beat.parenthetical)}")
        lines += [f"text = {_string(beat.text)}", f"tags = {_strings(beat.tags)}"]
    return "\n".join(lines)


def _decision_toml(item: DraftEnding | DraftWay) -> list[str]:
    lines = [f"decision = {_string(item.decision)}"] if item.decision else []
    return lines + ([f"follows = {_strings(item.follows)}"] if item.follows else [])


def render(film: dict, characters: dict[str, tuple[str, str]], main: list[DraftScene], question: str,
           endings: list[tuple[DraftEnding, list[DraftScene]]], source_name: str,
           ways: list[DraftWay] = (), world: dict[str, tuple] | None = None) -> str:
    lines = [f"# Made by `watch import` from {source_name}. Edit the screenplay and import it again, or edit",
             "# this file by hand (docs/catalog-format.md). Durations come from reading speed.",
             f"title = {_string(film['title'])}", f"year = {film['year']}", f"genres = {_strings(film['genres'])}"]
    synopsis = film["synopsis"] or _generated_synopsis(film["title"], main, characters)
    lines.append(f"synopsis = {_string(synopsis)}")
    if film["author"]:
        lines.append(f"author = {_string(film['author'])}")
    if film["credits"]:
        lines.append(f"credits = {_strings(film['credits'])}")
    for key, (name, description) in characters.items():
        lines += ["", f"[characters.{key}]", f"name = {_string(name)}", f"description = {_string(description)}"]
    for scene in main:
        lines.append(_scene_toml(scene, "scenes"))
    lines += ["", "[branch]", f"question = {_string(question)}"]
    for ending, scenes in endings:
        lines += ["", "[[branch.endings]]", f"id = {_string(ending.id)}", f"label = {_string(ending.label)}",
                  f"summary = {_string(' '.join(ending.summary.split()))}", f"tags = {_strings(ending.tags)}"]
        lines += _decision_toml(ending)
        for scene in scenes:
            lines.append(_scene_toml(scene, "branch.endings.scenes"))
    for way in ways:
        lines += ["", "[[branch.ways]]", f"id = {_string(way.id)}", *_decision_toml(way),
                  f"summary = {_string(' '.join(way.summary.split()))}", f"tags = {_strings(way.tags)}"]
    if world:
        lines += ["", "[branch.world]"] + [f"{key} = {_strings(world[key])}" for key in WORLD_NOTES if key in world]
        for state in world.get("state", ()):  # character ids are slugs, so each one is a bare TOML key
            lines += ["", f"[branch.world.state.{state.character}]", f"now = {_string(state.now)}",
                      f"cannot = {_strings(state.cannot)}"]
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
