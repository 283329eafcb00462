"""The taste profile drawn for people: one Rich renderable, printed by `watch profile` and shown by the profile
screen, so the two never disagree."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from player.engine.base.text import counted, printable

BAR_CELLS = 10


def bar(score: float) -> Text:
    """A bar that grows right for liked tags and left for avoided ones, around a centre line."""
    cells = round(abs(score) * BAR_CELLS)
    left = " " * (BAR_CELLS - cells) + "█" * cells if score < 0 else " " * BAR_CELLS
    right = "█" * cells + " " * (BAR_CELLS - cells) if score > 0 else " " * BAR_CELLS
    return Text.assemble((left, "red"), ("│", "dim"), (right, "green"))


def hanging(rows: list[tuple[str, str]], label_style: str = "bold") -> Group:
    """Lines of (label, text) whose text wraps hanging under itself, never back under its label. Both are
    drawn as plain text."""
    lines = []
    for label, text in rows:
        line = Table.grid()  # one per row, so each text hangs at its own label's width
        line.add_column(no_wrap=True)
        line.add_column(ratio=1, overflow="fold")
        line.add_row(Text(printable(label, False), style=label_style), Text(printable(text, False)))
        lines.append(line)
    return Group(*lines)


def render(profile: dict, viewer: str) -> Group:
    heading = Text.assemble(("Taste profile", "bold"), f" of {printable(viewer, False)}\n",
                            (f"{counted(profile['events'], 'event')}, {counted(profile['sessions'], 'session')}"
                             "  ·  as of "
                             f"{profile['as_of']}  ·  half-life {profile['half_life_days']:g} days", "dim"))
    parts: list = [heading]
    if not profile["known"]:
        parts.append(Text(f"\n{profile['note']}. Watch a film and it will fill in.", style="italic"))
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="bold")
    table.add_column("tag")
    table.add_column("avoids · seeks", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("sure", justify="right")
    for tag, figures in profile["tags"].items():
        table.add_row(tag, bar(figures["score"]), f"{figures['score']:+.2f}", f"{figures['confidence']:.0%}")
    parts += [Text(""), table]
    pace = profile["pace"]
    patience = "unknown" if pace["patience"] is None else f"{pace['patience']:.0%} of quiet beats watched through"
    rows = [("Pace  ", f"prefers {pace['preferred_speed']:g}x  ·  skips {pace['skip_rate']:.0%} of beats  ·  "
                       f"patience: {patience}")]
    favourites = [(name, c) for name, c in profile["characters"].items() if c["score"] > 0][:3]
    avoided = [(name, c) for name, c in profile["characters"].items() if c["score"] < 0][-2:]
    if favourites or avoided:
        text = (", ".join(f"{name} (rewound {c['rewound']})" for name, c in favourites) or "no favourite yet")
        if avoided:
            text += "  ·  skips away from: " + ", ".join(name for name, _ in avoided)
        rows.append(("Characters  ", text))
    parts += [Text(""), hanging(rows)]
    if profile["evidence"]:
        why = [("  · ", line) for line in profile["evidence"][:8]]
        parts += [Text("\nWhy", style="bold"), hanging(why, label_style="")]
    return Group(*parts)
