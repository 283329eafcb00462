"""Ids and display names made from screenplay text: slugs, unique ids, softened capitals, and slug lines."""

from __future__ import annotations

import re
import unicodedata

from player.engine.importing.fountain import SCENE_PREFIX

_TIME_SPLIT = re.compile(r"\s+[-–—]+\s+")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


def slug(text: str, limit: int = 40) -> str:
    """An id: lower-case ASCII letters, digits and -. Accents are dropped (Zoë -> zoe), apostrophes vanish."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", re.sub(r"['’]", "", ascii_text.lower())).strip("-")
    return words[:limit].rsplit("-", 1)[0] if len(words) > limit else words


def unique(wanted: str, taken: set[str], fallback: str) -> str:
    """`wanted` (or `fallback` when it is empty), numbered if already taken; the result is added to `taken`."""
    base = wanted or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def title_case(text: str) -> str:
    """Screenplays shout (INT. ROSA'S LAUNDRY); the catalog does not (Rosa's Laundry). Mixed case is kept."""
    if text != text.upper():
        return text[:1].upper() + text[1:]
    words = text.lower().split(" ")
    return " ".join(word if index and word in _SMALL_WORDS else "-".join(p[:1].upper() + p[1:] for p in
                    word.split("-")) for index, word in enumerate(words))


def place(heading: str) -> tuple[str, str]:
    """A slug line's scene title and place: EXT. RED MESA - COMPANY STORE - DAWN -> Company Store,
    Red Mesa, Company Store, dawn."""
    parts = [part for part in _TIME_SPLIT.split(SCENE_PREFIX.sub("", heading).strip()) if part]
    if not parts:
        return "", ""
    where = [title_case(part) for part in (parts[:-1] if len(parts) > 1 else parts)]
    when = [parts[-1].lower() if parts[-1] == parts[-1].upper() else parts[-1]] if len(parts) > 1 else []
    return where[-1], ", ".join(where + when)
