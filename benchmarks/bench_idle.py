"""What the player costs at rest: CPU time of the real `watch` process (in a real terminal, tmux) while a sample
film plays and while it is paused, next to an idle Python process measured the same way.

    python benchmarks/bench_idle.py [--title lighthouse] [--seconds 10]

Runs `watch TITLE --no-ai` (no model is loaded) in a private home and tmux server, reads utime + stime from
/proc/PID/stat over each window, and prints JSON: {"playing_cpu_percent", "paused_cpu_percent",
"baseline_idle_python_cpu_percent"}, as a percentage of one core. Target: paused <= 0.5.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.tmux import Terminal, watch_executable  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process, from /proc (fields 14 and 15, after the command name in parentheses)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_percent(pid: int, seconds: float) -> float:
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return round(100 * (cpu_seconds(pid) - start_cpu) / (time.monotonic() - start), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--title", default="lighthouse")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="watch-bench-idle-")
    env = {"WATCH_HOME": home, "TERM": "xterm-256color"}
    terminal = Terminal([watch_executable(), args.title, "--no-ai"], env, 80, 24, name="idle")
    try:
        terminal.wait_for("playing")
        time.sleep(2)  # past the start-up work
        playing = cpu_percent(terminal.pid, args.seconds)
        terminal.keys("Space")
        terminal.wait_for("paused")
        time.sleep(2)  # past the flash and the last redraw
        paused = cpu_percent(terminal.pid, args.seconds)
        terminal.keys("q")
        terminal.exit_status()
    finally:
        terminal.close()
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    try:
        time.sleep(1)
        baseline = cpu_percent(idle.pid, args.seconds)
    finally:
        idle.kill()
        idle.wait()
    print(json.dumps({"title": args.title, "seconds": args.seconds, "playing_cpu_percent": playing,
                      "paused_cpu_percent": paused, "baseline_idle_python_cpu_percent": baseline}))


if __name__ == "__main__":
    main()
