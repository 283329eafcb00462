"""How the history store scales: per-event log latency, open-and-read time, and the writer's cost per flush,
for synthetic histories of 1k, 100k and 1M events, against plain TinyDB inserts measured in the same run.

    python benchmarks/bench_history.py [--sizes 1000,100000,1000000] [--events 2000]

Prints JSON. Targets: log p99 <= 1 ms at every size; p99 at the largest size / p99 at the smallest <= 2;
opening the store and reading one title <= 1 s at 1M events. Also printed: how long an event waits for its
segment with one other core kept busy (the writer's 0.1 s plus one write). `log()` itself journals the event, so
its own latency is the time until a killed player could no longer lose it.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinydb import TinyDB  # noqa: E402

from benchmarks.synthetic import TITLES, synthetic_events  # noqa: E402
from player.engine.history.store import History  # noqa: E402

SEED = 20261128


def percentiles(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(pick(0.50), 4), "p99_ms": round(pick(0.99), 4), "max_ms": round(ordered[-1], 4),
            "n": len(ordered)}


def build_store(home: Path, size: int, rng: random.Random) -> float:
    history = History(home, "bench")
    events = synthetic_events(size, rng)
    started = time.perf_counter()
    for event in events:
        history.log(event)
    history.close()
    return time.perf_counter() - started


def measure_open_and_read(home: Path) -> dict:
    started = time.perf_counter()
    history = History(home, "bench")
    events, sessions = history.counts()
    opened = time.perf_counter() - started
    biggest = max(history.summaries(), key=lambda s: s.events)
    title_events = history.title_events(biggest.title)
    total = time.perf_counter() - started
    started = time.perf_counter()
    newest = History(home, "bench").events(limit=50)  # what plain `watch history` shows
    newest_s = time.perf_counter() - started
    return {"open_s": round(opened, 4), "open_and_read_title_s": round(total, 4), "title": biggest.title,
            "title_events": len(title_events), "open_and_newest_50_s": round(newest_s, 4),
            "newest_50_ok": len(newest) == 50, "store_events": events, "store_sessions": sessions}


def measure_logging(home: Path, count: int, rng: random.Random) -> dict:
    """Log like a very busy viewer (an event every 5 ms on average) while the writer thread saves them."""
    history = History(home, "bench")
    history.counts()  # open the store first, as the player does at start
    events = synthetic_events(count, rng, start=datetime(2026, 11, 28, tzinfo=timezone.utc))
    samples = []
    for event in events:
        time.sleep(rng.expovariate(1 / 0.005))
        started = time.perf_counter_ns()
        history.log(event)
        samples.append((time.perf_counter_ns() - started) / 1e6)
    history.close()
    return percentiles(samples)


def measure_flush(home: Path, rounds: int, rng: random.Random) -> dict:
    """The writer thread's cost to save a burst of 5 events (it is off the UI thread, but it should not grow)."""
    history = History(home, "bench", flush_delay=3600)
    history.counts()
    samples = []
    for _ in range(rounds):
        for event in synthetic_events(5, rng, start=datetime(2026, 11, 29, tzinfo=timezone.utc)):
            history._pending.append(event)  # queue without waking the writer, to time flush() alone
        started = time.perf_counter_ns()
        history.flush()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    history.close()
    return percentiles(samples)


class TimedHistory(History):
    """Notes when each event's segment is on disk."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_ns: dict[int, int] = {}

    def _append(self, batch: list[dict]) -> None:
        super()._append(batch)
        now = time.perf_counter_ns()
        for event in batch:
            self.saved_ns[id(event)] = now


def measure_to_segment(home: Path, count: int, rng: random.Random) -> dict:
    """From log() to the event in its segment, for a viewer pressing a key every 20 to 80 ms, with one core
    busy."""
    history = TimedHistory(home, "bench")
    history.counts()
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        logged = []
        for event in synthetic_events(count, rng, start=datetime(2026, 11, 30, tzinfo=timezone.utc)):
            time.sleep(rng.uniform(0.02, 0.08))
            logged.append((event, time.perf_counter_ns()))
            history.log(event)
        history.close()
    finally:
        busy.kill()
        busy.wait()
    return percentiles([(history.saved_ns[id(event)] - at) / 1e6 for event, at in logged])


def baseline_tinydb(folder: Path, size: int, inserts: int, rng: random.Random) -> dict:
    """Plain TinyDB with its default JSONStorage: every insert rewrites the whole file."""
    path = folder / f"plain-{size}.json"
    db = TinyDB(path)
    db.insert_multiple(synthetic_events(size, rng))
    samples = []
    for event in synthetic_events(inserts, rng):
        started = time.perf_counter_ns()
        db.insert(event)
        samples.append((time.perf_counter_ns() - started) / 1e6)
    db.close()
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--events", type=int, default=2000, help="events logged per size for the latency")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rng = random.Random(SEED)
    result: dict = {"seed": SEED, "titles": TITLES, "sizes": {}, "baseline_plain_tinydb_insert": {}}
    with tempfile.TemporaryDirectory(prefix="bench-history-") as scratch:
        scratch_path = Path(scratch)
        for size in (1000, 50000):
            result["baseline_plain_tinydb_insert"][str(size)] = baseline_tinydb(scratch_path, size, 50, rng)
        for size in sizes:
            home = scratch_path / f"home-{size}"
            build_s = build_store(home, size, rng)
            figures = {"build_s": round(build_s, 2)}
            figures.update(measure_open_and_read(home))
            figures["log"] = measure_logging(home, args.events, rng)
            figures["writer_flush"] = measure_flush(home, 50, rng)
            figures["log_to_segment_one_core_busy"] = measure_to_segment(home, 100, rng)
            result["sizes"][str(size)] = figures
            print(f"{size}: done", file=sys.stderr)
    smallest, largest = str(sizes[0]), str(sizes[-1])
    ratio = result["sizes"][largest]["log"]["p99_ms"] / max(result["sizes"][smallest]["log"]["p99_ms"], 1e-9)
    result["targets"] = {
        "log_p99_le_1ms": all(figures["log"]["p99_ms"] <= 1.0 for figures in result["sizes"].values()),
        "p99_ratio_largest_over_smallest": round(ratio, 3),
        "p99_ratio_le_2": ratio <= 2.0,
        "open_and_read_le_1s_at_largest": result["sizes"][largest]["open_and_read_title_s"] <= 1.0,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
