"""The model process: llama.cpp runs here, apart from the UI (process.LocalBackend starts it).

    python -m player.engine.llm.worker

The protocol is JSON lines on the worker's original stdin and stdout. At start the worker keeps a duplicate of
its stdout for the protocol and points fds 1 and 2 at stderr (the parent's log file) before llama_cpp is
imported, so nothing llama.cpp prints, and no fd juggling of `verbose=False`, can reach the parent's terminal.

Requests carry an `id` that every answer to them repeats:
  {"op": "load", "id", "path", "n_ctx", "n_threads"}     -> {"event": "loaded", "n_ctx", "seconds"}
      while it loads: {"event": "progress", "done": 0, "total": 0} every HEARTBEAT seconds
  {"op": "prewarm", "id", "prompt", "n_threads"}          -> {"event": "prewarmed", "tokens", "reused", "seconds"}
      a later generate whose prompt starts with this prefix evaluates only the rest (Model.reuse says why
      nothing else is reused)
  {"op": "generate", "id", "prompt", "max_tokens", "stop", "seed", "n_threads", "sampler": {temperature, top_p,
      top_k, min_p, repeat_penalty}}
      -> {"event": "piece", "text", "tokens", "logprob"} for every token (text is "" while it may begin a stop
         string; the last piece may hold such text with "tokens": 0 and no logprob); logprob is the token's
         log-probability under the model's raw logits (before the sampler's temperature and penalties),
      -> {"event": "progress", "done", "total"} after each batch of the prompt it evaluates (prewarm too),
  while any request runs: {"event": "alive"} each HEARTBEAT seconds in which it computed (class Alive),
      -> then {"event": "done", "tokens", "prompt_tokens", "first_token_seconds", "seconds", "stopped_by"}
         with stopped_by "stop", "length", "eos" or "cancel"
  {"op": "cancel", "id"}   the generation with that id stops at its next token (read on a thread; no answer)
Any request may be answered {"event": "error", "message"} instead. EOF on stdin ends the worker at once, and so
does the death of the parent (watch_parent), so that no model process outlives the player.
"""

from __future__ import annotations

import codecs
import ctypes
import json
import os
import queue
import signal
import sys
import threading
import time
import traceback
from typing import Callable, Iterable

from player.engine.base.text import folded

Send = Callable[[dict], None]
BATCH = 64  # tokens per prompt batch: small enough to report progress often, and always the same (see reuse)
PARENT_CHECK = 0.5  # seconds between looks at whether the parent is still alive
HEARTBEAT = 1.0  # seconds between progress reports while the model loads (llama.cpp does not say how far it is)


class StopFilter:
    """Cuts the text at the first stop string. Holds back a tail that may be the start of one, so that text
    which turns out to be part of a stop string is never sent."""

    def __init__(self, stops: Iterable[str]):
        self.stops = [stop for stop in stops if stop]
        self.held = ""

    def feed(self, text: str) -> tuple[str, bool]:
        """(text that is safe to send, whether a stop string was reached)."""
        text = self.held + text
        hits = [text.find(stop) for stop in self.stops if stop in text]
        if hits:
            self.held = ""
            return text[:min(hits)], True
        keep = max((size for stop in self.stops for size in range(1, len(stop))
                    if text.endswith(stop[:size])), default=0)
        self.held = text[len(text) - keep:] if keep else ""
        return text[:len(text) - keep], False

    def flush(self) -> str:
        text, self.held = self.held, ""
        return text


class Alive:
    """While a request runs, {"event": "alive"} every HEARTBEAT seconds in which this process used CPU time: a
    batch of a prompt can take longer than the stall budget on a crawling machine, and computing is progress. A
    stopped process sends nothing, nor does one blocked on something without computing."""

    def __init__(self, send: Send, rid):
        self.send, self.rid, self.done = send, rid, threading.Event()

    def __enter__(self) -> "Alive":
        threading.Thread(target=self._beat, daemon=True, name="alive").start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()

    def _beat(self) -> None:
        used = time.process_time()
        while not self.done.wait(HEARTBEAT):
            now = time.process_time()
            if now > used:
                self.send({"id": self.rid, "event": "alive"})
            used = now


class Model:
    """One llama.cpp model and the requests it serves, one at a time."""

    def __init__(self, send: Send, cancelled: set):
        self.send = send
        self.cancelled = cancelled  # ids of generations to stop, filled by the reading thread
        self.llm = None
        self.warm: list[int] | None = None  # the last prewarmed prefix, and whether the context still holds it
        self.warm_valid = False
        self._piece = ctypes.create_string_buffer(256)

    def handle(self, request: dict) -> None:
        rid = request.get("id")
        try:
            op = request.get("op")
            handler = {"load": self.load, "prewarm": self.prewarm, "generate": self.generate}.get(op)
            if handler is None:
                raise ValueError(f"unknown request {op!r}")
            if op != "load" and self.llm is None:
                raise RuntimeError("no model is loaded")
            with Alive(self.send, rid):
                answer = handler(rid, request)
            self.send({"id": rid, **answer})
        except Exception as error:  # llama.cpp raising on a damaged file, a prompt too long, a bad request...
            traceback.print_exc()  # into the log
            self.warm_valid = False  # the context may be half evaluated
            message = folded(str(error)) or type(error).__name__
            self.send({"id": rid, "event": "error", "message": message})

    def load(self, rid, request: dict) -> dict:
        from llama_cpp import Llama  # only now: fds 1 and 2 already point at the log

        started = time.perf_counter()
        threads = int(request["n_threads"])
        loading = threading.Event()

        def heartbeat() -> None:  # a live load is not a stalled one; a stopped process sends nothing
            while not loading.wait(HEARTBEAT):
                self.send({"id": rid, "event": "progress", "done": 0, "total": 0})
        threading.Thread(target=heartbeat, daemon=True, name="loading").start()
        try:
            # verbose=True: llama.cpp's own account (why a file would not load) goes to the log, which is all it
            # reaches; verbose=False would also send it to /dev/null.
            self.llm = Llama(model_path=request["path"], n_ctx=int(request["n_ctx"]), n_threads=threads,
                             n_threads_batch=threads, verbose=True)
        finally:
            loading.set()
        return {"event": "loaded", "n_ctx": self.llm.n_ctx(), "seconds": time.perf_counter() - started}

    def tokens(self, prompt: str) -> list[int]:
        """Prewarm and generate tokenize alike (BOS, no special tokens), so a prewarmed prefix matches."""
        tokens = self.llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
        if len(tokens) >= self.llm.n_ctx():
            raise ValueError(f"the prompt has {len(tokens)} tokens, more than the model's context of "
                             f"{self.llm.n_ctx()}")
        return tokens

    def use_threads(self, request: dict) -> None:
        """The parent picks the thread count at each request from the cores free then."""
        import llama_cpp

        if request.get("n_threads"):
            threads = max(1, int(request["n_threads"]))
            llama_cpp.llama_set_n_threads(self.llm._ctx.ctx, threads, threads)

    def evaluate(self, rid, tokens: list[int]) -> None:
        """Evaluate `tokens` after what the context holds, BATCH tokens at a time, reporting progress after each
        batch. Always the same batches for the same tokens from the same start: see reuse()."""
        total = len(tokens)
        for start in range(0, total, BATCH):
            self.llm.eval(tokens[start:start + BATCH])
            self.send({"id": rid, "event": "progress", "done": min(total, start + BATCH), "total": total})

    def prewarm(self, rid, request: dict) -> dict:
        started = time.perf_counter()
        tokens = self.tokens(request["prompt"])
        self.use_threads(request)
        reused = len(tokens) if tokens == self.warm and self.warm_valid else 0
        if not reused:
            self.warm_up(tokens, rid)
        return {"event": "prewarmed", "tokens": len(tokens), "reused": reused,
                "seconds": time.perf_counter() - started}

    def warm_up(self, tokens: list[int], rid=None) -> None:
        """Evaluate the prefix from an empty context, always in the same batches: see reuse()."""
        self.warm_valid = False
        self.llm.reset()
        self.evaluate(rid, tokens)
        self.warm, self.warm_valid = tokens, True

    def reuse(self, tokens: list[int], rid=None) -> None:
        """Keep in the context only what this prompt may reuse: the prewarmed prefix, when the prompt starts with
        it; llm.generate() then reuses exactly that and evaluates the rest in one go.

        Why not the longest cached prefix: llama.cpp's results depend on how tokens were batched (measured on
        Gemma 270M: the same last token's logits differ by up to 0.8 evaluated alone or in a batch), so reusing
        whatever an earlier request left would make the text depend on that request, and a seed would not
        reproduce an ending. This way the text depends only on the prewarmed prefix, the prompt, the seed and
        the sampler. The rest is evaluated in BATCH-token batches from the end of the prefix, except the last
        token, which llm.generate() evaluates alone."""
        warm = self.warm
        if warm and tokens[:len(warm)] == warm:
            if not self.warm_valid:  # a request without the prefix overwrote it
                self.warm_up(warm, rid)
            keep = len(warm) if len(tokens) > len(warm) else len(warm) - 1  # evaluate at least one token
        else:
            keep, self.warm_valid = 0, False  # evaluated from scratch, over the prefix
        self.llm.n_tokens = min(keep, self.llm.n_tokens)

    def generate(self, rid, request: dict) -> dict:
        import llama_cpp

        llm = self.llm
        started = time.perf_counter()
        tokens = self.tokens(request["prompt"])
        limit = min(int(request.get("max_tokens", 60)), llm.n_ctx() - len(tokens))
        sampler = request.get("sampler", {})
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may span tokens
        stops = StopFilter(request.get("stop", ()))
        first, count, stopped_by = None, 0, "length"
        self.use_threads(request)
        self.reuse(tokens, rid)
        self.evaluate(rid, tokens[llm.n_tokens:-1])  # with progress; generate() finds these and does the last
        llm.set_seed(int(request.get("seed", 0)))
        steps = llm.generate(tokens, temp=float(sampler.get("temperature", 0.8)),
                             top_p=float(sampler.get("top_p", 0.95)), top_k=int(sampler.get("top_k", 40)),
                             min_p=float(sampler.get("min_p", 0.05)),
                             repeat_penalty=float(sampler.get("repeat_penalty", 1.1)))
        try:
            while count < limit:
                if rid in self.cancelled:
                    stopped_by = "cancel"
                    break
                token = next(steps)
                if first is None:
                    first = time.perf_counter() - started
                if llama_cpp.llama_vocab_is_eog(llm._model.vocab, token):
                    stopped_by = "eos"
                    break
                count += 1
                text, hit = stops.feed(decoder.decode(self.piece(token)))
                self.send({"id": rid, "event": "piece", "text": text, "tokens": 1, "logprob": self.logprob(token)})
                if hit:
                    stopped_by = "stop"
                    break
        finally:
            steps.close()
            self.cancelled.discard(rid)
        if stopped_by in ("length", "eos"):  # send what was held back in case it began a stop string
            text, hit = stops.feed(decoder.decode(b"", final=True))
            text += "" if hit else stops.flush()
            stopped_by = "stop" if hit else stopped_by
            if text:
                self.send({"id": rid, "event": "piece", "text": text, "tokens": 0})
        return {"event": "done", "tokens": count, "prompt_tokens": len(tokens),
                "first_token_seconds": first if first is not None else time.perf_counter() - started,
                "seconds": time.perf_counter() - started, "stopped_by": stopped_by}

    def logprob(self, token: int) -> float:
        """log p(token) from the logits of the last decode, the ones this token was sampled from."""
        import numpy

        logits = numpy.ctypeslib.as_array(self.llm._ctx.get_logits(), shape=(self.llm.n_vocab(),))
        top = float(logits.max())
        return float(logits[token]) - top - float(numpy.log(numpy.exp(logits - top).sum()))

    def piece(self, token: int) -> bytes:
        """The token's bytes. Not llm.detokenize(): it uses a 32-byte buffer, and Gemma has longer tokens."""
        import llama_cpp

        size = llama_cpp.llama_token_to_piece(self.llm._model.vocab, token, self._piece, len(self._piece), 0,
                                              False)
        if size < 0:  # the buffer was too small: -size is what it needs
            self._piece = ctypes.create_string_buffer(-size)
            size = llama_cpp.llama_token_to_piece(self.llm._model.vocab, token, self._piece, -size, 0, False)
        return self._piece.raw[:size]


def claim_stdout() -> Send:
    """Keep the real stdout for the protocol; from now on fds 1 and 2 both go to stderr (the log)."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    lock = threading.Lock()

    def send(message: dict) -> None:
        with lock:
            channel.write(json.dumps(message) + "\n")  # ASCII only: one message is always one line
    return send


def read_requests(stream, requests: queue.Queue, cancelled: set, send: Send) -> None:
    """On a thread, so that a cancel arrives while a generation runs. EOF means the parent is gone or done."""
    for line in stream:
        try:
            request = json.loads(line)
        except ValueError:
            send({"id": None, "event": "error", "message": "a request that is not JSON"})
            continue
        if request.get("op") == "cancel":
            cancelled.add(request.get("id"))
        else:
            requests.put(request)
    sys.stderr.flush()
    os._exit(0)  # at once, even in the middle of a generation


def watch_parent(parent: int) -> None:
    """On a thread: exit at once when the parent is gone (we are then adopted, and getppid() changes). EOF on
    stdin usually says so first; this also covers a pipe kept open by some other process. Not prctl
    PR_SET_PDEATHSIG: it fires when the parent *thread* that started us ends, and the player starts the worker
    from a loading thread that ends long before the player does."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(0)


def main() -> None:
    # SIGINT ends the worker as SIGTERM does, at once and without a traceback (Python's KeyboardInterrupt would
    # wait for llama.cpp to return); the player notices, as it notices any death of its model process.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    parent = os.getppid()
    threading.Thread(target=watch_parent, args=(parent,), daemon=True, name="parent").start()
    send = claim_stdout()
    requests: queue.Queue = queue.Queue()
    cancelled: set = set()
    threading.Thread(target=read_requests, args=(sys.stdin.buffer, requests, cancelled, send), daemon=True,
                     name="requests").start()
    model = Model(send, cancelled)
    while True:
        model.handle(requests.get())


if __name__ == "__main__":
    main()
