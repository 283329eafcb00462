"""LocalBackend: a local GGUF model, run by llama.cpp in a child process (worker.py), behind backend.Backend.

Why a process: a crash inside llama.cpp (a damaged GGUF can do that) must not take the player down, and nothing
llama.cpp prints may reach the terminal Textual draws. The worker's stderr goes to `<data dir>/logs/model.log`;
its stdout is the JSON-lines protocol (see worker.py), read here by a thread into a queue, so that every wait
has a deadline that measures liveness, not wall time: the worker reports progress while it loads (a heartbeat),
while it evaluates a prompt (after every batch), with every token, and every second in which it computed; only
STALL_BUDGET seconds with no progress at all is a stall. A slow but live worker is never stopped. A worker that
dies, or stalls (and is then killed), becomes a ModelError with one line for the user.

Threads: each request carries the thread count, chosen when it starts from the cores free then (threads.py),
unless a setting (--threads, config.toml `threads`) fixes it.

Thread-safety: one request at a time. stream() and prewarm() hold a lock for the whole request; another caller
waits up to the stall budget, then gets ModelError. close() may be called from any thread at any time: it kills
the worker at once, and a stream() in progress raises ModelError(CLOSED) straight away. queue_prewarm() takes no
lock: it only hands the prefix to the worker and returns.
Close (or exhaust) the iterator that stream() returns: closing it early cancels the generation in the worker.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, Mapping

from player.engine.llm import model_files
from player.engine.llm import threads
from player.engine.llm.backend import (CLOSED, STALL_BUDGET, Generated, ModelError, ModelGone, Progress, Request,
                                      one_request_at_a_time)
from player.engine.base.locations import PACKAGE_DIR, model_log
from player.engine.base.text import folded

LOADING = "Loading the model"
READING = "Reading the story"
LOG_LIMIT = 1 << 20  # model.log is moved aside to model.log.1 past this size
log = logging.getLogger("watch.model")
# `python -m player.engine.llm.worker`, but also from a source checkout that is not installed: the checkout is
# appended to sys.path (appended, so that it can never shadow the standard library or an installed package).
WORKER = (f"import sys; sys.path.append({str(PACKAGE_DIR.parent)!r}); "
          "from player.engine.llm.worker import main; main()")


class Worker:
    """One worker process and the thread that reads its answers into a queue (None when it is gone)."""

    def __init__(self, log_path: Path, python: str = sys.executable):
        self.log_path = log_path
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            if log_path.is_file() and log_path.stat().st_size > LOG_LIMIT:
                os.replace(log_path, log_path.with_name(log_path.name + ".1"))
            with open(log_path, "ab") as log_file:
                self.log_start = log_file.tell()
                # A new session: the terminal's Ctrl+C and Ctrl+Z reach the player, which decides for the worker.
                self.process = subprocess.Popen([python, "-c", WORKER], stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE, stderr=log_file, start_new_session=True)
        except OSError as error:
            raise ModelError(f"could not start the model process: {error.strerror or error}") from None
        self.answers: queue.Queue[dict | None] = queue.Queue()
        self._ids = itertools.count(1)
        self._send_lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True, name="model-answers").start()

    def _read(self) -> None:
        for line in self.process.stdout:
            try:
                self.answers.put(json.loads(line))
            except ValueError:
                log.warning("model worker wrote a line that is not JSON: %r", line[:200])
        self.answers.put(None)

    def send(self, op: str, rid: int | None = None, **fields) -> int:
        rid = next(self._ids) if rid is None else rid
        data = (json.dumps({"op": op, "id": rid, **fields}) + "\n").encode()
        with self._send_lock:
            try:
                self.process.stdin.write(data)
                self.process.stdin.flush()
            except (OSError, ValueError):
                pass  # the worker is gone: the reading thread sees EOF and the waiting side reports it
        return rid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float = 2.0) -> None:
        """Close its stdin (it exits at once on EOF); kill it if it does not."""
        with self._send_lock:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        try:
            self.process.kill()  # SIGKILL also ends a stopped (SIGSTOP) process
        except ProcessLookupError:
            pass
        self.answers.put(None)  # wakes a waiting request now, before the reading thread sees EOF
        self.process.wait()

    def status(self) -> str:
        try:
            code = self.process.wait(5)
        except subprocess.TimeoutExpired:  # closed its stdout but lives on: not usable either
            self.kill()
            code = self.process.returncode
        if code < 0:
            return f"signal {-code}"
        return f"exit status {code}"

    def load_problem(self) -> str | None:
        """llama.cpp's reason for refusing the file, from what this worker wrote to the log."""
        try:
            with open(self.log_path, "rb") as file:
                file.seek(self.log_start)
                text = file.read().decode("utf-8", "replace")
        except OSError:
            return None
        found = re.findall(r"error loading model: (.+)", text)
        return folded(found[-1]) if found else None


class LocalBackend:
    """backend.Backend for a local GGUF model. See the module docstring for threads and deadlines."""

    def __init__(self, home: Path, cli_model: Path | None = None, env: Mapping[str, str] = os.environ, *,
                 n_threads: int | None = None, threads_from: str = "--threads", stall_budget: float = STALL_BUDGET,
                 python: str = sys.executable):
        """n_threads fixes the thread count (threads_from says which setting did); None follows the free cores."""
        self.home, self.cli_model, self.env = Path(home), cli_model, env
        self.fixed_threads = threads.fixed(n_threads, threads_from) if n_threads else None
        self.n_threads, self.threads_reason = self.fixed_threads or threads.free_threads()
        self.stall_budget = stall_budget
        self.python = python
        self.model: model_files.DiscoveredModel | None = None  # what discovery chose; .settings says how to prompt it
        self.path: Path | None = None
        self.sha256: str | None = None
        self._worker: Worker | None = None
        self._lock = threading.Lock()  # one request at a time
        self._closed = False
        self._prefix: str | None = None  # the last prewarmed prefix

    @property
    def log_path(self) -> Path:
        return model_log(self.home)

    @property
    def settings(self) -> model_files.ModelSettings:
        if self.model is None:
            raise ModelError("the model is not started")
        return self.model.settings

    # ---- Backend ---------------------------------------------------------------------------------------------

    def start(self, progress: Progress | None = None) -> None:
        with self._request():
            self._closed = False
            model = model_files.active_model(self.home, self.cli_model, self.env)
            path = model_files.prepare(model, self.home, progress)
            self._stop_worker()
            worker, rid = self._spawn(path, model.settings.n_ctx)
            try:
                self.sha256 = model_files.file_sha256(path, self.home, progress)  # while the worker loads
            except BaseException:
                worker.kill()
                raise
            self._loaded(worker, rid, path, progress)
            self.model, self.path, self._worker = model, path, worker

    def choose_threads(self) -> tuple[int, str]:
        """The thread count for a request starting now, and why; kept for describe()."""
        self.n_threads, self.threads_reason = self.fixed_threads or threads.free_threads()
        return self.n_threads, self.threads_reason

    def prewarm(self, prefix: str, progress: Progress | None = None) -> None:
        """Backend.prewarm: the worker reads `prefix`, and this returns once it has, calling progress(READING,
        fraction) as it reads. Only an optimisation: without a running worker it does nothing now, and a worker
        started again after a failure reads the last prefix first (the text for a seed depends on it:
        worker.Model.reuse)."""
        self._prefix = prefix
        worker = self._worker
        if worker is None or not worker.alive:
            return
        with self._request():
            rid = worker.send("prewarm", prompt=prefix, n_threads=self.choose_threads()[0])
            if progress:
                progress(READING, 0.0)
            answer = self._answer(worker, rid, "finished reading the story", progress and (
                lambda done, total: progress(READING, done / total if total else 0.0)))
            if answer["event"] == "error":
                raise ModelError(f"the model could not read the story: {answer['message']}")
            if progress:
                progress(READING, 1.0)

    def queue_prewarm(self, prefix: str) -> None:
        """Like prewarm(), but return at once: the worker reads `prefix` before its next request, which waits for
        it there. Local only, since a server has no queue to leave it in."""
        self._prefix = prefix
        worker = self._worker
        if worker is not None and worker.alive:
            worker.send("prewarm", prompt=prefix, n_threads=self.choose_threads()[0])

    def stream(self, request: Request) -> Iterator[str]:
        with self._request():
            worker = self._running()
            rid = worker.send("generate", prompt=request.prompt, max_tokens=request.max_tokens,
                              stop=list(request.stop), seed=request.seed, sampler=request.sampler.as_dict(),
                              n_threads=self.choose_threads()[0])
            started, first, pieces, logprobs = time.monotonic(), None, [], []
            while True:
                answer = self._answer(worker, rid, "written its next word" if first else "written its first word")
                if answer["event"] == "piece":
                    first = time.monotonic() - started if first is None else first
                    if "logprob" in answer:
                        logprobs.append(float(answer["logprob"]))
                    if answer["text"]:
                        pieces.append(answer["text"])
                        try:
                            yield answer["text"]
                        except GeneratorExit:  # the caller closed us early: stop the worker's generation too
                            self._cancel(worker, rid)
                            raise
                elif answer["event"] == "done":
                    return Generated(text="".join(pieces), tokens=answer["tokens"],
                                     first_token_seconds=first if first is not None else time.monotonic() - started,
                                     seconds=time.monotonic() - started, stopped_by=answer["stopped_by"],
                                     logprobs=tuple(logprobs))
                else:
                    raise ModelError(f"the model could not write: {answer.get('message', 'unknown error')}")

    def describe(self) -> dict:
        """What produced the text, for the saved ending; with the model's recommended settings (models.toml)."""
        if self.model is None or self.path is None:
            return {"backend": "local", "model": None, "n_threads": self.n_threads}  # as used by the last request
        settings = self.model.settings
        return {"backend": "local", "model": settings.name, "file": self.path.name, "path": str(self.path),
                "sha256": self.sha256, "source": self.model.source, "n_ctx": settings.n_ctx,
                "n_threads": self.n_threads, "prompting": settings.prompting, "sampler": settings.sampler.as_dict(),
                "max_tokens_per_beat": settings.max_tokens_per_beat}

    def close(self) -> None:
        """From any thread: kill the worker now (it may be mid-computation; nothing it holds is worth waiting
        for), so that a blocked stream() raises ModelError(CLOSED) at once."""
        self._closed = True
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.kill()

    # ---- the worker ------------------------------------------------------------------------------------------

    def _spawn(self, path: Path, n_ctx: int) -> tuple[Worker, int]:
        worker = Worker(self.log_path, self.python)
        return worker, worker.send("load", path=str(path), n_ctx=n_ctx, n_threads=self.choose_threads()[0])

    def _loaded(self, worker: Worker, rid: int, path: Path, progress: Progress | None) -> None:
        if progress:
            progress(LOADING, 0.0)
        try:
            answer = self._answer(worker, rid, "loaded")
            if answer["event"] == "error":
                reason = worker.load_problem() or "llama.cpp could not read it"
                raise ModelError(f"could not load {path.name}: {reason}; details in {self.log_path}")
        except BaseException:
            worker.kill()
            raise
        if progress:
            progress(LOADING, 1.0)

    def _running(self) -> Worker:
        """The worker; started again, quietly and from the prepared file, if a failure ended the last one."""
        if self._closed:
            raise ModelError(CLOSED)
        if self.path is None or self.model is None:
            raise ModelError("the model is not started")
        worker = self._worker
        if worker is None or not worker.alive:
            worker, rid = self._spawn(self.path, self.model.settings.n_ctx)
            self._loaded(worker, rid, self.path, None)
            if self._prefix is not None:
                worker.send("prewarm", prompt=self._prefix, n_threads=self.n_threads)
            self._worker = worker
            if self._closed:  # close() ran meanwhile on another thread
                self._stop_worker()
                raise ModelError(CLOSED)
        return worker

    def _stop_worker(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop()

    def _forget(self, worker: Worker) -> None:
        if self._worker is worker:
            self._worker = None

    def _request(self):
        return one_request_at_a_time(self._lock, self.stall_budget)

    def _answer(self, worker: Worker, rid: int, doing: str, on_progress=None) -> dict:
        """The next answer to request `rid` other than progress. Any message from the worker, progress on an
        earlier request included, proves it is alive and restarts the stall budget; only that long with nothing
        at all is a stall, which kills the worker. Answers to earlier requests (a prewarm nobody waited for, a
        cancelled generation) are skipped. on_progress(done, total) hears this request's progress."""
        budget = self.stall_budget
        while True:
            try:
                answer = worker.answers.get(timeout=budget)
            except queue.Empty:
                worker.kill()
                self._forget(worker)
                raise ModelError(f"the model made no progress for {budget:g} s (it had not {doing}), so it was "
                                 f"stopped; details in {self.log_path}") from None
            if answer is None:
                worker.answers.put(None)  # for any later wait on this worker, too
                self._forget(worker)
                if self._closed:
                    raise ModelError(CLOSED)
                raise ModelGone(f"the model process stopped unexpectedly ({worker.status()}); "
                                 f"details in {self.log_path}")
            if answer.get("event") == "alive":  # computing, between two reports of progress
                continue
            if answer.get("event") == "progress":
                if on_progress and answer.get("id") == rid:
                    on_progress(answer.get("done", 0), answer.get("total", 0))
                continue
            if answer.get("id") == rid:
                return answer
            if answer.get("event") == "error":
                log.info("model worker: request %s failed: %s", answer.get("id"), answer.get("message"))

    def _cancel(self, worker: Worker, rid: int) -> None:
        """Stop a generation nobody reads any more, and wait for its end so that the next request starts clean."""
        worker.send("cancel", rid=rid)
        try:
            while self._answer(worker, rid, "stopped")["event"] == "piece":
                pass
        except ModelError as error:
            log.info("while cancelling: %s", error)  # that worker is gone; the next request starts another
