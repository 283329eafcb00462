"""A one-line status made to fit its width: roomy separators first, then tight ones, then the short form of a
part, then the least important parts left out, so that nothing is ever cut in the middle or wrapped."""

from __future__ import annotations

from textual.content import Content

WIDE, TIGHT = Content("  ·  "), Content(" · ")


def fit(parts: list[tuple], width: int) -> Content:
    """`parts` in the order shown, each (importance, content) or (importance, content, shorter content); higher
    importance stays longer, and the first part always stays."""
    kept = [(part[0], part[1], part[2] if len(part) > 2 else None) for part in parts]
    while True:
        for separator in (WIDE, TIGHT):
            line = separator.join(content for _, content, _ in kept)
            if line.cell_length <= width:
                return line
        shortenable = [index for index, (_, _, short) in enumerate(kept) if short is not None]
        if shortenable:
            index = min(shortenable, key=lambda index: kept[index][0])
            kept[index] = (kept[index][0], kept[index][2], None)
        elif len(kept) > 1:
            del kept[min(range(1, len(kept)), key=lambda index: (kept[index][0], -index))]
        else:
            return line
