"""Prose cut to fit the screen: sentences, beats short enough for the caption box, and lines wrapped to a width.

Widths are terminal cells, not characters, so a wide (CJK) character counts twice.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

from player.engine.base.text import folded

BEAT_CELLS = 200     # the most a beat may hold: what fits the caption box of an 80x24 terminal
PACK_CELLS = 150     # short sentences are packed together into one beat up to this size
_SENTENCE_GAP = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"'”’)\]])\s+|(?<=[。！？])\s*")  # CJK needs no space
_CJK_STOP = ("。", "！", "？")
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Mt|Capt|Col|Gen|Lt|Sgt|Prof|No|vs|etc)\.$", re.I)
_ELLIPSIS = "…"


def _clip(text: str, cells: int) -> str:
    """The longest start of `text` that fits in `cells` (found by halving: a start's width only grows with it)."""
    if cell_len(text) <= cells:
        return text
    fits, too_wide = 0, len(text)
    while too_wide - fits > 1:
        middle = (fits + too_wide) // 2
        if cell_len(text[:middle]) <= cells:
            fits = middle
        else:
            too_wide = middle
    return text[:fits]


def shorten(text: str, cells: int) -> str:
    """The text, or as much of it as fits in `cells` with an ellipsis after it."""
    if cell_len(text) <= cells:
        return text
    return _clip(text, cells - cell_len(_ELLIPSIS)).rstrip() + _ELLIPSIS


def wrap(text: str, cells: int) -> list[str]:
    """Word-wrap by terminal cells, so wide characters count twice."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while cell_len(word) > cells:  # a word wider than the line is cut
            head = shorten(word, cells)[:-1]
            lines += [current] if current else []
            lines.append(head)
            current, word = "", word[len(head):]
        joined = f"{current} {word}" if current else word
        if cell_len(joined) <= cells:
            current = joined
        else:
            lines.append(current)
            current = word
    return lines + [current] if current else lines


def sentences(text: str) -> list[str]:
    """The text's sentences, its white space folded."""
    pieces: list[str] = []
    for piece in _SENTENCE_GAP.split(folded(text)):
        if pieces and _ABBREVIATION.search(pieces[-1][-8:]):  # the tail is enough: "Capt." is the longest
            pieces[-1] += " " + piece  # "Mr. Crane" is one sentence
        elif piece:
            pieces.append(piece)
    return pieces


def split_beats(text: str) -> list[str]:
    """Split prose into readable beats: whole sentences, packed up to PACK_CELLS, none over BEAT_CELLS."""
    beats: list[str] = []
    for sentence in sentences(text):
        for piece in _fit(sentence):
            space = "" if beats and beats[-1].endswith(_CJK_STOP) else " "
            if beats and cell_len(beats[-1]) + len(space) + cell_len(piece) <= PACK_CELLS:
                beats[-1] += space + piece
            else:
                beats.append(piece)
    return beats


def _wider_than_a_beat(text: str, start: int) -> bool:
    """Whether text[start:] is wider than BEAT_CELLS, measuring only its first few hundred characters when they
    settle it, so that cutting a long sentence is linear in its length."""
    window = text[start:start + 4 * BEAT_CELLS]
    if cell_len(window) > BEAT_CELLS:
        return True
    return len(text) - start > len(window) and cell_len(text[start:]) > BEAT_CELLS  # zero-width characters


def _fit(sentence: str) -> list[str]:
    """Break a sentence too long for one beat at its last clause mark (; : — ,) that fits, else at a space.

    It walks an index along the sentence rather than slicing off what is left at each cut."""
    pieces = []
    start = 0
    while _wider_than_a_beat(sentence, start):
        head = _clip(sentence[start:start + BEAT_CELLS], BEAT_CELLS)
        cut = max((head.rfind(mark) + len(mark) for mark in ("; ", ": ", " — ", " – ", ", ")), default=-1)
        if cut < BEAT_CELLS // 3:
            cut = head.rfind(" ") + 1 if " " in head else len(head)
        pieces.append(sentence[start:start + cut].strip())
        start += cut
        while start < len(sentence) and sentence[start].isspace():
            start += 1
    rest = sentence[start:].rstrip() if start else sentence
    return pieces + [rest] if rest else pieces
