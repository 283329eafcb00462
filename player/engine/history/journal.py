"""The history's journal: each event is appended to a file the moment it is logged, so a player killed outright
(SIGKILL) loses none, although its segment is only written a few milliseconds later.

One file per process, `viewers/<viewer>/journal/<pid>-<n>.jsonl`, holding the events logged but not yet in the
segments: emptied after every successful write, removed when the store closes. A journal left by a process that
is gone is replayed into the segments by the next History that opens the viewer (history.py). Appending is one
write() of one line to the page cache: microseconds, and no wait for the disk.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Iterable, Iterator

log = logging.getLogger("watch.history")
SUFFIX = ".jsonl"


def _line(event: dict) -> bytes:
    return (json.dumps(event, default=str) + "\n").encode("ascii")  # ASCII: any text, surrogates too, survives


class Journal:
    """This process's journal. Not thread-safe: History calls it under its own lock."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / f"{os.getpid()}-{time.monotonic_ns()}{SUFFIX}"  # unique even if a pid is reused
        self._fd: int | None = None
        self._failed = False  # said once; the events are still queued in memory

    def append(self, event: dict) -> None:
        self._write(_line(event))

    def keep(self, pending: Iterable[dict]) -> None:
        """The segments now hold every event but `pending`: the journal keeps only those."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        except OSError as error:
            self._say(error)
            return
        self._write(b"".join(_line(event) for event in pending))

    def close(self) -> None:
        """Everything is in the segments: the journal goes."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            self.path.unlink(missing_ok=True)

    def _write(self, data: bytes) -> None:
        if not data:
            return
        try:
            if self._fd is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)  # private
            os.write(self._fd, data)
        except OSError as error:
            self._say(error)

    def _say(self, error: OSError) -> None:
        if not self._failed:
            self._failed = True
            log.warning("history journal %s not written (%s); events wait in memory only", self.path, error)


def left_behind(folder: Path, alive) -> Iterator[Path]:
    """Journals whose process is gone (`alive(pid)` is false), oldest first."""
    try:
        paths = sorted(folder.glob(f"*{SUFFIX}"), key=lambda path: path.stat().st_mtime_ns)
    except OSError:
        return
    for path in paths:
        pid = path.stem.split("-")[0]
        if pid.isdecimal() and int(pid) != os.getpid() and not alive(int(pid)):
            yield path


def read(path: Path) -> list[dict]:
    """The events of a journal; a line cut short (a power cut mid-write) is skipped."""
    events = []
    for line in path.read_bytes().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and isinstance(event.get("title"), str):
            events.append(event)
    return events
