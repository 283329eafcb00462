"""The storyboard frames of an imported title: a text card per scene, so no scene plays over a blank frame."""

from __future__ import annotations

from typing import Iterator

from rich.cells import cell_len

from player.engine.importing.beat_split import shorten, wrap
from player.engine.catalog.films import FRAME_COLUMNS, FRAME_ROWS
from player.engine.importing.screenplay import DraftFilm, DraftScene, tone


def frame_path(scene: DraftScene) -> str:
    """Where the scene's card goes, relative to the title folder."""
    return f"frames/{scene.id}.txt"


def card(top_left: str, top_right: str, heading: str, excerpt: str, cast: str) -> str:
    """A storyboard card: the scene's heading, its first image and who is in it, boxed to fit any frame rule."""
    inner = FRAME_COLUMNS - 4
    left = shorten(top_left, inner - cell_len(top_right) - 2)
    body = [left + " " * (inner - cell_len(left) - cell_len(top_right)) + top_right, ""]
    heading_lines = wrap(heading, inner)[:2] or ["—"]
    body += heading_lines + ["─" * max(cell_len(line) for line in heading_lines), ""]
    excerpt_lines = wrap(excerpt, inner)
    if len(excerpt_lines) > 3:
        excerpt_lines = excerpt_lines[:2] + [shorten(" ".join(excerpt_lines[2:]), inner)]
    body += excerpt_lines
    if cast:
        body += ([""] if len(body) < FRAME_ROWS - 3 else []) + [shorten(cast, inner)]
    body = (body + [""] * FRAME_ROWS)[:FRAME_ROWS - 2]
    rows = ["╭" + "─" * (FRAME_COLUMNS - 2) + "╮"]
    rows += ["│ " + line + " " * (inner - cell_len(line)) + " │" for line in body]
    rows.append("╰" + "─" * (FRAME_COLUMNS - 2) + "╯")
    return "\n".join(rows) + "\n"


def frames(draft: DraftFilm) -> Iterator[tuple[str, str]]:
    """Each scene's card, with its path in the title folder, one at a time: a long film has a thousand."""
    groups = [("", draft.main)] + [(ending.label, scenes) for ending, scenes in draft.endings]
    for label, scenes in groups:
        for number, scene in enumerate(scenes, 1):
            where = f"ENDING: {label.upper()} · {number} OF {len(scenes)}" if label else \
                f"SCENE {number} OF {len(scenes)}"
            mood = " · ".join(tone(scene.beats))
            first = next((beat for beat in scene.beats if beat.kind == "action"), scene.beats[0])
            excerpt = first.text if first.kind != "dialogue" else \
                f"{draft.characters[first.speaker or ''][0].upper()}: “{first.text}”"
            speakers = list(dict.fromkeys(draft.characters[b.speaker][0] for b in scene.beats if b.speaker))
            cast = "with " + ", ".join(speakers) if speakers else ""
            yield frame_path(scene), card(where, mood, scene.heading or scene.title, excerpt, cast)
