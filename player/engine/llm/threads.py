"""How many threads llama.cpp should use for the next request: the cores free right now.

Measured on a 2-core machine: with one other busy process, 1 thread writes 22.8 tokens/s and 2 threads 14.6;
under heavy load 2 threads collapse to 0.3 tokens/s. So a thread never competes with another busy process.

How "free" is read: the kernel's count of runnable tasks (`procs_running` in /proc/stat), sampled a few times a
millisecond apart, median taken, minus the task reading it. It is instantaneous and costs no wait, unlike CPU-time
deltas (which need an interval before the request) or the load average (a 1-minute mean that lags behind a
process that just started or stopped). Our own worker is idle between requests, so it is not counted.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Sequence

MAX_THREADS = 8  # past this a small model gains nothing
SAMPLES = 5


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def running_samples(samples: int = SAMPLES) -> list[int]:
    """procs_running, a few times; [] where /proc/stat cannot be read."""
    found = []
    for index in range(samples):
        try:
            with open("/proc/stat", "rb") as file:
                for line in file:
                    if line.startswith(b"procs_running"):
                        found.append(int(line.split()[1]))
                        break
        except (OSError, ValueError):
            return []
        if index < samples - 1:
            time.sleep(0.001)
    return found


def choose(cores: int, running: Sequence[int]) -> tuple[int, str]:
    """(threads, why) from the usable cores and procs_running samples (which count the reader itself)."""
    if not running:
        threads = max(1, min(MAX_THREADS, cores // 2))
        return threads, f"{threads} thread{'s' * (threads != 1)}: half of {cores} cores (load unknown)"
    busy = max(0, round(statistics.median(running)) - 1)
    threads = max(1, min(MAX_THREADS, cores - busy))
    return threads, f"{threads} thread{'s' * (threads != 1)}: {min(busy, cores)} of {cores} cores busy"


def free_threads() -> tuple[int, str]:
    return choose(usable_cores(), running_samples())


def fixed(threads: int, source: str) -> tuple[int, str]:
    return threads, f"{threads} thread{'s' * (threads != 1)}: set by {source}"
