"""Reading a TOML file a person wrote (config.toml, models.toml): whatever is wrong with it is one line that
names the file, raised as the caller's own WatchError."""

from __future__ import annotations

import tomllib
from pathlib import Path

from player.engine.base.errors import WatchError


def read_toml(path: Path, error: type[WatchError]) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        raise error(f"{path} is not a readable TOML file: {problem}") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise error(f"{path} is not a readable TOML file: it is nested too deep") from None
