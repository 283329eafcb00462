"""`r` on Your ending written with the last seed there is (4294967295): the next ending has seed 0, a seed the
command line would accept, not 4294967296."""

from tests.clocks import ManualTime
from player.engine.catalog.films import YOURS
from tests.app.helpers import build, stored_events
from tests.app.test_your_ending import watch_yours_then_another
from tests.fakes.backend import FakeBackend

LAST = 2**32 - 1


async def test_another_ending_after_the_last_seed_starts_again_at_zero(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(), seed=LAST)
    async with app.run_test(size=(80, 24)) as pilot:
        await watch_yours_then_another(app, now, pilot)
    choices = [(e["ending"], e["how"], e.get("seed")) for e in stored_events(app) if e["kind"] == "choice"]
    assert choices == [(YOURS, "key", LAST), (YOURS, "again", 0)]
