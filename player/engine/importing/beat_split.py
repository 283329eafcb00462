"""Prose cut to fit the screen: sentences, beats short enough for the caption box, and lines wrapped to a width.

Widths are terminal cells, not characters, so a wide (CJK) character counts twice.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

BEAT_CELLS = 200     # the most a beat may hold: what fits the caption box of an 80x24 terminal
PACK_CELLS = 150     # short sentences are packed together into one beat up to this size
_SENTENCE_GAP = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"'”’)\]])\s+|(?<=[。！？])\s*")  # CJK needs no space
_CJK_STOP = ("。", "！", "？")
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Mt|Capt|Col|Gen|Lt|Sgt|Prof|No|vs|etc)\.$", re.I)
_ELLIPSIS = "…"


def _clip(text: str, cells: int) -> str:
    """The longest start of `text` that fits in `cells`."""
    while cell_len(text) > cells:
        text = text[:-1]
    return text


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
    for piece in _SENTENCE_GAP.split(" ".join(text.split())):
        if pieces and _ABBREVIATION.search(pieces[-1]):
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


def _fit(sentence: str) -> list[str]:
    """Break a sentence too long for one beat at its last clause mark (; : — ,) that fits, else at a space."""
    pieces = []
    while cell_len(sentence) > BEAT_CELLS:
        head = _clip(sentence[:BEAT_CELLS], BEAT_CELLS)
        cut = max((head.rfind(mark) + len(mark) for mark in ("; ", ": ", " — ", " – ", ", ")), default=-1)
        if cut < BEAT_CELLS // 3:
            cut = head.rfind(" ") + 1 if " " in head else len(head)
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return pieces + [sentence] if sentence else pieces
