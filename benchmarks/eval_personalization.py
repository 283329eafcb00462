"""Does "Your ending" follow the viewer's taste? Four synthetic viewers with opposite tastes (action against
romance, dark against hopeful) get personalised endings of every sample film, 5 seeds each, from the real
default model, and a documented scorer checks which way each ending leans.

    python benchmarks/eval_personalization.py [--seeds 5] [--films lighthouse,tallow] [--model PATH]

The scorer (docs/endings.md) is the tag lexicon of player/engine/catalog/lexicon.py: `leanings(text)` gives each tag
a 0..1 weight from the words of the ending. An ending *fits* a viewer by the sum over tags of the viewer's
profile score times the ending's lexicon weight. An ending written for viewer V counts as a success when it fits
V better than it fits V's opposite. Target: at least 80% (50% is chance). Also reported: whether the character
the viewer favours is named more than any other (the spotlight), and the same comparison between the two
endings of a pair. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from player.engine.base.locations import bundled_catalog  # noqa: E402
from player.engine.catalog import lexicon  # noqa: E402
from player.engine.catalog.films import Catalog, Film  # noqa: E402
from player.engine.ending import writer  # noqa: E402
from player.engine.ending.plan import make_plan, short_name  # noqa: E402
from player.engine.ending.prompt import story_prefix  # noqa: E402
from player.engine.llm.process import LocalBackend  # noqa: E402
from player.engine.taste import scoring  # noqa: E402

# Each viewer: (tags they rewind and seek, tags they skip). Opposites are paired.
VIEWERS = {
    "action-lover": (["action", "spectacle"], ["romance", "dialogue", "quiet"]),
    "romance-lover": (["romance", "dialogue", "quiet"], ["action", "spectacle"]),
    "dark-lover": (["dark", "suspense"], ["hopeful", "humor"]),
    "hopeful-lover": (["hopeful", "humor"], ["dark", "suspense"]),
}
OPPOSITE = {"action-lover": "romance-lover", "romance-lover": "action-lover",
            "dark-lover": "hopeful-lover", "hopeful-lover": "dark-lover"}


def viewer_profile(film: Film, name: str, favourite: str) -> dict:
    """A profile built by the real profile engine from a synthetic history: a few weeks of skipping what the
    viewer avoids, rewinding what they seek, and rewinding one character's lines in this film."""
    seeks, avoids = VIEWERS[name]
    events = []
    for day in range(1, 21):
        at = f"2026-11-{day:02d}T20:00:00.000Z"
        events += [{"kind": "rewind", "title": film.id, "tags": seeks, "at": at, "speakers": [favourite]},
                   {"kind": "skip", "title": film.id, "tags": avoids, "at": at, "beats": 1},
                   {"kind": "complete", "title": film.id, "tags": seeks * 3, "speed": 1.0, "beats": 3, "at": at,
                    "seconds": 20.0}]
    return scoring.describe(scoring.build(events), scoring.CatalogNames(None))


def fit(text: str, profile: dict) -> float:
    weights = lexicon.leanings(text)
    return sum(profile["tags"][tag]["score"] * weights.get(tag, 0.0) for tag in profile["tags"])


def spotlight(film: Film, text: str, favourite: str) -> bool:
    counts = {cid: text.count(short_name(film, cid)) for cid in film.characters}
    return counts[favourite] > 0 and counts[favourite] == max(counts.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--films", default="")
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    catalog = Catalog.load([bundled_catalog()])
    films = [catalog.films[f] for f in args.films.split(",")] if args.films else list(catalog.films.values())
    home = Path(tempfile.mkdtemp(prefix="eval-personalization-"))
    backend = LocalBackend(home, args.model, os.environ)
    started = time.perf_counter()
    backend.start()
    rows = []
    for film in films:
        backend.queue_prewarm(story_prefix(film))
        # Each viewer favours a different character: the second most prominent, so the spotlight is a choice.
        characters = list(film.characters)
        for number, name in enumerate(VIEWERS):
            favourite = characters[(number + 1) % len(characters)]
            profile = viewer_profile(film, name, favourite)
            for seed in range(1, args.seeds + 1):
                plan = make_plan(film, profile, seed)
                result = writer.write(film, plan, backend)
                text = " ".join(beat.text for beat in result.beats)
                rows.append({"film": film.id, "viewer": name, "seed": seed, "tone": plan.tone,
                             "emphasis": list(plan.emphasis), "favourite": favourite,
                             "beats": len(result.beats), "tokens": result.tokens, "text": text,
                             "lexicon": {k: round(v, 3) for k, v in lexicon.leanings(text).items() if v},
                             "fit_own": round(fit(text, profile), 4),
                             "fit_opposite": round(fit(text, viewer_profile(film, OPPOSITE[name], favourite)), 4),
                             "spotlight": spotlight(film, text, favourite)})
                print(f"{film.id} {name} seed {seed}: own {rows[-1]['fit_own']:+.3f} "
                      f"opposite {rows[-1]['fit_opposite']:+.3f}", file=sys.stderr)
    backend.close()
    by_key = {(r["film"], r["viewer"], r["seed"]): r for r in rows}
    paired = [r["fit_own"] > by_key[(r["film"], OPPOSITE[r["viewer"]], r["seed"])]["fit_opposite"]
              for r in rows]
    success = [r["fit_own"] > r["fit_opposite"] for r in rows]
    summary = {
        "endings": len(rows),
        "fits_own_viewer_better_than_opposite": round(sum(success) / len(rows), 3),
        "beats_the_opposite_viewers_ending_on_own_taste": round(sum(paired) / len(rows), 3),
        "favourite_character_in_the_spotlight": round(sum(r["spotlight"] for r in rows) / len(rows), 3),
        "by_axis": {axis: round(sum(s for s, r in zip(success, rows) if r["viewer"] in pair) /
                                sum(1 for r in rows if r["viewer"] in pair), 3)
                    for axis, pair in (("action-romance", ("action-lover", "romance-lover")),
                                       ("dark-hopeful", ("dark-lover", "hopeful-lover")))},
        "target_ge_80_percent": sum(success) / len(rows) >= 0.8,
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "model": backend.describe().get("model"),
    }
    print(json.dumps({"summary": summary, "endings": rows}, indent=2))


if __name__ == "__main__":
    main()
