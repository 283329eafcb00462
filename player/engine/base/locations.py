"""Every path `watch` reads or writes, in one place.

The data directory is the platformdirs user data dir, or `WATCH_HOME` when set (tests always set it). The cache
directory, shared by every data directory of the user, is the platformdirs user cache dir, or `WATCH_CACHE`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping

import platformdirs

from player.engine.base.errors import BadViewerName

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # player/, from player/engine/base
_VIEWER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def data_home(env: Mapping[str, str] = os.environ) -> Path:
    home = env.get("WATCH_HOME")
    return Path(home).expanduser() if home else platformdirs.user_data_path("watch", appauthor=False)


def data_dir_problem(home: Path, error: OSError) -> str | None:
    """The one line for an OSError on a path inside the data directory: it is a file (or /dev/null), or
    read-only. Every command reads and writes there, so a bad one fails them all alike. None for an error
    elsewhere."""
    home = Path(os.path.abspath(home))
    names = [name for name in (error.filename, error.filename2) if isinstance(name, str)]
    inside = [path for path in map(Path, map(os.path.abspath, names)) if path.is_relative_to(home)]
    if not inside:
        return None
    if home.exists() and not home.is_dir():
        problem = "is not a folder"
    else:
        problem = f"cannot be used ({(error.strerror or error.__class__.__name__).lower()}: {inside[0]})"
    return f"the data directory {home} {problem}; set WATCH_HOME to a folder you can write to"


def cache_home(env: Mapping[str, str] = os.environ) -> Path:
    home = env.get("WATCH_CACHE")
    return Path(home).expanduser() if home else platformdirs.user_cache_path("watch", appauthor=False)


def shared_models_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Where the default model is assembled, once for every data directory (it is 253 MB)."""
    return cache_home(env) / "models"


def _shipped(name: str) -> Path:
    """A folder shipped with the code: inside the package in a wheel, beside it in a source checkout."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def bundled_catalog() -> Path:
    return _shipped("sample_catalog")


def bundled_models() -> Path:
    return _shipped("models")


def user_catalog(home: Path) -> Path:
    """Where `watch import` writes titles."""
    return home / "catalog"


def catalog_dirs(home: Path, env: Mapping[str, str] = os.environ, extra: list[Path] | None = None) -> list[Path]:
    """Catalog folders in the order they win when two hold the same title id."""
    folders = [Path(p) for p in (extra or [])]
    folders += [Path(p).expanduser() for p in env.get("WATCH_CATALOG", "").split(os.pathsep) if p.strip()]
    folders += [user_catalog(home), bundled_catalog()]
    return folders


def check_viewer(name: str) -> str:
    """A viewer name becomes a folder name, so it must not be able to escape the data directory."""
    if not _VIEWER.match(name or "") or set(name) == {"."}:
        raise BadViewerName(
            f"{name!r} is not a valid viewer name; use 1 to 40 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit")
    return name


def viewers_dir(home: Path) -> Path:
    return home / "viewers"


def viewer_dir(home: Path, viewer: str) -> Path:
    return viewers_dir(home) / check_viewer(viewer)


def log_file(home: Path) -> Path:
    return home / "logs" / "watch.log"


def model_log(home: Path) -> Path:
    """llama.cpp's own output, from the model process."""
    return home / "logs" / "model.log"


def models_dir(home: Path) -> Path:
    """GGUF models the user adds."""
    return home / "models"


def config_file(home: Path) -> Path:
    return home / "config.toml"
