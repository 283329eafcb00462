"""A stand-in for the model in UI tests: deterministic text, optional delays and failures. The real llama.cpp path
is tested in tests/process and tests/e2e."""

from __future__ import annotations

import random
import threading
import time

from player.engine.llm.backend import CLOSED, Generated, ModelError, Request

WORDS = ("the lamp burns over the water and everyone on the quay looks up at last while the tide turns "
         "slowly toward the harbour wall").split()


class FakeBackend:
    def __init__(self, *, fail_start: str | None = None, fail_after: int | None = None, delay: float = 0.0,
                 pieces: int = 8, block_after: int | None = None, reading: threading.Event | None = None):
        """`block_after`: after this many pieces in all, the stream waits until close(), then raises as a closed
        real backend does. `reading`: prewarm reports that it is reading the story and waits for this event (or
        close())."""
        self.block_after = block_after
        self.reading = reading
        self.unblocked = threading.Event()  # set by close()
        self.fail_start = fail_start
        self.fail_after = fail_after  # raise ModelError after this many pieces in all
        self.delay = delay
        self.pieces = pieces
        self.prompts: list[str] = []
        self.prewarmed: list[str] = []
        self.sent = 0
        self.closed = False

    def start(self, progress=None) -> None:
        if progress:
            progress("loading the fake model", 0.5)
        if self.fail_start:
            raise ModelError(self.fail_start)

    def prewarm(self, prefix: str, progress=None) -> None:
        if self.reading is not None:
            if progress:
                progress("reading the story", 0.4)
            while not (self.reading.wait(0.01) or self.unblocked.is_set()):
                pass
            if self.closed:
                raise ModelError(CLOSED)
            if progress:
                progress("reading the story", 1.0)
        self.prewarmed.append(prefix)

    def stream(self, request: Request):
        self.prompts.append(request.prompt)
        rng = random.Random(request.seed)
        text = ""
        for index in range(self.pieces):
            if self.fail_after is not None and self.sent >= self.fail_after:
                raise ModelError("the model stopped writing (no token for 10 s)")
            if self.block_after is not None and self.sent >= self.block_after:
                self.unblocked.wait()
                raise ModelError(CLOSED)
            if self.delay:
                time.sleep(self.delay)
            piece = " " + rng.choice(WORDS)
            text += piece
            self.sent += 1
            yield piece
        yield "."
        # plausible log-probabilities, one per token, from the seed: a real model's run about -0.5 to -3
        logprobs = tuple(-0.5 - 2.5 * rng.random() for _ in range(self.pieces + 1))
        return Generated(text + ".", self.pieces + 1, 0.01, 0.02, "stop", logprobs=logprobs)

    def describe(self) -> dict:
        return {"backend": "fake", "model": "fake-model", "sha256": "0" * 64}

    def close(self) -> None:
        self.closed = True
        self.unblocked.set()


class Mischief(FakeBackend):
    """A model whose every beat is markup, a terminal escape and a bell: all of it must be shown as written."""

    def stream(self, request):
        yield " [bold]bold[/] \x1b[2J [link=x]y[/link] \x07 done"
        return None
