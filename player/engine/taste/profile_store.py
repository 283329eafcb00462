"""The taste profile kept with the history, in TinyDB, one small document per title.

Each title's part records how many of the title's events it has applied, so it is updated on its own and a
crash between two writes never counts an event twice. After a session only the titles with new events are
read and rewritten, so the update costs the same whatever the size of the history. The profile shown is the
merge of all parts. A full rebuild reads every event, one title per task, on all cores.

Each part also says which session its last events belong to and how many of them it holds (`tail`), so the
player can add the events of the session being watched to the profile without counting twice those a load has
already folded in.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from filelock import Timeout

from player.engine.catalog.films import Catalog
from player.engine.taste import scoring
from player.engine.history.store import History, title_file_name

PARTS = "profile"  # folder of the per-title parts, beside the history
INDEX = f"{PARTS}/applied"  # title -> events applied, a cache to skip unchanged titles without reading them
PARALLEL_FROM = 50_000  # events: below this a rebuild in this process is quicker than starting workers
log = logging.getLogger(__name__)


def _part_name(title: str) -> str:
    return f"{PARTS}/titles/{title_file_name(title)}"


def _empty_part(title: str) -> dict:
    return {**scoring.empty(), "title": title, "applied": 0, "tail": None}


def _fold(part: dict, events: list[dict]) -> None:
    """Apply the next events of the part's title, and keep count of its newest session's events."""
    scoring.build(events, part)
    part["applied"] += len(events)
    session, count = part.get("tail") or (None, 0)
    for event in events:
        session, count = (session, count + 1) if event.get("session") == session else (event.get("session"), 1)
    part["tail"] = [session, count] if events or part.get("tail") else None


def tail(part: dict) -> tuple[str, int] | None:
    """(session, events of it at the end of the part), or None."""
    value = part.get("tail")
    return (value[0], value[1]) if value else None


def _part_problem(part: dict) -> str | None:
    """What makes a stored part unusable (the history moves such a part aside, and it is built afresh)."""
    applied = part.get("applied")
    if type(applied) is not int or applied < 0:
        return "a profile part whose count of applied events is not a count"
    last = part.get("tail")
    if last is not None and not (isinstance(last, list) and len(last) == 2 and type(last[1]) is int):
        return "a profile part whose newest session is not a session and a count"
    if part.get("version") == scoring.VERSION:  # an older version is not damaged, only rebuilt
        try:
            scoring.merge([part])  # reads every sum the profile uses
        except (TypeError, ValueError, KeyError, AttributeError):
            return "a profile part that is not a profile"
    return None


def _read_part(history: History, title: str) -> dict | None:
    return history.read_state(_part_name(title), _part_problem)


def update(history: History) -> None:
    """Fold every event saved since the last update into the stored parts (only the titles that changed)."""
    try:
        with history.locked():
            _update(history, save=True)
    except Timeout:
        pass  # another watch holds the history; it will bring the profile up to date


def after_sessions(history: History) -> None:
    """Once sessions have ended (the player's, or `watch` on its way out): save what is queued and fold it in.
    Never raises OSError: a disk that fails only leaves the profile to be brought up to date next time."""
    try:
        history.flush()
        update(history)
    except OSError as error:
        log.warning("profile not updated: %s", error)


def _update(history: History, save: bool) -> dict[str, dict]:
    """Bring parts up to date; returns the parts it touched."""
    index = history.read_state(INDEX) or {}
    summaries = {s.title: s.events for s in history.summaries()}
    touched: dict[str, dict] = {}
    to_build = []
    for title, events in summaries.items():
        if index.get(title) == events:
            continue
        part = _read_part(history, title)
        if not part or part.get("version") != scoring.VERSION or part["applied"] > events:
            to_build.append(title)  # new, or the history shrank (erased or set aside): build it afresh
            continue
        _fold(part, history.events(title, limit=events - part["applied"]) if events > part["applied"] else [])
        touched[title] = part
    touched.update(_build_titles(history, to_build))
    if save:
        try:
            for title, part in touched.items():
                history.write_state(_part_name(title), part)
            for title in set(index) - set(summaries):
                history.delete_state(_part_name(title))
            history.write_state(INDEX, {title: part["applied"] for title, part in touched.items()}
                                | {t: n for t, n in index.items() if t in summaries and t not in touched})
        except OSError:
            pass  # a read-only disk: the profile is right now, only not saved for next time
    return touched


def load_parts(history: History) -> dict[str, dict]:
    """Every title's part, up to date."""
    update(history)
    parts = {title: _read_part(history, title) for title in history.titles()}
    missing = [title for title, part in parts.items() if not part]
    if missing:  # could not save (read-only disk, or another watch held the lock): compute in memory
        parts.update(_build_titles(history, missing))
    return {title: part for title, part in parts.items() if part}


def load(history: History) -> dict:
    """The whole profile, up to date: every stored part merged."""
    return scoring.merge(load_parts(history).values())


def described(history: History, catalog: Catalog | None, from_scratch: bool = False) -> dict:
    """The profile as shown (`watch profile`, the profile screen, the plan of Your ending), with the catalog's
    names in its evidence. Raises OSError when the history cannot be read."""
    state = rebuild(history) if from_scratch else load(history)
    return scoring.describe(state, scoring.CatalogNames(catalog))


def rebuild(history: History, save: bool = True) -> dict:
    """The profile from every raw event, ignoring what is stored; saved as the new parts when `save`."""
    parts = _build_titles(history, history.titles())
    if save:
        with history.locked():
            for title, part in parts.items():
                history.write_state(_part_name(title), part)
            history.write_state(INDEX, {title: part["applied"] for title, part in parts.items()})
    return scoring.merge(parts.values())


def _build_titles(history: History, titles: list[str]) -> dict[str, dict]:
    """Build parts from scratch, in worker processes when there is a lot to read."""
    sizes = {s.title: s.events for s in history.summaries()}
    work = sorted(titles, key=lambda title: -sizes.get(title, 0))
    workers = min(os.cpu_count() or 1, len(work))
    if workers < 2 or sum(sizes.get(title, 0) for title in work) < PARALLEL_FROM:
        return {title: _build_part(history, title) for title in work}
    history.flush()
    context = multiprocessing.get_context("spawn")  # never fork a process that runs threads (the UI)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # One title per task, biggest first, so the workers stay evenly busy to the end.
        results = pool.map(_build_parts, [(history.home, history.viewer, [title]) for title in work])
        return {title: part for result in results for title, part in result.items()}


def _build_part(history: History, title: str) -> dict:
    part = _empty_part(title)
    _fold(part, history.title_events(title))
    return part


_WORKER_HISTORY: dict[tuple[Path, str], History] = {}  # one opened store per worker process


def _build_parts(job: tuple[Path, str, list[str]]) -> dict[str, dict]:
    home, viewer, titles = job
    history = _WORKER_HISTORY.get((home, viewer)) or _WORKER_HISTORY.setdefault((home, viewer), History(home, viewer))
    return {title: _build_part(history, title) for title in titles}
