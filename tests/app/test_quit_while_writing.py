"""`q` while Your ending is being written leaves at once: the model is stopped before the UI goes, so the app never
sits on a blank terminal waiting for a writing thread to finish by itself."""

import threading

from tests.app.helpers import build, wait_until
from tests.fakes.backend import FakeBackend


class GivesUpAfter(threading.Event):
    """The blocked fake model's wait ends by itself after a while, so a regression fails instead of hanging."""

    def wait(self, timeout: float | None = 8.0) -> bool:
        return super().wait(timeout)


async def test_quitting_the_film_while_the_model_writes_stops_the_model_first(private_home):
    fake = FakeBackend(block_after=12)  # the second beat never comes: only closing the model ends the wait
    fake.unblocked = GivesUpAfter()
    app = build(private_home, "lighthouse", timer=0, backend=fake)
    async with app.run_test(size=(80, 24)) as pilot:
        app.services.time_source.advance(600.0)
        await pilot.pause(0.3)
        await pilot.press("3")
        await wait_until(pilot, lambda: fake.sent >= 12, "a beat written and the next one started")
        await pilot.press("q")
        await pilot.pause(0.3)
        # Closed by the quit itself, not by the process exit that comes after the app (cli.py's finally).
        assert fake.closed, "the model was still writing when the app left"
