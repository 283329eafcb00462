"""The viewing history of one viewer: a TinyDB store that stays fast for years and never loses an event.

Design (docs/history.md has the long version):

- `log()` only appends to an in-memory queue, so its cost never depends on how much history exists. A writer
  thread saves the queue a tenth of a second later. Each event is also appended to this process's journal
  (journal.py) as it is logged, so a player killed before its writer wrote loses nothing: the next open replays it.
- TinyDB rewrites a whole file on every write, so events go into small TinyDB files ("segments") of at most
  SEGMENT_SIZE events, one series per title. A write touches one segment and the per-title summary, whatever
  the size of the history.
- `titles.json` (also TinyDB) holds one summary per title: counts, time range, newest segment. Opening the store
  reads only that and a directory listing. It is a cache: segments are the truth, and a summary that disagrees
  with its newest segment is rebuilt from the segment files.
- Every file is replaced atomically (temporary file, fsync, rename, fsync of the folder), so a crash leaves the
  old or the new file, never half of one. A file lock serialises writers across processes, and each process
  recording for a viewer holds a lock of its own, so that `erase` elsewhere can refuse while it runs.
- A file that is not valid JSON, or is JSON of the wrong shape, is moved aside to `<name>.corrupt-<timestamp>`,
  never overwritten.
- When a write fails (disk full, read-only, or any other error), the events stay queued and the writer retries
  with a back-off. The writer thread never dies; what it cannot save by the end goes to a rescue file.
"""

from __future__ import annotations

import errno
import heapq
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import quote, unquote

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage

from player.engine.base.errors import WatchError
from player.engine.history import journal
from player.engine.base.files import atomic_write
from player.engine.base.locations import check_viewer, viewer_dir, viewers_dir

SEGMENT_SIZE = 500
FLUSH_DELAY = 0.1  # the writer waits this long after an event, so that a burst is written at once
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0)
LOCK_TIMEOUT = 10.0
EVENTS = "_default"  # the TinyDB table of a segment
TITLES = "titles"  # the TinyDB table of the summary file
STATE = "state"  # the TinyDB table of a state document

log = logging.getLogger("watch.history")
NO_FILE_LOCKS = {errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP}  # what flock() says on a filesystem without locks


class PlayerRunning(WatchError):
    """Another process is recording events for the viewer, so their history cannot be erased now."""


class CorruptFile(Exception):
    def __init__(self, path: Path, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


RowProblem = Callable[[dict], "str | None"]  # what is wrong with one document, or None


class AtomicJSONStorage(Storage):
    """TinyDB's JSON storage, except that a write replaces the file atomically, a damaged file is reported
    instead of being emptied, and the document count of the last read and write is kept.

    Damaged means anything TinyDB or our readers would trip over later: not JSON, nested too deep to parse, not
    tables of documents keyed by number, or (with `row_problem`) a document of the wrong shape."""

    def __init__(self, path: str | Path, row_problem: RowProblem | None = None):
        self.path = Path(path)
        self.row_problem = row_problem
        self.read_count = 0
        self.written_count = 0

    def read(self):
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise CorruptFile(self.path, "not valid JSON") from None
        except RecursionError:
            raise CorruptFile(self.path, "nested too deep") from None
        if not isinstance(data, dict) or not all(isinstance(table, dict) for table in data.values()):
            raise CorruptFile(self.path, "not a TinyDB file")
        for table in data.values():
            for key, row in table.items():
                if not key.isdecimal():
                    raise CorruptFile(self.path, "a document id that is not a number")
                if not isinstance(row, dict):
                    raise CorruptFile(self.path, "a document that is not an object")
                problem = self.row_problem and self.row_problem(row)
                if problem:
                    raise CorruptFile(self.path, problem)
        self.read_count = sum(len(table) for table in data.values())
        return data

    def write(self, data) -> None:
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
        self.written_count = sum(len(table) for table in data.values())

    def close(self) -> None:
        pass


def _db(path: Path, row_problem: RowProblem | None = None) -> TinyDB:
    """A fresh TinyDB handle for each use: TinyDB caches the next document id, which another process may have
    taken since."""
    return TinyDB(path, storage=AtomicJSONStorage, row_problem=row_problem)


def read_documents(path: Path, table: str = EVENTS, row_problem: RowProblem | None = None) -> list[dict]:
    """A TinyDB table as plain dicts in insertion order, without building a Document per row (bulk reads)."""
    data = AtomicJSONStorage(path, row_problem).read() or {}
    rows = data.get(table, {})
    return [rows[key] for key in sorted(rows, key=int)]


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def title_file_name(title: str) -> str:
    """A title id as a safe file or folder name."""
    name = quote(title, safe="-_")
    return name.replace(".", "%2E") if set(name) == {"."} else name


@dataclass
class TitleSummary:
    """What the summary file knows about one title's events."""

    title: str
    events: int = 0
    sessions: int = 0
    first_at: str = ""
    last_at: str = ""
    last_seq: int = 0  # the newest segment, the one appended to
    last_count: int = 0  # events in the newest segment
    segments: int = 0
    last_size: int = -1  # the newest segment's size and mtime, to notice a write the summary missed
    last_mtime_ns: int = -1

    def add(self, events: list[dict]) -> None:
        times = [event.get("at", "") for event in events]
        self.events += len(events)
        self.sessions += sum(1 for event in events if event.get("kind") == "start")
        self.first_at = min([self.first_at, *times]) if self.first_at else min(times, default="")
        self.last_at = max([self.last_at, *times])


# What the store and its readers rely on in a saved event. A field of another type is damage, as bad JSON is.
EVENT_FIELD_TYPES = {"kind": str, "viewer": str, "title": str, "session": str, "scene": str, "beat": int,
                     "position": (int, float), "at": str}
SUMMARY_FIELD_TYPES = {f.name: str if f.name == "title" else type(f.default) for f in fields(TitleSummary)}


def _event_problem(event: dict) -> str | None:
    for name, kind in EVENT_FIELD_TYPES.items():
        if name in event and not isinstance(event[name], kind):
            return f"an event whose {name} is of the wrong type"
    return None


def _summary_problem(row: dict) -> str | None:
    if "title" not in row:
        return "a title summary without a title"
    for name, kind in SUMMARY_FIELD_TYPES.items():
        if name in row and type(row[name]) is not kind:
            return f"a title summary whose {name} is of the wrong type"
    return None


@dataclass(frozen=True)
class Progress:
    """How far the viewer got with one title."""

    started: bool  # a session of it began
    finished: bool  # a session of it played to the end
    resume_at: float | None  # where its newest session stopped before the end (resume_point), if it did

    @property
    def in_progress(self) -> bool:
        """Stopped before the end in its newest session, or started and never finished."""
        return self.resume_at is not None or (self.started and not self.finished)


class History:
    def __init__(self, home: Path, viewer: str, *, on_warning: Callable[[str | None], None] | None = None,
                 on_notice: Callable[[str], None] | None = None, flush_delay: float = FLUSH_DELAY):
        self.viewer = check_viewer(viewer)
        self.home = home
        self.dir = viewer_dir(home, viewer)
        self.events_dir = self.dir / "events"
        self.summary_path = self.dir / "titles.json"
        self.on_warning = on_warning
        self.on_notice = on_notice
        self.flush_delay = flush_delay
        self.notices: list[str] = []  # one line each, for the user: damaged files moved aside
        self.warning: str | None = None  # set while saving fails
        self._pending: deque[dict] = deque()
        self._journal = journal.Journal(self.dir / "journal")
        self._queued = threading.Lock()  # the queue and the journal change together
        self._io = threading.RLock()
        self._lock = FileLock(str(viewers_dir(home) / f".{self.viewer}.lock"), timeout=LOCK_TIMEOUT,
                              fallback_to_soft=False)
        # Held while this process records for the viewer, so that `erase` elsewhere can tell (one file per
        # process, named by its pid; ".players" cannot be a viewer's name).
        self._players = viewers_dir(home) / ".players" / self.viewer
        self._recording: FileLock | None = None
        self._wake = threading.Event()
        self._stop = False
        self._writer: threading.Thread | None = None
        self._titles: dict[str, TitleSummary] = {}
        self._summary_stamp: tuple[int, int] | None = None  # (size, mtime) of titles.json when last read
        self._opened = False
        self._logged_error = False
        self._said_no_locks = False

    # -- logging ------------------------------------------------------------------------------------------
    def log(self, event: dict) -> None:
        """Queue and journal an event. Constant time: one line appended to the journal; the writer thread saves
        the segments a tenth of a second later."""
        if self._writer is None:
            self._start_writer()  # first: it marks this process as recording, so no one replays its journal
        with self._queued:
            self._pending.append(event)
            self._journal.append(event)
        self._wake.set()

    def _start_writer(self) -> None:
        with self._io:
            if self._writer is None and not self._stop:
                self._hold_recording()
                self._writer = threading.Thread(target=self._write_loop, name="history-writer", daemon=True)
                self._writer.start()

    def _write_loop(self) -> None:
        failures = 0
        while not self._stop:
            delay = None if failures == 0 else RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]
            self._wake.wait(delay)
            if self._stop:
                return
            time.sleep(self.flush_delay)
            self._wake.clear()
            try:
                saved = self.flush()
            except Exception as error:  # flush keeps the events whatever fails; this keeps the thread alive
                self._log_once(error)
                saved = False
            failures = 0 if saved else failures + 1

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> bool:
        """Save every queued event now. On failure they stay queued, in order, and a warning is set."""
        with self._io:
            with self._queued:  # never an event queued but not yet journaled: keep() would journal it after
                batch = list(self._pending)
                self._pending.clear()
            if not batch:
                return True
            try:
                with self.locked():
                    self._append(batch)
                with self._queued:
                    self._journal.keep(self._pending)
            except Exception as error:  # a full disk, a held lock, or a bug: the events are kept either way
                self._pending.extendleft(reversed(batch))
                if not isinstance(error, (OSError, Timeout)):
                    self._log_once(error)
                self._set_warning(f"history not saved ({_reason(error)}); keeping {len(self._pending)} "
                                  "events in memory and retrying")
                return False
            self._set_warning(None)
            return True

    def _log_once(self, error: Exception) -> None:
        """The traceback of an unexpected error goes to the log once; the warning says the rest."""
        if not self._logged_error:
            self._logged_error = True
            log.error("history not saved: unexpected error", exc_info=error)

    def _lock_path_ready(self) -> None:
        Path(self._lock.lock_file).parent.mkdir(parents=True, exist_ok=True)

    def _set_warning(self, warning: str | None) -> None:
        changed = warning != self.warning
        self.warning = warning
        if changed and self.on_warning:
            self.on_warning(warning)

    def _notice(self, message: str) -> None:
        self.notices.append(message)
        if self.on_notice:
            self.on_notice(message)

    def close(self) -> None:
        """Stop the writer and save everything. If the disk still refuses, save a rescue file elsewhere."""
        self._stop = True
        self._wake.set()
        writer = self._writer
        if writer is not None and writer is not threading.current_thread():
            writer.join(timeout=10)
        if self.flush():
            self._journal.close()
        else:
            self._rescue()  # and the journal stays, for the next open to replay
        self._release_recording()

    def _hold_recording(self) -> None:
        """Mark this process as recording for the viewer: hold the lock file named by its pid. Where the
        filesystem has no locks (flock fails), the file alone is the mark: other_players() asks if its pid runs."""
        path = self._players / f"{os.getpid()}.lock"
        # released by close(), on any thread; no soft fallback: its marker would outlive a killed player's pid
        recording = FileLock(str(path), timeout=0, thread_local=False, fallback_to_soft=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            recording.acquire()
        except Timeout:
            return
        except OSError:
            try:
                path.touch()
            except OSError:  # a read-only disk: nothing gets saved there for an erase to undo either
                return
        self._recording = recording

    def _release_recording(self) -> None:
        if self._recording is not None:
            if self._recording.is_locked:
                self._recording.release()
            Path(self._recording.lock_file).unlink(missing_ok=True)
            self._recording = None

    def other_players(self) -> list[int]:
        """The processes other than this one recording events for this viewer now. A lock file left by a
        process that was killed is held by no one: it is removed."""
        try:
            paths = sorted(self._players.glob("*.lock"))
        except OSError:
            return []
        running = []
        for path in paths:
            if path.stem == str(os.getpid()) or not path.stem.isdecimal():
                continue
            if _held(path):
                running.append(int(path.stem))
            else:
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    pass
        return running

    def refuse_if_recording(self) -> None:
        """Erasing while another player records would not erase: its next events would start a fresh history
        (a session without its start). So refuse, naming the player."""
        running = self.other_players()
        if running:
            processes = ", ".join(str(pid) for pid in running)
            raise PlayerRunning(f"viewer {self.viewer} is watching in a player that is still running (process "
                                f"{processes}); quit it, then erase the history")

    def _rescue(self) -> None:
        rescue = Path(tempfile.gettempdir()) / f"watch-{self.viewer}-unsaved-{_stamp()}.jsonl"
        try:
            handle = os.open(rescue, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private, like the history
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                for event in self._pending:  # default=str: an event the store refused must still be kept
                    file.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
                file.flush()
                os.fsync(file.fileno())
            self._notice(f"{len(self._pending)} events could not be saved in {self.dir}; "
                         f"they were written to {rescue}")
            self._pending.clear()
        except OSError as error:
            self._notice(f"{len(self._pending)} events could not be saved anywhere ({_reason(error)})")

    # -- the files ----------------------------------------------------------------------------------------
    def _title_dir(self, title: str) -> Path:
        return self.events_dir / title_file_name(title)

    def _segment_path(self, title: str, seq: int) -> Path:
        return self._title_dir(title) / f"{seq:06d}.json"

    def _seqs(self, title: str) -> list[int]:
        """The title's segment numbers, from the directory (the truth), oldest first."""
        try:
            names = os.listdir(self._title_dir(title))
        except FileNotFoundError:
            return []
        return sorted(int(name[:-5]) for name in names if name.endswith(".json") and name[:-5].isdigit())

    def _move_aside(self, path: Path, reason: str) -> None:
        aside = path.with_name(f"{path.name}.corrupt-{_stamp()}")
        try:
            os.replace(path, aside)
        except FileNotFoundError:
            return
        self._notice(f"history file {path} was damaged ({reason}); moved it aside to {aside.name}")

    def _read_or_set_aside(self, path: Path, table: str, row_problem: RowProblem | None,
                           consequence: str = "") -> list[dict] | None:
        """A file's documents, or None if it is damaged: then it is moved aside, and the user told."""
        try:
            return read_documents(path, table, row_problem)
        except CorruptFile as error:
            self._move_aside(path, error.reason + consequence)
            return None

    def _read_segment(self, title: str, seq: int) -> list[dict]:
        with self._io:
            events = self._read_or_set_aside(self._segment_path(title, seq), EVENTS, _event_problem)
            if events is None:
                self._summarise(title)
        return events or []

    def _summarise(self, title: str) -> None:
        """Rebuild one title's summary from its segment files (after a crash, or a damaged file)."""
        summary = TitleSummary(title)
        seqs = self._seqs(title)
        for seq in seqs:
            events = self._read_or_set_aside(self._segment_path(title, seq), EVENTS, _event_problem)
            if events is None:
                continue
            summary.add(events)
            summary.segments += 1
            summary.last_seq, summary.last_count = seq, len(events)
        self._stat_newest(summary)
        if summary.segments:
            self._titles[title] = summary
        else:
            self._titles.pop(title, None)

    def _stat_newest(self, summary: TitleSummary) -> None:
        try:
            stat = self._segment_path(summary.title, summary.last_seq).stat()
            summary.last_size, summary.last_mtime_ns = stat.st_size, stat.st_mtime_ns
        except FileNotFoundError:
            summary.last_size = summary.last_mtime_ns = -1

    def _read_summary(self) -> bool:
        """Load titles.json if it changed since we last read it. Returns whether it was (re)read."""
        try:
            stat = self.summary_path.stat()
            stamp = (stat.st_size, stat.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        if self._opened and stamp == self._summary_stamp:
            return False
        self._summary_stamp = stamp
        rows = self._read_or_set_aside(self.summary_path, TITLES, _summary_problem,
                                       "; rebuilt it from the event files") or []
        self._titles = {row["title"]: TitleSummary(**{k: v for k, v in row.items() if k in SUMMARY_FIELD_TYPES})
                        for row in rows}
        return True

    def _open(self) -> None:
        """Read the summary and check it against the segment files: a directory listing and one stat a title."""
        self._read_summary()
        on_disk = set()
        if self.events_dir.is_dir():
            on_disk = {unquote(entry.name) for entry in os.scandir(self.events_dir) if entry.is_dir()}
        changed = False
        for title in set(self._titles) - on_disk:
            del self._titles[title]
            changed = True
        for title in on_disk:
            summary = self._titles.get(title)
            if summary is None or not self._agrees(summary):
                self._summarise(title)
                changed = True
        self._opened = True
        if changed:
            try:
                self._save_summary()
            except OSError:
                pass  # the summary is only a cache; a read-only disk must not stop reading
        self._replay()

    def _replay(self) -> None:
        """Write the events that a player killed outright had journaled but not yet written (journal.py)."""
        for path in journal.left_behind(self.dir / "journal", self._is_recording):
            try:
                events = journal.read(path)
                with self.locked():
                    self._append(self._not_in_segments(events))
                path.unlink()
            except Exception as error:  # a read-only disk, a held lock: it stays for the next open
                log.warning("history journal %s not replayed yet: %s", path, _reason(error))
                return

    def _is_recording(self, pid: int) -> bool:
        mark = self._players / f"{pid}.lock"
        return mark.exists() and _held(mark)

    def _not_in_segments(self, events: list[dict]) -> list[dict]:
        """A player killed between writing a segment and emptying its journal journaled events it saved."""
        saved = set()
        for title in {event["title"] for event in events}:
            for seq in self._seqs(title)[-2:]:
                saved.update(_same(event) for event in self._read_segment(title, seq))
        return [event for event in events if _same(event) not in saved]

    def _agrees(self, summary: TitleSummary) -> bool:
        seqs = self._seqs(summary.title)
        if not seqs or seqs[-1] != summary.last_seq or len(seqs) != summary.segments:
            return False
        try:
            stat = self._segment_path(summary.title, summary.last_seq).stat()
        except FileNotFoundError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == (summary.last_size, summary.last_mtime_ns)

    def _save_summary(self) -> None:
        db = _db(self.summary_path)
        rows = {str(n): asdict(s) for n, s in enumerate(sorted(self._titles.values(), key=lambda s: s.title), 1)}
        db.storage.write({TITLES: rows})
        stat = self.summary_path.stat()
        self._summary_stamp = (stat.st_size, stat.st_mtime_ns)

    def _ensure_open(self) -> None:
        with self._io:
            if not self._opened:
                self._open()

    def _append(self, batch: list[dict]) -> None:
        """Called with both locks held. Another process may have written since, so reload a changed summary."""
        if not self._opened:
            self._open()
        else:
            self._read_summary()
        by_title: dict[str, list[dict]] = {}
        for event in batch:
            by_title.setdefault(event["title"], []).append(event)
        for title, events in by_title.items():
            while events:
                summary = self._titles.setdefault(title, TitleSummary(title))
                if summary.segments == 0 or summary.last_count >= SEGMENT_SIZE:
                    seq, expected = summary.last_seq + 1, 0
                else:
                    seq, expected = summary.last_seq, summary.last_count
                chunk, events = events[:SEGMENT_SIZE - expected], events[SEGMENT_SIZE - expected:]
                path = self._segment_path(title, seq)
                db = _db(path, _event_problem)
                try:
                    db.table(EVENTS, cache_size=0).insert_multiple(chunk)
                except CorruptFile as error:
                    self._move_aside(path, error.reason)
                    self._summarise(title)
                    self._titles.setdefault(title, TitleSummary(title)).last_count = SEGMENT_SIZE  # start anew
                    events = chunk + events
                    continue
                if db.storage.read_count != expected:
                    self._summarise(title)  # the summary missed a write (a crash); count again from the files
                    continue
                if seq != summary.last_seq or summary.segments == 0:
                    summary.segments += 1
                summary.last_seq, summary.last_count = seq, db.storage.written_count
                summary.add(chunk)
                self._stat_newest(summary)
        self._save_summary()

    # -- reading ------------------------------------------------------------------------------------------
    def summaries(self) -> list[TitleSummary]:
        self._ensure_open()
        return sorted(self._titles.values(), key=lambda s: s.title)

    def counts(self) -> tuple[int, int]:
        """(events, sessions), from the summary alone."""
        summaries = self.summaries()
        return sum(s.events for s in summaries), sum(s.sessions for s in summaries)

    def titles(self) -> list[str]:
        return [s.title for s in self.summaries()]

    def _iter_title(self, title: str, newest_first: bool = False) -> Iterator[list[dict]]:
        seqs = self._seqs(title)
        for seq in reversed(seqs) if newest_first else seqs:
            yield self._read_segment(title, seq)

    def title_events(self, title: str) -> list[dict]:
        """Every saved event of one title, oldest first."""
        self.flush()
        self._ensure_open()
        return [event for segment in self._iter_title(title) for event in segment]

    def iter_events(self) -> Iterator[dict]:
        """Every saved event, oldest first, holding one segment per title in memory at a time."""
        self.flush()
        streams = [(e for segment in self._iter_title(title) for e in segment) for title in self.titles()]
        return heapq.merge(*streams, key=lambda event: event.get("at", ""))

    def events(self, title: str | None = None, limit: int | None = None) -> list[dict]:
        """Saved events, newest last. With a limit, only the newest segments that can hold them are read."""
        if title is not None:
            if not limit:
                return self.title_events(title)
            self.flush()
            self._ensure_open()
            newest: list[dict] = []
            for segment in self._iter_title(title, newest_first=True):
                newest = segment + newest
                if len(newest) >= limit:
                    break
            return newest[-limit:]
        if not limit:
            return list(self.iter_events())
        self.flush()
        newest = []
        for summary in sorted(self.summaries(), key=lambda s: s.last_at, reverse=True):
            if len(newest) >= limit and summary.last_at < newest[-limit]["at"]:
                break  # every later title is older than the newest `limit` events found so far
            for segment in self._iter_title(summary.title, newest_first=True):
                newest = sorted(newest + segment, key=lambda event: event.get("at", ""))
                if len(newest) >= limit and segment and segment[0].get("at", "") < newest[-limit]["at"]:
                    break
        return newest[-limit:]

    def last_session(self, title: str) -> list[dict]:
        """The events of the most recent session of a title, reading only its newest segments. Events of no
        session (a title's details opened in the catalog) are not part of one."""
        self.flush()
        self._ensure_open()
        collected: list[dict] = []
        for segment in self._iter_title(title, newest_first=True):
            collected = [event for event in segment if event.get("session")] + collected
            if collected and any(event.get("session") not in ("", collected[-1].get("session"))
                                 for event in segment):
                break  # this segment reaches back past the start of the newest session
        newest = collected[-1].get("session") if collected else None
        return [event for event in collected if event.get("session") == newest]

    def progress(self, title: str) -> Progress:
        """How far the viewer got with a title (the catalog's marks): its newest session, and whether any
        session finished it, reading back only until a finish is found."""
        resume_at = resume_point(self.last_session(title))
        started = finished = False
        for segment in self._iter_title(title, newest_first=True):
            started = started or any(event.get("kind") == "start" for event in segment)
            if any(event.get("kind") == "finish" for event in segment):
                started = finished = True
                break
        return Progress(started=started, finished=finished, resume_at=resume_at)

    def _state_path(self, name: str) -> Path:
        return self.dir / f"{name}.json"

    def read_state(self, name: str, problem: RowProblem | None = None) -> dict | None:
        """A document kept beside the history (the taste profile's parts), or None. `name` may hold folders.
        A document that is not JSON, or in which `problem` finds something wrong, is moved aside (None)."""
        rows = self._read_or_set_aside(self._state_path(name), STATE, problem)
        return rows[0] if rows else None

    def write_state(self, name: str, document: dict) -> None:
        _db(self._state_path(name)).storage.write({STATE: {"1": document}})

    def state_names(self, folder: str) -> list[str]:
        """The names of the documents kept in a folder beside the history."""
        try:
            return sorted(name[:-5] for name in os.listdir(self.dir / folder) if name.endswith(".json"))
        except FileNotFoundError:
            return []

    def delete_state(self, name: str) -> None:
        self._state_path(name).unlink(missing_ok=True)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """The viewer's file lock, for read-modify-write across processes. A filesystem without file locks (some
        network mounts) gets none: its writes go on unlocked, which matters only to two players of one viewer at
        once, rather than never being saved at all. Said once, in the log."""
        self._lock_path_ready()
        try:
            self._lock.acquire()
        except Timeout:  # an OSError too, but a lock held by another player: that one waits
            raise
        except OSError as error:
            if error.errno not in NO_FILE_LOCKS:
                raise
            if not self._said_no_locks:
                self._said_no_locks = True
                log.warning("no file locks on %s (%s); writing without them", self.dir, error.strerror)
            yield
            return
        try:
            yield
        finally:
            self._lock.release()

    def erase(self) -> None:
        """Delete this viewer's history for good. Raises PlayerRunning if another process records for them."""
        with self._io:
            with self.locked():  # a player's writer needs this lock too: none can write between check and rename
                self.refuse_if_recording()
                self._pending.clear()
                if self.dir.exists():
                    trash = self.dir.with_name(f".{self.dir.name}.erasing-{_stamp()}")
                    os.replace(self.dir, trash)
                    shutil.rmtree(trash, ignore_errors=True)
                self._titles, self._opened = {}, False


def _same(event: dict) -> str:
    return json.dumps(event, sort_keys=True, default=str)


def _held(path: Path) -> bool:
    """Whether a player's lock file is held: by its lock, or where the filesystem has no locks, by its process
    (the pid it is named by) running still."""
    probe = FileLock(str(path), timeout=0, fallback_to_soft=False)
    try:
        probe.acquire()
    except Timeout:
        return True
    except OSError:
        return _running(int(path.stem))
    probe.release()
    return False


def _running(pid: int) -> bool:
    """Whether a process with this pid exists (signal 0 sends nothing)."""
    if pid <= 0:  # 0 would ask about our own process group
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process, or a number no pid can be
        return False
    except PermissionError:  # it runs, as another user
        pass
    return True


def _reason(error: BaseException) -> str:
    if isinstance(error, Timeout):
        return "another watch is holding the history lock"
    if isinstance(error, OSError):
        return error.strerror.lower() if error.strerror else error.__class__.__name__
    return f"unexpected {error.__class__.__name__}"


def list_viewers(home: Path) -> list[dict]:
    """Every viewer with a history, with event and session counts."""
    folder = viewers_dir(home)
    result = []
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            if entry.is_dir() and not entry.name.startswith("."):
                history = History(home, entry.name)
                events, sessions = history.counts()
                result.append({"viewer": entry.name, "events": events, "sessions": sessions,
                               "titles": len(history.titles()), "notices": history.notices})
    return result


def resume_point(session: Iterable[dict]) -> float | None:
    """Where an unfinished session stopped, or None if it finished, or never got going."""
    events = list(session)
    if not events or any(event.get("kind") in ("finish", "choice") for event in events):
        return None  # finished, or at the endings, which are short and chosen afresh
    position = float(events[-1].get("position", 0))  # where the viewer quit (or the process died)
    return position if position >= 5 else None
