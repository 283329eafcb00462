"""How watch replaces a file so that a crash or a power cut leaves the old one or the new one, never half of
one: a temporary file in the same folder, fsynced, renamed over the old one, then the folder fsynced."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterator


def atomic_write(path: Path, payload: bytes) -> None:
    with atomic_file(path) as file:
        file.write(payload)


@contextmanager
def atomic_file(path: Path, encoding: str | None = None,
                check: Callable[[Path], None] | None = None) -> Iterator[IO]:
    """A file that replaces `path` only once it is wholly written: a temporary file in the same folder (mode
    0600), fsynced, renamed over `path`, then the folder fsynced. If anything fails before the rename (a full
    disk, or `check`, which is given the written temporary file), `path` is as it was and the temporary file is
    gone. Text with an `encoding`, else bytes."""
    _make_dirs(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w" if encoding else "wb", encoding=encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        if check is not None:
            check(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)  # the rename is only durable once the folder holding it is


def _make_dirs(folder: Path) -> None:
    """mkdir -p, syncing the parent of each new folder: a new folder is lost in a power cut until it is."""
    if folder.is_dir():
        return
    _make_dirs(folder.parent)
    try:
        folder.mkdir()
    except FileExistsError:
        pass  # made by another process meanwhile (or a file is in the way, which the write reports)
    fsync_dir(folder.parent)


def fsync_dir(folder: Path) -> None:
    """Make the folder's entries (a rename, a new folder) durable. Best effort: the rename has happened, and
    failing the write now would only save its events twice; some systems cannot open or sync a folder."""
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
