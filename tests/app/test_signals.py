"""Real signals through cli.py's handler while the real app runs: the session ends once, as ctrl+q ends it, and
nothing is recorded after its `end`."""

import os
import signal

from player import cli
from player.app import WatchApp
from tests.clocks import ManualTime
from player.engine.catalog.films import YOURS
from tests.app.helpers import build, kinds, stored_events
from tests.app.helpers import play_to_branch
from tests.fakes.backend import FakeBackend


async def test_a_signal_while_a_message_is_handled_ends_the_session_after_it(private_home, monkeypatch):
    """SIGHUP also kills the model process, so the player may be falling back to an authored ending when its
    own SIGHUP lands. The signal arrives in the middle of that handler (while it shows its notice); the session
    must still end after the fallback choice, not before it."""
    sent = []

    def say_and_be_signalled(self, message, **options):
        if "could not be written" in message and not sent:
            sent.append(message)
            os.kill(os.getpid(), signal.SIGHUP)  # Python runs the handler right here, mid-handler
        original_say(self, message, **options)

    original_say = WatchApp.say
    monkeypatch.setattr(WatchApp, "say", say_and_be_signalled)
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(fail_start="the model process exited (signal 1)"))
    left = []
    monkeypatch.setattr("player.app.leave_process", lambda code: (left.append(code), app.exit()))
    with cli._quitting_on_signals(app):
        async with app.run_test(size=(80, 24)) as pilot:
            await play_to_branch(app, now, pilot)
            await pilot.press("3")
            for _ in range(100):
                if not app.is_running:
                    break
                await pilot.pause(0.05)
    assert sent and not app.is_running and left == [0]  # the signal came, and the app left at once on it
    events = stored_events(app)
    assert kinds(events)[-3:] == ["choice", "abandon", "end"]
    assert [(e["ending"], e["how"]) for e in events if e["kind"] == "choice"] == [(YOURS, "key"), ("fix", "fallback")]

