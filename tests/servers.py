"""Real servers for tests and benchmarks: llama-cpp-python's OpenAI-compatible server in a child process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

START_BUDGET = 60.0  # seconds for the server to load the model and answer GET /v1/models


class LlamaCppServer:
    """llama-cpp-python's OpenAI-compatible server in a child process, on a free port of 127.0.0.1.
    Also used by benchmarks/bench_generation.py."""

    def __init__(self, model: Path, log_path: Path, threads: int = 1, n_ctx: int = 4096):
        # One thread by default: the player under test runs beside the server, and on CI's 2 cores a server on 2
        # threads next to it collapsed (an ending not written in 120 s; docs/endings.md has the figures).
        self.model, self.log_path = model, log_path
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        # logits_all defaults to true in the server: logits for every prompt token over Gemma's 262k vocabulary
        # made a 1200-token prompt take 3 times as long (9.9 s against 3.2 s here), and nothing here needs them.
        self.command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                        "--port", str(self.port), "--n_threads", str(threads), "--n_threads_batch", str(threads),
                        "--n_ctx", str(n_ctx), "--logits_all", "false", "--verbose", "false"]
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> LlamaCppServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """Start it and wait until it answers; a RuntimeError says why it did not, with the end of its log."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                            start_new_session=True)
        try:
            self._wait_until_it_answers()
        except BaseException:
            self.stop()
            raise

    def _wait_until_it_answers(self) -> None:
        deadline = time.monotonic() + START_BUDGET
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with status {self.process.returncode} (is the [server] "
                                   f"extra installed?): {self._last_lines()}")
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=1) as answer:
                    if json.load(answer)["data"]:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"llama_cpp.server did not answer GET /v1/models in {START_BUDGET:g} s: "
                           f"{self._last_lines()}")

    def _last_lines(self) -> str:
        lines = self.log_path.read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-5:]) or "(no output)"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
