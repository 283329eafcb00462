"""Rows of a label and a text, the text wrapped under its own column and never under the label: the keys in help,
the speakers in the backlog.

A Static would wrap a long text back to the left edge, under the label; this widget wraps each column itself at
the width it is given, so its height is known for any width.
"""

from __future__ import annotations

from typing import Sequence

from textual.content import Content
from textual.widget import Widget

GAP = 2  # cells between the label column and the text column
MIN_TEXT = 12  # the text column never gets narrower than this; the label column gives way


class TwoColumns(Widget):
    DEFAULT_CSS = """
    TwoColumns { height: auto; }
    """

    def __init__(self, rows: Sequence[tuple[Content, Content]], label_width: int, **kwargs):
        """`rows`: (label, text) pairs, already plain Content (never markup). `label_width`: the label column,
        in cells; a longer label wraps inside it."""
        super().__init__(**kwargs)
        self.rows = list(rows)
        self.label_width = label_width

    def lines(self, width: int) -> list[Content]:
        label_width = max(min(self.label_width, width - GAP - MIN_TEXT), 1)
        text_width = max(width - label_width - GAP, 1)
        lines: list[Content] = []
        for label, text in self.rows:
            labels, texts = label.wrap(label_width), text.wrap(text_width)
            for index in range(max(len(labels), len(texts))):
                left = labels[index] if index < len(labels) else Content()
                right = texts[index] if index < len(texts) else Content()
                lines.append(Content.assemble(left.pad_right(label_width - left.cell_length), " " * GAP, right))
        return lines

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.content_region.width))

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.lines(width))
