"""Generation speed of the local model, measured in one run, with the default model on 2 threads:

(a) time to first token at the branch point: the story prefix prewarmed, then a request = prefix + a short
    choice-dependent tail, against the same request cold (a fresh worker, no prewarm); the median of several;
(b) tokens per second in the app (LocalBackend: worker process and pipe) against raw llama-cpp-python in this
    process, on the same model, prompt, seed and sampler; model loading excluded. The rate is the decode rate:
    (generated tokens - 1) / (time of the last token - time of the first), so the prompt's evaluation is not in it.
(c) the same figures through OpenAIBackend, over HTTP, against llama-cpp-python's own OpenAI-compatible server
    (started here on 127.0.0.1 with the same model and threads; it needs the [server] extra). Cold there means a
    story the server has not seen (another title line, so the whole prefix is evaluated); prewarmed means
    OpenAIBackend.prewarm (a 1-token completion with cache_prompt) before the requests.

    python benchmarks/bench_generation.py [--reps 5] [--tokens 200] [--model PATH] [--no-server]

Prints JSON. Targets: prewarmed time to first token <= 100 ms, locally and over HTTP; in-app >= 90% of raw.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from player.engine import models  # noqa: E402
from player.engine.backend import Request, drain  # noqa: E402
from player.engine.catalog import load_title  # noqa: E402
from player.engine.locations import bundled_catalog  # noqa: E402
from player.engine.model_process import LocalBackend  # noqa: E402
from player.engine.model_worker import Model  # noqa: E402
from player.engine.openai_backend import OpenAIBackend  # noqa: E402
from player.engine.prompt import story_prefix  # noqa: E402

THREADS = 2
SEED = 20261128
TAILS = ['Mara sprints down the spiral stairs as', 'Elias: "', 'Callum takes the red book and',
         'Bridie: "', 'The light turns once more over the water while']  # openers, as the plan writes them


def first_token(backend: LocalBackend | OpenAIBackend, request: Request) -> float:
    """Seconds from asking to the first piece of text, as the ending screen sees it."""
    started = time.perf_counter()
    stream = backend.stream(request)
    next(stream)
    seconds = time.perf_counter() - started
    stream.close()
    return seconds


def in_app_rate(backend: LocalBackend | OpenAIBackend, request: Request) -> tuple[float, int, str]:
    stamps: list[float] = []
    pieces, generated = drain(backend.stream(request), lambda piece: stamps.append(time.perf_counter()))
    return (generated.tokens - 1) / (stamps[-1] - stamps[0]), generated.tokens, "".join(pieces)


class Raw:
    """llama-cpp-python in this process, driven the way the worker drives it (prewarmed prefix, same sampler)."""

    def __init__(self, path: Path, n_ctx: int):
        from llama_cpp import Llama

        self.llm = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=THREADS, n_threads_batch=THREADS,
                         verbose=False)

    def tokens(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)

    def rate(self, prefix: str, request: Request) -> tuple[float, int, str]:
        llm, sampler = self.llm, request.sampler
        warm = self.tokens(prefix)
        llm.reset()
        llm.eval(warm)
        llm.set_seed(request.seed)
        stamps, pieces = [], []
        steps = llm.generate(self.tokens(request.prompt), temp=sampler.temperature, top_p=sampler.top_p,
                             top_k=sampler.top_k, min_p=sampler.min_p, repeat_penalty=sampler.repeat_penalty)
        for token in steps:
            stamps.append(time.perf_counter())
            pieces.append(token)
            if len(pieces) >= request.max_tokens:
                break
        steps.close()
        worker = Model(send=lambda message: None, cancelled=set())  # its decoding, to compare the texts
        worker.llm = llm
        text = b"".join(worker.piece(token) for token in pieces).decode("utf-8", "replace")
        return (len(pieces) - 1) / (stamps[-1] - stamps[0]), len(pieces), text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--model", type=Path, default=None, help="a GGUF; default: the default model")
    parser.add_argument("--no-server", action="store_true", help="skip (c), the figures over HTTP")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-generation-") as folder:
        print(json.dumps(measure(Path(folder), args), indent=2))


def measure(home: Path, args: argparse.Namespace) -> dict:
    model = models.active_model(home, args.model, {})
    path = models.prepare(model, home)
    settings = model.settings
    film = load_title(bundled_catalog() / "lighthouse")
    prefix = story_prefix(film)
    tails = (TAILS * args.reps)[:args.reps]

    def request(tail: str, max_tokens: int = 48, stop: tuple[str, ...] = ("\n",)) -> Request:
        return Request(prefix + tail, max_tokens=max_tokens, stop=stop, seed=SEED, sampler=settings.sampler)

    # (a) time to first token, cold: a fresh worker for every request (its start is not timed).
    cold = []
    for tail in tails:
        backend = LocalBackend(home, path, {}, n_threads=THREADS)
        backend.start()
        cold.append(first_token(backend, request(tail)))
        backend.close()

    # (a) prewarmed, and (b) in the app: one worker, the story prefix evaluated while "the film plays".
    backend = LocalBackend(home, path, {}, n_threads=THREADS)
    started = time.perf_counter()
    backend.start()
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    backend.prewarm(prefix, wait=True)
    prewarm_seconds = time.perf_counter() - started
    warm = [first_token(backend, request(tail)) for tail in tails]

    raw = Raw(path, settings.n_ctx)
    prefix_tokens = len(raw.tokens(prefix))
    long = request(TAILS[0], max_tokens=args.tokens, stop=())
    app_rates, raw_rates, same_text = [], [], True
    for _ in range(3):  # alternated, so that a slow moment of the machine hits both
        app_rate, app_count, app_text = in_app_rate(backend, long)
        raw_rate, raw_count, raw_text = raw.rate(prefix, long)
        app_rates.append(app_rate)
        raw_rates.append(raw_rate)
        same_text &= app_text == raw_text and app_count == raw_count == args.tokens
    backend.close()

    del raw  # its memory, before the server loads the model again
    warm_median = statistics.median(warm)
    app, raw_median = statistics.median(app_rates), statistics.median(raw_rates)
    server = None if args.no_server else measure_server(home, path, film.title, prefix, tails, request, long, app)
    return {
        "model": path.name, "threads": THREADS, "prompt": "player.engine.prompt.story_prefix(lighthouse) + tail",
        "prefix_tokens": prefix_tokens, "load_seconds": round(load_seconds, 3),
        "prewarm_seconds": round(prewarm_seconds, 3),
        "first_token": first_token_figures(warm, cold),
        "tokens_per_second": {"tokens": args.tokens, "in_app_median": round(app, 1),
                              "raw_median": round(raw_median, 1), "ratio": round(app / raw_median, 3),
                              "in_app": [round(r, 1) for r in app_rates], "raw": [round(r, 1) for r in raw_rates],
                              "same_text_as_raw": same_text},
        "openai_server": server,
        "targets": {"prewarmed_first_token_s": 0.1, "in_app_ratio": 0.9},
        "targets_met": warm_median <= 0.1 and app / raw_median >= 0.9
        and (server is None or server["first_token"]["prewarmed_median_s"] <= 0.1),
    }


def first_token_figures(warm: list[float], cold: list[float]) -> dict:
    warm_median, cold_median = statistics.median(warm), statistics.median(cold)
    return {"reps": len(warm), "prewarmed_median_s": round(warm_median, 4), "cold_median_s": round(cold_median, 4),
            "speedup": round(cold_median / warm_median, 1), "prewarmed_s": [round(s, 4) for s in warm],
            "cold_s": [round(s, 4) for s in cold]}


def measure_server(home: Path, path: Path, title: str, prefix: str, tails: list[str], request, long: Request,
                   local_rate: float) -> dict:
    """(c): OpenAIBackend against llama-cpp-python's server, with the same requests as (a) and (b)."""
    from tests.servers import LlamaCppServer  # the same server the tests run

    server = LlamaCppServer(path, home / "logs" / "llama-server.log", threads=THREADS)
    started = time.perf_counter()
    with server:
        start_seconds = time.perf_counter() - started
        backend = OpenAIBackend(server.url, home=home)
        backend.start()
        cold = []
        for rep, tail in enumerate(tails, 1):  # a title line the server has not seen: the whole story is new
            unseen = prefix.replace(title, f"{title} ({rep})", 1)
            cold.append(first_token(backend, Request(unseen + tail, max_tokens=48, stop=("\n",), seed=SEED,
                                                     sampler=long.sampler)))
        started = time.perf_counter()
        backend.prewarm(prefix)
        prewarm_seconds = time.perf_counter() - started
        warm = [first_token(backend, request(tail)) for tail in tails]
        rates = [in_app_rate(backend, long)[0] for _ in range(3)]
        backend.close()
    rate = statistics.median(rates)
    return {
        "server": "llama-cpp-python's own (python -m llama_cpp.server, --logits_all false), on 127.0.0.1",
        "threads": THREADS, "start_seconds": round(start_seconds, 3), "prewarm_seconds": round(prewarm_seconds, 3),
        "first_token": first_token_figures(warm, cold),
        "tokens_per_second": {"tokens": long.max_tokens, "median": round(rate, 1), "runs": [round(r, 1) for r in rates],
                              "ratio_to_local_in_app": round(rate / local_rate, 3)},
    }


if __name__ == "__main__":
    main()
