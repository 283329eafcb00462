"""An imported film's own fields (title, year, genres, synopsis, author, credits) from the screenplay's title
page, with fallbacks from the rest of the screenplay and its file name."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from pathlib import Path

from player.engine.catalog.lexicon import ranked
from player.engine.importing.names import title_case
from player.engine.importing.screenplay import Builder

_GENRES = {"action": "action", "romance": "romance", "suspense": "thriller", "humor": "comedy",
           "mystery": "mystery", "dark": "drama", "spectacle": "adventure"}


def film_fields(page: dict[str, str], builder: Builder, source_name: str, year: int | None) -> dict:
    def value(*keys: str) -> str:  # a title-page value on one line
        return " ".join(next((page[key] for key in keys if key in page), "").split())

    stem = re.sub(r"[-_]+", " ", Path(source_name).stem)
    title = ": ".join(title_case(line) for line in page.get("title", "").split("\n") if line.strip()) \
        or title_case(stem.upper()) or "Untitled"
    author, credit = value("authors", "author"), value("credit")
    dates = " ".join(value(key) for key in ("year", "draft date", "date", "copyright"))
    found_year = re.search(r"\b(1[89]\d\d|2\d\d\d)\b", dates)
    genres = [g for g in re.split(r"[,;/]\s*|\s+and\s+", value("genres", "genre").lower()) if g.strip()]
    if not genres:  # guessed from the tags the film's beats carry most
        counts = Counter(tag for scene in builder.scenes for beat in scene.beats for tag in beat.tags)
        genres = list(dict.fromkeys(_GENRES[tag] for tag in ranked(counts) if tag in _GENRES))[:2] or ["drama"]
    synopsis = value("synopsis", "logline") or "\n\n".join(builder.synopses)
    return {"title": title, "year": year or (int(found_year.group()) if found_year else datetime.date.today().year),
            "genres": [" ".join(g.split()) for g in genres], "synopsis": synopsis,
            "author": f"{credit} {author}".strip() if author else credit,
            "credits": [credit for credit in (value("source"), value("copyright")) if credit]}
