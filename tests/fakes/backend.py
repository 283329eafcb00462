"""A stand-in for the model in UI tests: deterministic text, optional delays and failures. The real llama.cpp path
is tested in tests/process and tests/e2e."""

from __future__ import annotations

import random
import time

from player.engine.backend import Generated, ModelError, Request

WORDS = ("the lamp burns over the water and everyone on the quay looks up at last while the tide turns "
         "slowly toward the harbour wall").split()


class FakeBackend:
    def __init__(self, *, fail_start: str | None = None, fail_after: int | None = None, delay: float = 0.0,
                 pieces: int = 8):
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

    def prewarm(self, prefix: str) -> None:
        self.prewarmed.append(prefix)

    def stream(self, request: Request):
        self.prompts.append(request.prompt)
        rng = random.Random(request.seed)
        text = ""
        for index in range(self.pieces):
            if self.fail_after is not None and self.sent >= self.fail_after:
                raise ModelError("the model stopped writing (no token for 10 s)")
            if self.delay:
                time.sleep(self.delay)
            piece = " " + rng.choice(WORDS)
            text += piece
            self.sent += 1
            yield piece
        yield "."
        return Generated(text + ".", self.pieces + 1, 0.01, 0.02, "stop")

    def describe(self) -> dict:
        return {"backend": "fake", "model": "fake-model", "sha256": "0" * 64}

    def close(self) -> None:
        self.closed = True
