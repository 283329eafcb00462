"""`kill -STOP` then `kill -CONT` leaves the player as it was.

Textual's Linux driver restarts its terminal handling on every SIGCONT, because it expects each one to follow
its own suspend (SIGTSTP, ctrl+z), which stopped that handling first. A plain SIGSTOP stops nothing, so the
restart would start a second input thread and a second output thread, and the player stops answering keys.
Here SIGCONT reaches the driver only after a SIGTSTP.
"""

from __future__ import annotations

import signal


def continue_only_after_suspend() -> None:
    """Wrap the driver's SIGTSTP and SIGCONT handlers; call once the app runs, on the main thread."""
    on_suspend, on_continue = signal.getsignal(signal.SIGTSTP), signal.getsignal(signal.SIGCONT)
    if not (callable(on_suspend) and callable(on_continue)):
        return  # no terminal driver (a headless test): nothing to guard
    suspended = False

    def suspend(signum, frame) -> None:
        nonlocal suspended
        suspended = True
        on_suspend(signum, frame)  # stops the process; returns after SIGCONT, before `resume` runs

    def resume(signum, frame) -> None:
        nonlocal suspended
        if suspended:
            suspended = False
            on_continue(signum, frame)

    signal.signal(signal.SIGTSTP, suspend)
    signal.signal(signal.SIGCONT, resume)
