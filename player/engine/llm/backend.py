"""What the ending writer needs from a language model, whatever runs it: a local GGUF in a separate process, a
server over HTTP, or a fake in tests.

Every failure a user may meet (no model, a damaged file, a crashed or stalled process, a server that does not
answer) is a ModelError with a one-line, plain-English message; the player shows it and plays an authored ending.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol

from player.engine.base.errors import WatchError

# A stall is no progress at all for this long (docs/endings.md, "When things go wrong"). The local worker reports
# progress while it loads, reads a prompt and writes, and even a laptop at load average 8 makes progress every
# few seconds, so 30 s of nothing means stopped, not slow.
STALL_BUDGET = 30.0
# A server says nothing while it reads a prompt, so the OpenAI backend alone also waits this long for a first word.
FIRST_TOKEN_BUDGET = 60.0


CLOSED = "the model was closed"  # what a request gets when close() ran on another thread


class ModelError(WatchError):
    """The model could not be loaded or did not answer. The message is one line for the user."""


class ModelGone(ModelError):
    """The model process died (killed, or crashed) rather than refused: starting it again may well work."""


@dataclass(frozen=True)
class Sampler:
    """Sampling settings. Saved with every ending, so a replay or a re-generation knows what was used."""

    temperature: float = 0.8
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1

    def as_dict(self) -> dict:
        return {"temperature": self.temperature, "top_p": self.top_p, "top_k": self.top_k, "min_p": self.min_p,
                "repeat_penalty": self.repeat_penalty}


@dataclass(frozen=True)
class Request:
    """One completion: continue `prompt` (plain text, a story to continue) until a stop string or max_tokens."""

    prompt: str
    max_tokens: int = 60
    stop: tuple[str, ...] = ("\n",)
    seed: int = 0
    sampler: Sampler = field(default_factory=Sampler)


@dataclass(frozen=True)
class Generated:
    """What a finished request produced, with timings for the benchmarks."""

    text: str
    tokens: int
    first_token_seconds: float
    seconds: float
    stopped_by: str  # "stop", "length" or "eos"
    # log-probability of each generated token under the model (raw logits, before the sampler), in order; empty
    # when the backend cannot tell (a server without logprobs)
    logprobs: tuple[float, ...] = ()


def drain(stream: Iterator[str], on_piece: Callable[[str], None] = lambda piece: None
          ) -> tuple[list[str], "Generated | None"]:
    """Read a stream() to its end: every piece (each also passed to on_piece as it comes), and the Generated
    the stream returns."""
    pieces = []
    while True:
        try:
            piece = next(stream)
        except StopIteration as done:
            return pieces, done.value
        pieces.append(piece)
        on_piece(piece)


@contextmanager
def one_request_at_a_time(lock: threading.Lock, wait: float) -> Iterator[None]:
    """A backend runs one request at a time; a second caller waits up to `wait` seconds, then is told why."""
    if not lock.acquire(timeout=wait):
        raise ModelError("the model is busy with another request")
    try:
        yield
    finally:
        lock.release()


Progress = Callable[[str, float], None]  # (what is happening, fraction done 0..1) for long waits


class Wait:
    """One wait the viewer sees: the model getting ready while the film plays, or Your ending from the choice
    to its first word. Created once per wait, before anything in it starts, and passed down (ModelService.prepare
    and use), so that every step in it (waiting for the model, starting it, reading the story, the first word)
    draws on one budget, never one budget each.

    A server, which reports no progress, bounds a wait by wall-clock time: its first-token budget from `since`
    (OpenAIBackend). The local model ignores it: only a stall stops it, so a slow but live worker is never
    stopped. Once the first word has come (`over`), each later request has a budget of its own."""

    def __init__(self) -> None:
        self.since = time.monotonic()
        self.over = False

    def due(self, budget: float) -> float:
        """When a step that starts now, and may take `budget` seconds, must be done."""
        return time.monotonic() + budget if self.over else self.since + budget


# The wait in progress on this thread. ModelService sets it around the backend calls it makes; a backend reads it
# there, not from a parameter, so that the Backend protocol and the writer (which calls stream()) stay as they are.
_waiting: ContextVar[Wait | None] = ContextVar("watch_wait", default=None)


@contextmanager
def waiting(wait: Wait) -> Iterator[Wait]:
    """Make `wait` the current wait of this thread for the backend calls made inside."""
    token = _waiting.set(wait)
    try:
        yield wait
    finally:
        _waiting.reset(token)


def current_wait() -> Wait:
    """The wait the backend call in progress belongs to; a call made outside any (watch doctor, a test) is a wait
    of its own, starting now."""
    return _waiting.get() or Wait()


class Backend(Protocol):
    def start(self, progress: Progress | None = None) -> None:
        """Get ready (find, prepare and load the model). May take seconds; reports progress. Raises ModelError."""

    def prewarm(self, prefix: str, progress: Progress | None = None) -> None:
        """Evaluate a prompt prefix now, so that a later request that starts with it only evaluates the rest, and
        return once it is done, calling progress(what, fraction) along the way if given. Raises ModelError."""

    def stream(self, request: Request) -> Iterator[str]:
        """The generated text, piece by piece as it is written. Raises ModelError on failure or timeout.
        The last value the iterator returns (StopIteration.value) is a Generated."""

    def describe(self) -> dict:
        """What produced the text, for the saved ending: at least `backend` and `model`; a local model adds
        `path` and `sha256`, a server adds `url`."""

    def close(self) -> None:
        """Stop any process or connection. Safe to call twice."""
