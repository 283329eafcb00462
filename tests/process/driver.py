"""A small process that logs events through the real history store, for tests with real processes and signals.

    python -m tests.process.driver HOME VIEWER WRITER COUNT INTERVAL [TITLE]

It prints `ack N` after log() returns for event N (the event is acknowledged), `warning ...` when saving fails,
and `done` after close(). SIGTERM and SIGHUP close the store and exit, as the player does (saying `closed`).
"""

import signal
import sys
import threading
import time
from pathlib import Path

from player.engine.base.events import utc_now
from player.engine.history.store import History


_print_lock = threading.Lock()


def say(line: str) -> None:
    """One whole line at a time: the history's writer thread prints warnings while the main thread prints acks."""
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def main() -> None:
    home, viewer, writer, count, interval = sys.argv[1:6]
    title = sys.argv[6] if len(sys.argv) > 6 else "lighthouse"
    history = History(Path(home), viewer, on_warning=lambda w: say(f"warning {w}"))

    # The handler only raises a flag; the store is closed on the main thread between two events, as the player
    # quits between two messages. Closed inside the handler, it could wait for ever on the queue lock that log()
    # held when the signal came (a threading.Event is no better: set() takes the lock its wait() holds).
    signals: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, frame: signals.append(signum))
    signal.signal(signal.SIGHUP, lambda signum, frame: signals.append(signum))
    for number in range(int(count)):
        if signals:
            break
        history.log({"kind": "pause", "viewer": viewer, "title": title, "session": writer, "scene": "s",
                     "beat": number, "position": float(number), "writer": writer, "n": number,
                     "at": utc_now()})
        say(f"ack {number}")
        time.sleep(float(interval))
    history.close()
    say("closed" if signals else "done")


if __name__ == "__main__":
    main()
