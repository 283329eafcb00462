"""`watch doctor`: everything a demo needs, checked in order, each with a fix for what is wrong.

Each check returns a Check; a later check that depends on an earlier one (a test generation needs a model) is
skipped with a note instead of failing twice.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from player.engine.llm.backend import Backend, Generated, ModelError, Request, drain
from player.engine.catalog.films import Catalog, reading_seconds
from player.engine.base.errors import WatchError
from player.engine.base.text import counted
from player.engine.ending.plan import BEATS
from player.engine.history.store import History
from player.engine.llm.service import ModelService
from player.engine.base.terminal import MIN_HEIGHT, MIN_WIDTH

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skipped"
TEST_PROMPT = "The lighthouse keeper climbed the stairs one last time. At the top, he"
TOKENS_PER_WORD = 1.3  # English prose in the default model's tokenizer, about
BEAT_WORDS = 17  # a written beat of Your ending, on average: one sentence (48 endings, benchmarks/eval_quality.py)


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""


def terminal(env: Mapping[str, str]) -> list[Check]:
    columns, lines = shutil.get_terminal_size(fallback=(0, 0))
    if not sys.stdout.isatty():
        size = Check("terminal size", WARN, "not a terminal (output is redirected)",
                     f"run `watch` itself in a terminal window of at least {MIN_WIDTH}x{MIN_HEIGHT}")
    elif columns < MIN_WIDTH or lines < MIN_HEIGHT:
        size = Check("terminal size", FAIL, f"{columns}x{lines}", f"make the window at least {MIN_WIDTH}x{MIN_HEIGHT}")
    else:
        size = Check("terminal size", OK, f"{columns}x{lines}")
    term, colorterm = env.get("TERM", ""), env.get("COLORTERM", "")
    if colorterm in ("truecolor", "24bit"):
        colours = Check("terminal colours", OK, f"true colour (COLORTERM={colorterm})")
    elif "256color" in term:
        colours = Check("terminal colours", OK, f"256 colours (TERM={term})")
    elif term in ("", "dumb"):
        colours = Check("terminal colours", FAIL, f"TERM={term or '(not set)'}", "set TERM=xterm-256color")
    else:
        colours = Check("terminal colours", WARN, f"TERM={term}: maybe only 8 colours",
                        "set TERM=xterm-256color if your terminal supports it")
    return [size, colours]


def data_dir(home: Path, viewer: str) -> list[Check]:
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=home, prefix=".doctor-"):
            pass
        writable = Check("data directory", OK, f"{home} is writable")
    except OSError as error:
        writable = Check("data directory", FAIL, f"{home}: {error.strerror or error}",
                         "free some space or fix the permissions, or point WATCH_HOME at a writable folder")
    try:
        history = History(home, viewer)
        events, sessions = history.counts()
        detail = f"viewer {viewer}: {counted(events, 'event')}, {counted(sessions, 'session')}"
        readable = Check("history", WARN if history.notices else OK,
                         detail + (f"; {history.notices[0]}" if history.notices else ""),
                         "the damaged file was moved aside; nothing else to do" if history.notices else "")
    except (OSError, WatchError) as error:
        readable = Check("history", FAIL, str(error), "check the data directory above")
    return [writable, readable]


def catalog(folders: list[Path]) -> Check:
    films = Catalog.load(folders)
    if films.broken:
        names = ", ".join(path.name for path in films.broken)
        first = next(iter(films.broken))
        return Check("catalog", FAIL, f"{counted(len(films.films), 'title')}; invalid: {names}",
                     f"run `watch check {first}`")
    if not films.films:
        return Check("catalog", FAIL, "no titles", "reinstall watch, or add titles with --catalog or WATCH_CATALOG")
    return Check("catalog", OK, f"{counted(len(films.films), 'title')}, all valid")


def llama_imports() -> Check:
    """In a child process: importing llama.cpp prints, and must not load into the player's own process."""
    code = "import llama_cpp, sys; sys.stdout.write(llama_cpp.__version__)"
    try:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return Check("llama-cpp-python", FAIL, "importing it did not finish in 60 s", "reinstall it")
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        return Check("llama-cpp-python", FAIL, last[:120],
                     'reinstall: CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install --force-reinstall llama-cpp-python==0.3.36')
    return Check("llama-cpp-python", OK, f"version {result.stdout.strip()} imports")


def needed_speed(first_token_seconds: float) -> float:
    """The tokens/s at which the model keeps pace with Your ending at 1x: the writer writes each beat while the
    one before it plays (ending/writer.py), so an average beat must be read and written in the time one plays
    (reading_seconds, as the writer times its beats). Its prompt holds the ending so far after the story prefix
    (half an ending on average), read anew each beat: its time is scaled from the test's first token. Every word
    of the beat counts as written (its opener is given), which leaves room for the tokens cut off after the
    sentence and for a refused try. inf when reading the prompt alone takes longer than a beat plays."""
    plays = reading_seconds(" ".join(["word"] * BEAT_WORDS))
    reading = first_token_seconds * (BEATS / 2 * BEAT_WORDS) / len(TEST_PROMPT.split())
    if reading >= plays:
        return math.inf
    return math.ceil(BEAT_WORDS * TOKENS_PER_WORD / (plays - reading))


def generation(generated: Generated) -> Check:
    """The test generation's speed, judged against what Your ending needs."""
    speed = generated.tokens / generated.seconds if generated.seconds else 0.0
    rate = f"{speed:.1f}" if speed < 10 else f"{speed:.0f}"  # one decimal: 3.4 must not read as 3 beside "needs ~4"
    found = (f"{counted(generated.tokens, 'token')}, first after {generated.first_token_seconds * 1000:.0f} ms, "
             f"{rate} tokens/s")
    if not generated.tokens:
        return Check("test generation", WARN, found, "the model wrote nothing; try another model")
    needed = needed_speed(generated.first_token_seconds)
    fix = ("free some cores or set --threads N, use a smaller model or a faster server, or play with --no-ai "
           "(the authored endings)")
    if needed == math.inf:
        return Check("test generation", WARN, f"{found}: too slow for Your ending to keep pace (reading each "
                                              "beat's prompt takes longer than a beat plays)", fix)
    if speed < needed:
        return Check("test generation", WARN,
                     f"{found}: too slow for Your ending to keep pace (needs ~{needed} tokens/s)", fix)
    return Check("test generation", OK, f"{found}; Your ending needs ~{needed} tokens/s")


def model(backend: Backend | None, what: str, progress: Callable[[str, float], None] | None = None) -> list[Check]:
    """Load the model (or reach the server), then a short generation with its speed. Both go through
    ModelService, as in the player: any exception stops there (an unforeseen one is logged once, with its
    traceback) and reaches the table as one line."""
    if backend is None:
        return [Check(what, SKIP, "--no-ai: no model is used")]
    service = ModelService(lambda: backend, progress or (lambda what, fraction: None))
    started = time.perf_counter()
    try:
        described = service.use(lambda ready: ready.describe())
    except ModelError as error:
        fix = "see `watch models`; use --model PATH, or for a server check --url and that it is running"
        return [Check(what, FAIL, str(error), fix), Check("test generation", SKIP, "no model")]
    name = described.get("model", "?")
    where = described.get("url") or described.get("path", "")
    loaded = Check(what, OK, f"{name} ({where}) ready in {time.perf_counter() - started:.1f} s")
    request = Request(prompt=TEST_PROMPT, max_tokens=32, stop=(), seed=1)
    try:
        _, generated = service.use(lambda ready: drain(ready.stream(request)))
    except ModelError as error:
        return [loaded, Check("test generation", FAIL, str(error), "see the log named above")]
    checks = [loaded, generation(generated)]
    reason = getattr(backend, "threads_reason", None)  # a local model: what the test generation used, and why
    if reason:
        checks.append(Check("threads", OK, reason, "fix it with --threads N or `threads = N` in config.toml"))
    return checks


def environment_note(env: Mapping[str, str]) -> str:
    """What the configuration came from, for the table's heading."""
    parts = [f"WATCH_HOME={env['WATCH_HOME']}"] if env.get("WATCH_HOME") else []
    parts += [f"{key}={env[key]}" for key in ("WATCH_BACKEND", "WATCH_URL", "WATCH_MODEL") if env.get(key)]
    return ", ".join(parts) or "defaults"


def run_checks(home: Path, viewer: str, catalog_folders: list[Path], backend: Backend | None, backend_name: str,
               env: Mapping[str, str] = os.environ,
               progress: Callable[[str, float], None] | None = None) -> list[Check]:
    checks = terminal(env) + data_dir(home, viewer) + [catalog(catalog_folders)]
    if backend_name == "local":
        checks.append(llama_imports())
    checks += model(backend, "model" if backend_name == "local" else "server", progress)
    if backend is not None:
        backend.close()
    return checks
