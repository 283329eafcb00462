"""The optional config file, `<data dir>/config.toml`: settings a user wants every time, below the command line
and the environment.

    model = "~/models/bigger.gguf"        # the local model (a relative path is read from this file's folder)
    backend = "openai"                    # "local" (default) or "openai"
    url = "http://gpu-box:8000/v1"        # the OpenAI-compatible server, for backend = "openai"
    api_model = "llama-3.1-8b"            # the model name the server serves
    chat = false                          # true: the served model is a chat model
    threads = 2                           # threads for the local model (default: the cores free per request)

API keys are never read from this file: they come from WATCH_API_KEY only.
"""

from __future__ import annotations

from pathlib import Path

from player.engine.base.errors import WatchError
from player.engine.base.locations import config_file
from player.engine.base.toml_file import read_toml

KEYS = {"model": str, "backend": str, "url": str, "api_model": str, "chat": bool, "threads": int}
MAX_THREADS = 64  # a `threads` setting above this is a typo
KINDS = {str: "string", bool: "true or false", int: f"whole number from 1 to {MAX_THREADS}"}


class ConfigError(WatchError):
    pass


def read_config(home: Path) -> dict:
    """The settings in config.toml (the known keys, checked; others are left for other tools), or {}."""
    path = config_file(home)
    if not path.is_file():
        return {}
    data = read_toml(path, ConfigError)
    for key, kind in KEYS.items():
        if key in data and not _valid(data[key], kind):
            if isinstance(data[key], str) and kind is str:
                raise ConfigError(f"{path}: `{key}` is empty; give it a value or remove the line")
            raise ConfigError(f"{path}: `{key}` must be a {KINDS[kind]}")
    return {key: data[key] for key in KEYS if key in data}


def _valid(value, kind) -> bool:
    if kind is int:  # bool is an int in Python: `threads = true` is not a count
        return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_THREADS
    return isinstance(value, kind) and not (kind is str and not value.strip())


def config_path(home: Path, value: str) -> Path:
    """A path in config.toml: `~` expanded, relative to the file's folder."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else config_file(home).parent / path
