"""An imported film's own fields (title, year, genres, synopsis, author, credits) from the screenplay's title
page, with fallbacks from the rest of the screenplay and its file name."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from player.engine.importing.names import title_case
from player.engine.importing.screenplay import Builder
from player.engine.base.text import folded

_GENRES = {"action": "action", "romance": "romance", "suspense": "thriller", "humor": "comedy",
           "mystery": "mystery", "dark": "drama", "spectacle": "adventure"}
# The share of an ordinary screenplay's beats the lexicon gives each of those tags, measured on the real
# screenplays in tests/fixtures/screenplays (rounded, at least 0.02). The lexicon finds action words everywhere
# (anyone who runs, grabs or falls), so a film is guessed to be of a genre only when its beats carry the tag
# clearly more often than that.
BASE_RATES = {"action": 0.06, "romance": 0.02, "suspense": 0.03, "humor": 0.03, "mystery": 0.03, "dark": 0.03,
              "spectacle": 0.02}
EVIDENCE = 2.0    # how many times its base rate a tag's share must be
MIN_BEATS = 3     # and how many beats must carry it, so one line in a short film decides nothing


def guessed_genres(builder: Builder) -> list[str]:
    """At most two genres, from the tags the film's beats carry clearly more than usual; else drama."""
    beats = [beat for scene in builder.scenes for beat in scene.beats]
    counts = Counter(tag for beat in beats for tag in beat.tags)
    ratios = {tag: counts[tag] / len(beats) / rate for tag, rate in BASE_RATES.items()
              if counts[tag] >= MIN_BEATS and counts[tag] / len(beats) >= EVIDENCE * rate} if beats else {}
    ranked = sorted(ratios, key=lambda tag: -ratios[tag])
    return list(dict.fromkeys(_GENRES[tag] for tag in ranked))[:2] or ["drama"]


def film_fields(page: dict[str, str], builder: Builder, source_name: str, year: int | None) -> dict:
    def value(*keys: str) -> str:  # a title-page value on one line
        return folded(next((page[key] for key in keys if key in page), ""))

    stem = re.sub(r"[-_]+", " ", Path(source_name).stem)
    title = ": ".join(title_case(line) for line in page.get("title", "").split("\n") if line.strip()) \
        or title_case(stem.upper()) or "Untitled"
    author, credit = value("authors", "author"), value("credit")
    dates = " ".join(value(key) for key in ("year", "draft date", "date", "copyright"))
    found_year = re.search(r"\b(1[89]\d\d|2\d\d\d)\b", dates)
    genres = [g for g in re.split(r"[,;/]\s*|\s+and\s+", value("genres", "genre").lower()) if g.strip()]
    genres = genres or guessed_genres(builder)
    synopsis = value("synopsis", "logline") or "\n\n".join(builder.synopses)
    # without a date the year is unknown: 0, which the catalog shows as nothing
    return {"title": title, "year": year or (int(found_year.group()) if found_year else 0),
            "genres": [folded(g) for g in genres], "synopsis": synopsis,
            "author": f"{credit} {author}".strip() if author else credit,
            "credits": [credit for credit in (value("source"), value("copyright")) if credit]}
