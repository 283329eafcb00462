"""Turning what the model wrote into a beat: lenient cleaning, and spotting loops and copying.

Small models repeat themselves and copy lines they have seen. A beat is refused (and written again with
another seed) when it repeats a phrase within itself, repeats an earlier beat of the ending, or copies a line
of the film.
"""

from __future__ import annotations

import re

from player.engine.base.text import folded

MAX_CHARS = 200  # fits the caption box at 80x24
MIN_NEW_WORDS = 2  # the model must add at least this much to the opener
LOOP_NGRAM = 4  # a 4-word phrase said twice in one beat is a loop
COPY_NGRAM = 6  # a 6-word phrase already in the ending or the film is a copy

_WORDS = re.compile(r"[\w']+")
_SENTENCE_END = re.compile(r"[.!?…](?=[\"')\]]?(\s|$))")
_MARKDOWN = re.compile(r"^\s*([-*#>]+\s+|\*\*|__)")
_TAGS = re.compile(r"</?[a-zA-Z][^>]{0,20}>|\*\*|__")  # stray HTML or markdown emphasis


def strip_markup(text: str) -> str:
    """Stray HTML tags and markdown emphasis a model sometimes writes."""
    return _TAGS.sub("", text)


def words(text: str) -> list[str]:
    return [word.lower() for word in _WORDS.findall(text)]


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i:i + n]) for i in range(len(found) - n + 1)}


def _trim(text: str) -> str:
    """End the beat at a sentence end, never mid-word, and keep it within MAX_CHARS."""
    text = folded(text)
    if len(text) > MAX_CHARS:
        ends = [match.end() for match in _SENTENCE_END.finditer(text[:MAX_CHARS])]
        if ends and ends[-1] >= MAX_CHARS // 2:
            return text[:ends[-1]]
        return text[:MAX_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:- ") + "…"
    if not _SENTENCE_END.search(text[-2:]):  # stopped mid-sentence (the token limit)
        ends = [match.end() for match in _SENTENCE_END.finditer(text)]
        if ends and ends[-1] >= len(text) * 0.6:
            return text[:ends[-1]]
        text = text.rstrip(",;:- ") + "."
    return text


def _balance_quotes(text: str) -> str:
    """A quote the model opened but never closed: drop the unfinished speech, or close it if it is all there is."""
    if text.count('"') % 2 == 0:
        return text
    cut = text.rfind('"')
    kept = text[:cut].rstrip(" ,:;")
    return kept if len(words(kept)) >= 4 else text + '"'


def clean(kind: str, opener: str, generated: str) -> str:
    """The beat's text from its opener and what the model added (stops are already applied). The model's
    pieces carry their own spaces, so the two are joined as they are."""
    generated = strip_markup(_MARKDOWN.sub("", generated.split("\n")[0]))
    if kind == "dialogue":
        text = (opener + generated.split('"')[0]).replace('"', "")
    else:
        text = _balance_quotes(opener + generated)
    return _trim(text.strip())


def refusal(text: str, opener: str, earlier: list[str], film_text: str) -> str | None:
    """Why a written beat is not good enough, or None if it is."""
    if len(words(text)) - len(words(opener)) < MIN_NEW_WORDS:
        return "too short"
    found = words(text)
    grams = [tuple(found[i:i + LOOP_NGRAM]) for i in range(len(found) - LOOP_NGRAM + 1)]
    stutter = any(found[i] == found[i + 1] == found[i + 2] for i in range(len(found) - 2))  # "Run! Run! Run."
    if len(grams) != len(set(grams)) or stutter:
        return "repeats itself"
    mine = ngrams(text, COPY_NGRAM) - ngrams(opener, COPY_NGRAM)  # the plan's own words are not the model's copy
    if any(mine & ngrams(before, COPY_NGRAM) for before in earlier):
        return "repeats an earlier beat"
    if mine & ngrams(film_text, COPY_NGRAM):
        return "copies the film"
    return None
