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

(d) a busy run, with one CPU-bound process started here (the machine the issue measured): the thread count the
    app chose (LocalBackend without --threads); its tokens/s against raw llama-cpp-python at 1 and at 2 threads
    under the same load; fallbacks (a ModelError) over N endings written with writer.write + plan.make_plan for
    synthetic viewers (eval_personalization.viewer_profile); the first model-written word (start of write() to
    its first Piece event) idle and busy; and, idle, the waits at 1x: beat i is due when the beats before it,
    from the first written, have played their `duration`, and a beat written after that is a wait.

    python benchmarks/bench_generation.py [--reps 5] [--tokens 200] [--model PATH] [--no-server] [--endings 20]
                                          [--only-busy]

Prints JSON. Targets: prewarmed time to first token <= 100 ms, locally and over HTTP; in-app >= 90% of raw;
busy: in-app >= 90% of the better raw figure, 0 fallbacks, first word <= 1 s idle and <= 3 s busy, 0 waits.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_personalization import VIEWERS, viewer_profile  # noqa: E402
from player.engine.llm import model_files
from player.engine.ending import writer  # noqa: E402
from player.engine.llm.backend import ModelError, Request, drain  # noqa: E402
from player.engine.catalog.films import load_title  # noqa: E402
from player.engine.base.locations import bundled_catalog  # noqa: E402
from player.engine.llm.process import LocalBackend  # noqa: E402
from player.engine.llm.worker import Model  # noqa: E402
from player.engine.llm.openai_backend import OpenAIBackend  # noqa: E402
from player.engine.ending.plan import make_plan  # noqa: E402
from player.engine.ending.prompt import story_prefix  # noqa: E402

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

    def __init__(self, path: Path, n_ctx: int, threads: int = THREADS):
        from llama_cpp import Llama

        self.llm = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
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
    parser.add_argument("--endings", type=int, default=20, help="endings written for (d)'s fallback count")
    parser.add_argument("--only-busy", action="store_true", help="only (d), the busy run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-generation-") as folder:
        figures = {} if args.only_busy else measure(Path(folder), args)
        figures["busy"] = measure_busy(Path(folder), args)
        figures["targets_met"] = figures.get("targets_met", True) and figures["busy"]["targets_met"]
        print(json.dumps(figures, indent=2))


def measure(home: Path, args: argparse.Namespace) -> dict:
    model = model_files.active_model(home, args.model, {})
    path = model_files.prepare(model, home)
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
    backend.prewarm(prefix)
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
        "model": path.name, "threads": THREADS, "prompt": "player.engine.ending.prompt.story_prefix(lighthouse) + tail",
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


def measure_busy(home: Path, args: argparse.Namespace) -> dict:
    """(d): see the module docstring."""
    model = model_files.active_model(home, args.model, {})
    path = model_files.prepare(model, home)
    film = load_title(bundled_catalog() / "lighthouse")
    prefix = story_prefix(film)
    long = Request(prefix + TAILS[0], max_tokens=args.tokens, stop=(), seed=SEED, sampler=model.settings.sampler)
    backend = LocalBackend(home, path, {})  # no --threads: the app chooses per request
    backend.start()
    backend.prewarm(prefix)
    idle = endings(film, backend, model.settings.sampler, max(2, args.endings // 4))  # first words and waits

    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(1.0)  # let the scheduler see it
        app_rate = statistics.median(in_app_rate(backend, long)[0] for _ in range(3))
        chosen, why = backend.n_threads, backend.threads_reason
        busy = endings(film, backend, model.settings.sampler, args.endings)
        backend.close()
        raw_rates = {}
        for threads in (1, 2):
            raw = Raw(path, model.settings.n_ctx, threads)
            raw_rates[threads] = statistics.median(raw.rate(prefix, long)[0] for _ in range(3))
            del raw
    finally:
        spinner.kill()
        spinner.wait()
    best = max(raw_rates.values())
    first_idle, first_busy = statistics.median(idle["first_word_s"]), statistics.median(busy["first_word_s"])
    return {
        "load": "one CPU-bound process (python3 -c 'while True: pass')",
        "threads_chosen": chosen, "threads_reason": why,
        "tokens_per_second": {"in_app": round(app_rate, 1), "raw_1_thread": round(raw_rates[1], 1),
                              "raw_2_threads": round(raw_rates[2], 1),
                              "ratio_to_better_raw": round(app_rate / best, 3)},
        "endings": args.endings, "fallbacks": busy["fallbacks"], "fallback_reasons": busy["reasons"],
        "first_word_s": {"idle_median": round(first_idle, 3), "busy_median": round(first_busy, 3),
                         "idle": idle["first_word_s"], "busy": busy["first_word_s"]},
        "waits_at_1x_idle": idle["waits"], "idle_endings": len(idle["first_word_s"]),
        "idle_fallbacks": idle["fallbacks"],
        "targets": {"ratio_to_better_raw": 0.9, "fallbacks": 0, "first_word_idle_s": 1.0, "first_word_busy_s": 3.0,
                    "waits_at_1x_idle": 0},
        "targets_met": app_rate / best >= 0.9 and busy["fallbacks"] == 0 and idle["fallbacks"] == 0
        and first_idle <= 1.0 and first_busy <= 3.0 and idle["waits"] == 0,
    }


def endings(film, backend: LocalBackend, sampler, count: int) -> dict:
    """Write `count` endings for synthetic viewers, as the app does at the branch point; what went wrong."""
    names = sorted(VIEWERS)
    favourites = list(film.characters)  # each viewer rewinds a different character's lines
    first_words, waits, fallbacks, reasons = [], 0, 0, []
    for number in range(count):
        profile = viewer_profile(film, names[number % len(names)], favourites[number % len(favourites)])
        plan = make_plan(film, profile, seed=SEED + number)
        timeline = Timeline()
        try:
            writer.write(film, plan, backend, sampler=sampler, on_event=timeline.hear)
        except ModelError as error:
            fallbacks += 1
            reasons.append(str(error))
        if timeline.first_word is not None:
            first_words.append(round(timeline.first_word, 3))
        waits += timeline.waits
    return {"first_word_s": first_words, "waits": waits, "fallbacks": fallbacks, "reasons": reasons}


class Timeline:
    """When each beat is written, against when the film at 1x would need it."""

    def __init__(self):
        self.started, self.first_word, self.playing_since = time.perf_counter(), None, None
        self.played, self.waits = 0.0, 0

    def hear(self, event) -> None:
        now = time.perf_counter()
        if isinstance(event, writer.Piece) and self.first_word is None:
            self.first_word = now - self.started
        elif isinstance(event, writer.Written):
            if self.playing_since is None:
                self.playing_since = now  # the film plays the new beats from the first one written
            elif now > self.playing_since + self.played:
                self.waits += 1
            self.played += event.beat.duration


if __name__ == "__main__":
    main()
