"""The viewing history of one viewer: a TinyDB store that stays fast for years and never loses an event.

Design (docs/history.md has the long version):

- `log()` only appends to an in-memory queue, so its cost never depends on how much history exists. A writer
  thread saves the queue within a fraction of a second.
- TinyDB rewrites a whole file on every write, so events are split into small TinyDB files ("segments") of at
  most SEGMENT_SIZE events, one series per title: a write touches one small file whatever the history size.
- `index.json` (also TinyDB) lists every segment with its counts and time range, so opening the store and
  answering "how many events" or "the newest N" never reads the whole history. It is a cache: segments are the
  truth, and a stale or missing index entry is rebuilt from the segment file.
- Every file is replaced atomically (write a temporary file, fsync, rename), so a crash leaves the old or the new
  file, never half of one. A file lock serialises writers across processes.
- A file that is not valid JSON is moved aside to `<name>.corrupt-<timestamp>`, never overwritten.
- When a write fails (disk full, read-only), the events stay queued and the writer retries with a back-off.
"""

from __future__ import annotations

import heapq
import json
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import quote, unquote

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage

from .locations import check_viewer, viewer_dir, viewers_dir

SEGMENT_SIZE = 1000
FLUSH_DELAY = 0.1  # the writer waits this long after an event so that bursts are written together
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0)
LOCK_TIMEOUT = 10.0


class CorruptFile(Exception):
    def __init__(self, path: Path, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


class AtomicJSONStorage(Storage):
    """TinyDB's JSON storage, but a write replaces the file atomically and a bad file is reported, not emptied."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def read(self):
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise CorruptFile(self.path, f"not valid JSON ({error.__class__.__name__})") from None
        if not isinstance(data, dict):
            raise CorruptFile(self.path, "not a TinyDB file")
        return data

    def write(self, data) -> None:
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())

    def close(self) -> None:
        pass


def atomic_write(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _table(path: Path, name: str = "_default"):
    """A fresh TinyDB handle: TinyDB caches the next document id, which another process may have used."""
    return TinyDB(path, storage=AtomicJSONStorage).table(name, cache_size=0)


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def _folder_name(title: str) -> str:
    name = quote(title, safe="-_")
    return name.replace(".", "%2E") if set(name) == {"."} else name


@dataclass
class Segment:
    """What the index knows about one segment file."""

    title: str
    seq: int
    count: int = 0
    starts: int = 0  # session starts in this segment, so session counts need no scan
    first_at: str = ""
    last_at: str = ""
    size: int = -1
    mtime_ns: int = -1

    @property
    def key(self) -> tuple[str, int]:
        return (self.title, self.seq)


class History:
    def __init__(self, home: Path, viewer: str, *, on_warning: Callable[[str | None], None] | None = None,
                 flush_delay: float = FLUSH_DELAY):
        self.viewer = check_viewer(viewer)
        self.dir = viewer_dir(home, viewer)
        self.events_dir = self.dir / "events"
        self.index_path = self.dir / "index.json"
        self.on_warning = on_warning
        self.flush_delay = flush_delay
        self.notices: list[str] = []  # one line each, for the user: files moved aside and why
        self.warning: str | None = None
        self._pending: deque[dict] = deque()
        self._io = threading.RLock()
        self._lock = FileLock(str(self.dir.parent / f".{self.viewer}.lock"), timeout=LOCK_TIMEOUT)
        self._wake = threading.Event()
        self._stop = False
        self._writer: threading.Thread | None = None
        self._segments: dict[tuple[str, int], Segment] = {}
        self._opened = False

    # -- logging ------------------------------------------------------------------------------------------
    def log(self, event: dict) -> None:
        """Queue an event. Constant time: the writer thread saves it within a fraction of a second."""
        self._pending.append(event)
        if self._writer is None:
            self._start_writer()
        self._wake.set()

    def _start_writer(self) -> None:
        with self._io:
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="history-writer", daemon=True)
                self._writer.start()

    def _write_loop(self) -> None:
        failures = 0
        while True:
            delay = None if failures == 0 else RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]
            self._wake.wait(delay)
            if self._stop:
                return
            time.sleep(self.flush_delay)
            self._wake.clear()
            failures = 0 if self.flush() else failures + 1

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> bool:
        """Save every queued event now. On failure the events stay queued and a warning is set."""
        with self._io:
            batch = []
            while self._pending:
                batch.append(self._pending.popleft())
            if not batch:
                return True
            try:
                self.dir.parent.mkdir(parents=True, exist_ok=True)
                with self._lock:
                    self._append(batch)
            except (OSError, Timeout) as error:
                self._pending.extendleft(reversed(batch))
                self._set_warning(f"history not saved ({_reason(error)}); keeping {len(self._pending)} "
                                  "events in memory and retrying")
                return False
            self._set_warning(None)
            return True

    def _set_warning(self, warning: str | None) -> None:
        changed = warning != self.warning
        self.warning = warning
        if changed and self.on_warning:
            self.on_warning(warning)

    def close(self) -> None:
        """Stop the writer and save everything. If the disk still refuses, save a rescue file elsewhere."""
        self._stop = True
        self._wake.set()
        if self._writer is not None and self._writer is not threading.current_thread():
            self._writer.join(timeout=5)
        if not self.flush():
            self._rescue()

    def _rescue(self) -> None:
        rescue = Path(tempfile.gettempdir()) / f"watch-{self.viewer}-unsaved-{_stamp()}.jsonl"
        try:
            with rescue.open("w", encoding="utf-8") as file:
                for event in self._pending:
                    file.write(json.dumps(event, ensure_ascii=False) + "\n")
            self.notices.append(f"{len(self._pending)} events could not be saved in {self.dir}; "
                                f"they were written to {rescue}")
            self._pending.clear()
        except OSError as error:
            self.notices.append(f"{len(self._pending)} events could not be saved anywhere ({_reason(error)})")

    # -- the files ----------------------------------------------------------------------------------------
    def _segment_path(self, title: str, seq: int) -> Path:
        return self.events_dir / _folder_name(title) / f"{seq:06d}.json"

    def _move_aside(self, path: Path, reason: str) -> None:
        aside = path.with_name(f"{path.name}.corrupt-{_stamp()}")
        try:
            os.replace(path, aside)
        except FileNotFoundError:
            return
        self.notices.append(f"history file {path} was damaged ({reason}); moved it to {aside.name} "
                            "and started fresh")

    def _read_segment(self, title: str, seq: int) -> list[dict]:
        path = self._segment_path(title, seq)
        try:
            return [dict(doc) for doc in _table(path).all()]
        except CorruptFile as error:
            with self._lock:
                self._move_aside(path, error.reason)
            self._segments.pop((title, seq), None)
            return []

    def _load_index(self) -> None:
        """Read the index, then bring it in line with the segment files on disk (cheap: a directory scan)."""
        try:
            records = _table(self.index_path, "segments").all()
        except CorruptFile as error:
            self._move_aside(self.index_path, error.reason)
            self.notices[-1] = self.notices[-1].replace("started fresh", "rebuilt it from the event files")
            records = []
        self._segments = {}
        for record in records:
            segment = Segment(**{k: record[k] for k in Segment.__dataclass_fields__ if k in record})
            self._segments[segment.key] = segment
        on_disk: dict[tuple[str, int], os.stat_result] = {}
        if self.events_dir.is_dir():
            for title_dir in os.scandir(self.events_dir):
                if not title_dir.is_dir():
                    continue
                for entry in os.scandir(title_dir.path):
                    if entry.name.endswith(".json") and entry.name[:-5].isdigit():
                        on_disk[(unquote(title_dir.name), int(entry.name[:-5]))] = entry.stat()
        stale = False
        for key in list(self._segments):
            if key not in on_disk:
                del self._segments[key]
                stale = True
        for key, stat in on_disk.items():
            known = self._segments.get(key)
            if known is None or known.size != stat.st_size or known.mtime_ns != stat.st_mtime_ns:
                self._reindex(*key)
                stale = True
        if stale and self.dir.is_dir():
            try:
                self._save_index()
            except OSError:
                pass  # the index is only a cache; a read-only disk must not stop reading

    def _reindex(self, title: str, seq: int) -> None:
        events = self._read_segment(title, seq)
        if not events and not self._segment_path(title, seq).exists():
            return
        self._segments[(title, seq)] = self._describe(title, seq, events)

    def _describe(self, title: str, seq: int, events: list[dict]) -> Segment:
        stat = self._segment_path(title, seq).stat()
        times = [event.get("at", "") for event in events]
        return Segment(title=title, seq=seq, count=len(events),
                       starts=sum(1 for event in events if event.get("kind") == "start"),
                       first_at=min(times, default=""), last_at=max(times, default=""),
                       size=stat.st_size, mtime_ns=stat.st_mtime_ns)

    def _extend(self, segment: Segment, added: list[dict]) -> Segment:
        stat = self._segment_path(segment.title, segment.seq).stat()
        times = [event.get("at", "") for event in added]
        return Segment(title=segment.title, seq=segment.seq, count=segment.count + len(added),
                       starts=segment.starts + sum(1 for event in added if event.get("kind") == "start"),
                       first_at=min([segment.first_at, *times] if segment.first_at else times),
                       last_at=max([segment.last_at, *times]), size=stat.st_size, mtime_ns=stat.st_mtime_ns)

    def _save_index(self) -> None:
        table = _table(self.index_path, "segments")
        table.truncate()
        table.insert_multiple([vars(segment) for segment in sorted(self._segments.values(), key=lambda s: s.key)])

    def _ensure_open(self) -> None:
        if not self._opened:
            with self._io:
                self._load_index()
                self._opened = True

    def _append(self, batch: list[dict]) -> None:
        """Called with both locks held. Another process may have written since we looked, so re-read the index."""
        self._load_index()
        self._opened = True
        by_title: dict[str, list[dict]] = {}
        for event in batch:
            by_title.setdefault(event["title"], []).append(event)
        for title, events in by_title.items():
            while events:
                seqs = [seq for (t, seq) in self._segments if t == title]
                seq = max(seqs, default=0)
                current = self._segments.get((title, seq))
                if current is None or current.count >= SEGMENT_SIZE:
                    seq += 1
                    current = None
                room = SEGMENT_SIZE - (current.count if current else 0)
                chunk, events = events[:room], events[room:]
                path = self._segment_path(title, seq)
                try:
                    table = _table(path)
                    table.insert_multiple(chunk)
                except CorruptFile as error:
                    self._move_aside(path, error.reason)
                    self._segments.pop((title, seq), None)
                    events = chunk + events
                    continue
                self._segments[(title, seq)] = self._extend(current or Segment(title, seq), chunk)
        self._save_index()

    # -- reading ------------------------------------------------------------------------------------------
    def segments(self, title: str | None = None) -> list[Segment]:
        self._ensure_open()
        found = [s for s in self._segments.values() if title is None or s.title == title]
        return sorted(found, key=lambda s: s.key)

    def counts(self) -> tuple[int, int]:
        """(events, sessions), from the index alone."""
        segments = self.segments()
        return sum(s.count for s in segments), sum(s.starts for s in segments)

    def titles(self) -> list[str]:
        return sorted({s.title for s in self.segments()})

    def title_events(self, title: str) -> list[dict]:
        """Every saved event of one title, oldest first."""
        self.flush()
        events = []
        for segment in self.segments(title):
            events.extend(self._read_segment(segment.title, segment.seq))
        return events

    def iter_events(self) -> Iterator[dict]:
        """Every saved event, oldest first, reading one title at a time."""
        self.flush()
        streams = [self._iter_title(title) for title in self.titles()]
        return heapq.merge(*streams, key=lambda event: event.get("at", ""))

    def _iter_title(self, title: str) -> Iterator[dict]:
        for segment in self.segments(title):
            yield from self._read_segment(segment.title, segment.seq)

    def events(self, title: str | None = None, limit: int | None = None) -> list[dict]:
        """Saved events, newest last. With a limit, only the segments that can hold the newest ones are read."""
        if title is not None:
            events = self.title_events(title)
            return events[-limit:] if limit else events
        if not limit:
            return list(self.iter_events())
        self.flush()
        newest: list[dict] = []
        for segment in sorted(self.segments(), key=lambda s: s.last_at, reverse=True):
            if len(newest) >= limit and segment.last_at < newest[-limit]["at"]:
                break
            newest.extend(self._read_segment(segment.title, segment.seq))
            newest.sort(key=lambda event: event.get("at", ""))
        return newest[-limit:]

    def last_session(self, title: str) -> list[dict]:
        """The events of the most recent session of a title, reading only its newest segments."""
        self.flush()
        collected: list[dict] = []
        for segment in reversed(self.segments(title)):
            collected = self._read_segment(segment.title, segment.seq) + collected
            sessions = [event.get("session") for event in collected]
            if sessions and sessions.count(sessions[-1]) < len(sessions):
                break  # the segment reaches back past the start of the newest session
        if not collected:
            return []
        newest = collected[-1].get("session")
        return [event for event in collected if event.get("session") == newest]

    def erase(self) -> None:
        """Delete this viewer's history for good."""
        with self._io, self._lock:
            self._pending.clear()
            if self.dir.exists():
                trash = self.dir.with_name(f".{self.dir.name}.erasing-{_stamp()}")
                os.replace(self.dir, trash)
                shutil.rmtree(trash, ignore_errors=True)
            self._segments = {}


def _reason(error: BaseException) -> str:
    if isinstance(error, Timeout):
        return "another watch is holding the history lock"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return error.__class__.__name__


def list_viewers(home: Path) -> list[dict]:
    """Every viewer with a history, with event and session counts."""
    folder = viewers_dir(home)
    result = []
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            if entry.is_dir() and not entry.name.startswith("."):
                events, sessions = History(home, entry.name).counts()
                result.append({"viewer": entry.name, "events": events, "sessions": sessions})
    return result


def resume_point(session: Iterable[dict]) -> float | None:
    """Where an unfinished session stopped, or None if it finished (or never got going)."""
    events = list(session)
    if not events or any(event.get("kind") == "finish" for event in events):
        return None
    if any(event.get("kind") == "choice" for event in events):
        return None  # endings are short and are chosen afresh
    position = max(float(event.get("position", 0)) for event in events)
    return position if position >= 5 else None
