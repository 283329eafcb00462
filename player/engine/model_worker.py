"""The model process: llama.cpp runs here, apart from the UI (model_process.LocalBackend starts it).

    python -m player.engine.model_worker

The protocol is JSON lines on the worker's original stdin and stdout. At start the worker keeps a duplicate of
its stdout for the protocol and points fds 1 and 2 at stderr (the parent's log file) before llama_cpp is
imported, so nothing llama.cpp prints, and no fd juggling of `verbose=False`, can reach the parent's terminal.

Requests carry an `id` that every answer to them repeats:
  {"op": "load", "id", "path", "n_ctx", "n_threads"}     -> {"event": "loaded", "n_ctx", "seconds"}
  {"op": "prewarm", "id", "prompt"}                       -> {"event": "prewarmed", "tokens", "reused", "seconds"}
      a later generate whose prompt starts with this prefix evaluates only the rest (Model.reuse says why
      nothing else is reused)
  {"op": "generate", "id", "prompt", "max_tokens", "stop", "seed", "sampler": {temperature, top_p, top_k,
      min_p, repeat_penalty}}
      -> {"event": "piece", "text", "tokens"} for every token (text is "" while it may begin a stop string;
         the last piece may hold such text with "tokens": 0),
      -> then {"event": "done", "tokens", "prompt_tokens", "first_token_seconds", "seconds", "stopped_by"}
         with stopped_by "stop", "length", "eos" or "cancel"
  {"op": "cancel", "id"}   the generation with that id stops at its next token (read on a thread; no answer)
Any request may be answered {"event": "error", "message"} instead. EOF on stdin ends the worker at once.
"""

from __future__ import annotations

import codecs
import ctypes
import json
import os
import queue
import sys
import threading
import time
import traceback
from typing import Callable, Iterable

Send = Callable[[dict], None]


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
            self.send({"id": rid, **handler(rid, request)})
        except Exception as error:  # llama.cpp raising on a damaged file, a prompt too long, a bad request...
            traceback.print_exc()  # into the log
            self.warm_valid = False  # the context may be half evaluated
            message = " ".join(str(error).split()) or type(error).__name__
            self.send({"id": rid, "event": "error", "message": message})

    def load(self, rid, request: dict) -> dict:
        from llama_cpp import Llama  # only now: fds 1 and 2 already point at the log

        started = time.perf_counter()
        threads = int(request["n_threads"])
        # verbose=True: llama.cpp's own account (why a file would not load) goes to the log, which is all it
        # reaches; verbose=False would also send it to /dev/null.
        self.llm = Llama(model_path=request["path"], n_ctx=int(request["n_ctx"]), n_threads=threads,
                         n_threads_batch=threads, verbose=True)
        return {"event": "loaded", "n_ctx": self.llm.n_ctx(), "seconds": time.perf_counter() - started}

    def tokens(self, prompt: str) -> list[int]:
        """Prewarm and generate tokenize alike (BOS, no special tokens), so a prewarmed prefix matches."""
        tokens = self.llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
        if len(tokens) >= self.llm.n_ctx():
            raise ValueError(f"the prompt has {len(tokens)} tokens, more than the model's context of "
                             f"{self.llm.n_ctx()}")
        return tokens

    def prewarm(self, rid, request: dict) -> dict:
        started = time.perf_counter()
        tokens = self.tokens(request["prompt"])
        reused = len(tokens) if tokens == self.warm and self.warm_valid else 0
        if not reused:
            self.warm_up(tokens)
        return {"event": "prewarmed", "tokens": len(tokens), "reused": reused,
                "seconds": time.perf_counter() - started}

    def warm_up(self, tokens: list[int]) -> None:
        """Evaluate the prefix from an empty context, always in the same batches: see reuse()."""
        self.warm_valid = False
        self.llm.reset()
        self.llm.eval(tokens)
        self.warm, self.warm_valid = tokens, True

    def reuse(self, tokens: list[int]) -> None:
        """Keep in the context only what this prompt may reuse: the prewarmed prefix, when the prompt starts with
        it; llm.generate() then reuses exactly that and evaluates the rest in one go.

        Why not the longest cached prefix: llama.cpp's results depend on how tokens were batched (measured on
        Gemma 270M: the same last token's logits differ by up to 0.8 evaluated alone or in a batch), so reusing
        whatever an earlier request left would make the text depend on that request, and a seed would not
        reproduce an ending. This way the text depends only on the prewarmed prefix, the prompt, the seed and
        the sampler."""
        warm = self.warm
        if warm and tokens[:len(warm)] == warm:
            if not self.warm_valid:  # a request without the prefix overwrote it
                self.warm_up(warm)
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
        self.reuse(tokens)
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
                self.send({"id": rid, "event": "piece", "text": text, "tokens": 1})
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


def main() -> None:
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
