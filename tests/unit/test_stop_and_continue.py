"""A plain SIGCONT (after `kill -STOP`) must not reach Textual's driver, which would start its terminal handling
a second time; one after the driver's own suspend (SIGTSTP) must."""

import os
import signal

import pytest

from player.stop_and_continue import continue_only_after_suspend


@pytest.fixture
def driver_handlers():
    """Stand-ins for the driver's handlers (the real SIGTSTP one would stop the test process)."""
    heard = []
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}
    signal.signal(signal.SIGTSTP, lambda signum, frame: heard.append("suspend"))
    signal.signal(signal.SIGCONT, lambda signum, frame: heard.append("resume"))
    yield heard
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def test_only_a_continue_after_a_suspend_restarts_the_driver(driver_handlers):
    continue_only_after_suspend()
    os.kill(os.getpid(), signal.SIGCONT)  # as after `kill -STOP`: the terminal was never let go
    assert driver_handlers == []
    signal.getsignal(signal.SIGTSTP)(signal.SIGTSTP, None)  # ctrl+z: the driver lets the terminal go
    os.kill(os.getpid(), signal.SIGCONT)
    os.kill(os.getpid(), signal.SIGCONT)  # a second one has nothing to resume
    assert driver_handlers == ["suspend", "resume"]


def test_without_a_driver_nothing_is_installed():
    previous = {sig: signal.signal(sig, signal.SIG_DFL) for sig in (signal.SIGTSTP, signal.SIGCONT)}
    try:
        continue_only_after_suspend()
        assert signal.getsignal(signal.SIGCONT) is signal.SIG_DFL
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
