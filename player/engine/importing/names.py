"""Ids and display names made from screenplay text: slugs, unique ids, softened capitals, and slug lines."""

from __future__ import annotations

import re
import unicodedata

from player.engine.importing.fountain import SCENE_PREFIX

_TIME_SPLIT = re.compile(r"\s+[-–—]+\s+|\s*(?:-{2,}|[–—])\s*")  # LIBRARY - DAY, LIBRARY--DAY, LIBRARY—DAY
# The words of time a slug line ends with: its time of day, and continuity (CONTINUOUS, LATER, SAME).
_TIME = re.compile(r"^\(?(?:(?:EARLY|LATE|LATER|NEXT|SAME|THAT|THE)\s+)*(?:DAY|NIGHT|MORNING|AFTERNOON|EVENING|DAWN|"
                   r"DUSK|SUNSET|SUNRISE|NOON|MIDDAY|MIDNIGHT|TWILIGHT|DAYBREAK|NIGHTFALL|MAGIC HOUR|CONTINUOUS|"
                   r"LATER|MOMENTS LATER|MINUTES LATER|SECONDS LATER|SAME|SAME TIME|MOVING|FLASHBACK|PRESENT|"
                   r"PRESENT DAY|DAY\s*\d+|NIGHT\s*\d+)\)?$", re.I)
# Shouted words that stay in capitals when softened: letters with dots (P.A., V.O.), known acronyms, and short
# words without a vowel (TV, NYPD, KSRTC), but not the honorifics that look like them (Mr, Dr).
_DOTTED = re.compile(r"^(?:\w\.)+\w?$")
_ACRONYMS = {"POV", "CIO", "CEO", "CFO", "CTO", "COO", "FBI", "CIA", "NSA", "UFO", "ICU", "ATM", "EMT", "IRS",
             "NASA", "NATO", "USA", "UN", "EU", "AI", "ID", "OK", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI",
             "XII"}
_HONORIFICS = {"MR", "MRS", "MS", "DR", "ST", "JR", "SR", "MT", "SGT", "LT", "PVT", "CPL"}
_VOWEL = re.compile(r"[AEIOUY]")
_FIRST_LETTER = re.compile(r"^(\W*)(\w)")  # after opening quotes or brackets
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


def slug(text: str, limit: int = 40) -> str:
    """An id: lower-case ASCII letters, digits and -. Accents are dropped (Zoë -> zoe), apostrophes vanish."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", re.sub(r"['’]", "", ascii_text.lower())).strip("-")
    return words[:limit].rsplit("-", 1)[0] if len(words) > limit else words


class UniqueIds:
    """The ids handed out so far. Each new one is the name wanted, numbered if taken (kitchen, kitchen-2, ...).

    It keeps the next number to try for each name: the numbers below it are all taken already, so the
    thousandth scene in the kitchen is numbered at once, not after trying the 999 before it."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self._next: dict[str, int] = {}

    def new(self, wanted: str, fallback: str) -> str:
        """`wanted` (or `fallback` when it is empty), numbered if already taken; the result is taken."""
        base = wanted or fallback
        candidate, number = base, self._next.get(base, 2)
        if candidate in self.taken:
            candidate = f"{base}-{number}"
            while candidate in self.taken:  # a name that was written with a number ("kitchen-2")
                number += 1
                candidate = f"{base}-{number}"
            self._next[base] = number + 1
        self.taken.add(candidate)
        return candidate


def title_case(text: str) -> str:
    """Screenplays shout (INT. ROSA'S LAUNDRY); the catalog does not (Rosa's Laundry). Mixed case is kept, and so
    are the capitals of abbreviations (P.A. System, Sniper Scope POV)."""
    if text != text.upper():
        return text[:1].upper() + text[1:]
    words = text.split(" ")
    return " ".join(word.lower() if index and word.lower() in _SMALL_WORDS else "-".join(_soften(part) for part in
                    word.split("-")) for index, word in enumerate(words))


def _soften(word: str) -> str:
    """One shouted word in title case, unless it is an abbreviation (its possessive 's softened all the same)."""
    stem, possessive = re.match(r"^(.*?)((?:['’]S)?)$", word).groups()
    letters = re.sub(r"[^\w.]", "", stem)
    if _DOTTED.match(letters) or letters in _ACRONYMS or (
            len(letters) <= 6 and letters.isalpha() and letters.isascii() and not _VOWEL.search(letters)
            and letters not in _HONORIFICS):
        return stem + possessive.lower()
    return _FIRST_LETTER.sub(lambda m: m.group(1) + m.group(2).upper(), word.lower(), count=1)  # "YARGO -> "Yargo


def place(heading: str) -> tuple[str, str]:
    """A slug line's scene title and place: EXT. RED MESA - COMPANY STORE - DAWN -> Company Store,
    Red Mesa, Company Store, dawn. The times at its end are the "when", wherever the time of day sits among them
    (INT. FORD - MORNING - CONTINUOUS); without a word of time, the last part is."""
    parts = [part.strip() for part in _TIME_SPLIT.split(SCENE_PREFIX.sub("", heading).strip()) if part.strip()]
    if not parts:
        return "", ""
    first_time = len(parts)  # where the words of time at the end begin; the first part is always a place
    while first_time > 1 and _TIME.match(parts[first_time - 1]):
        first_time -= 1
    if first_time == len(parts) and len(parts) > 1:
        first_time -= 1
    where = [title_case(part) for part in parts[:first_time]]
    when = [part.lower() if part == part.upper() else part for part in parts[first_time:]]
    return where[-1], ", ".join(where + when)
