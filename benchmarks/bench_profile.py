"""How the taste profile scales: the incremental update after a session, against a full rebuild from every raw
event measured in the same run, for synthetic histories of 1k, 100k and 1M events.

    python benchmarks/bench_profile.py [--sizes 1000,100000,1000000] [--sessions 10]

Prints JSON. Targets: the incremental update after a session <= 50 ms at every size; a full rebuild from 1M
events <= 5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import synthetic_events  # noqa: E402
from player.engine.taste import scoring  # noqa: E402
from player.engine.taste import profile_store  # noqa: E402
from player.engine.history.store import History  # noqa: E402

SEED = 20261128
AS_OF = date(2026, 11, 28)


def build_store(home: Path, size: int, rng: random.Random) -> None:
    history = History(home, "bench")
    for event in synthetic_events(size, rng):
        history.log(event)
    history.close()


def measure(home: Path, sessions: int, rng: random.Random) -> dict:
    started = time.perf_counter()
    rebuilt = profile_store.rebuild(History(home, "bench"), save=False)
    rebuild_s = time.perf_counter() - started

    started = time.perf_counter()
    serial = scoring.build(History(home, "bench").iter_events())  # one process, for comparison
    serial_rebuild_s = time.perf_counter() - started

    started = time.perf_counter()
    profile_store.update(History(home, "bench"))  # nothing stored yet: builds every part and saves it
    first_update_s = time.perf_counter() - started

    samples = []
    history = History(home, "bench")
    day = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for number in range(sessions):
        for event in synthetic_events(rng.randint(40, 120), rng, start=day + timedelta(days=number),
                                      span=timedelta(hours=1)):
            history.log(event)
        history.flush()  # the session has ended and is saved; now the profile catches up
        started = time.perf_counter()
        profile_store.update(history)
        samples.append((time.perf_counter() - started) * 1000)
    history.close()
    started = time.perf_counter()
    state = profile_store.load(History(home, "bench"))  # what `watch profile` reads: every part, merged
    load_s = time.perf_counter() - started
    again = profile_store.rebuild(History(home, "bench"), save=False)
    same = scoring.describe(state, as_of=AS_OF) == scoring.describe(again, as_of=AS_OF)
    ordered = sorted(samples)
    return {"events": rebuilt["events"], "rebuild_s": round(rebuild_s, 3),
            "rebuild_one_process_s": round(serial_rebuild_s, 3),
            "rebuild_agrees_with_one_process": scoring.describe(rebuilt, as_of=AS_OF) == scoring.describe(
                serial, as_of=AS_OF),
            "first_update_s": round(first_update_s, 3), "load_merged_s": round(load_s, 3),
            "incremental_update_ms": {"p50": round(ordered[len(ordered) // 2], 2), "max": round(ordered[-1], 2),
                                      "n": len(ordered)},
            "speedup_over_rebuild": round(rebuild_s * 1000 / ordered[len(ordered) // 2], 1),
            "incremental_equals_rebuild": same}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rng = random.Random(SEED)
    result: dict = {"seed": SEED, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as scratch:
        for size in sizes:
            home = Path(scratch) / f"home-{size}"
            build_store(home, size, rng)
            result["sizes"][str(size)] = measure(home, args.sessions, rng)
            print(f"{size}: done", file=sys.stderr)
    largest = result["sizes"][str(sizes[-1])]
    result["targets"] = {
        "incremental_le_50ms_at_every_size": all(
            figures["incremental_update_ms"]["max"] <= 50 for figures in result["sizes"].values()),
        "rebuild_le_5s_at_largest": largest["rebuild_s"] <= 5.0,
        "incremental_equals_rebuild": all(figures["incremental_equals_rebuild"] for figures in result["sizes"].values()),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
