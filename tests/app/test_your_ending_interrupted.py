"""Your ending when something gets in its way, with a fake model: the viewer quits while it is written (the model
stops at once, what was written is saved as a partial ending), the next play continues it, and the branch screen
tells the truth about a model that is still reading the story."""

import threading

from player.engine.llm.backend import CLOSED, ModelError
from player.engine.ending import endings_store
from tests.clocks import ManualTime
from player.engine.history.store import History
from player.engine.catalog.films import YOURS
from player.screens import player as player_screen
from player.screens.branch import BranchScreen
from player.screens.end import EndScreen
from player.screens.player import PlayerScreen
from player.screens.resume import ResumeScreen
from player.widgets.caption import Caption
from tests.app.helpers import build, kinds, stored_events, wait_for_screen, wait_until
from tests.app.helpers import play_to_branch, play_to_end
from tests.fakes.backend import FakeBackend


class Watched(FakeBackend):
    """Says when a stream has ended, however it ended; with `hold_after`, a request made after that many beats
    are written waits (as a busy model does) until close()."""

    def __init__(self, hold_after: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.hold_after = hold_after
        self.ended = threading.Event()
        self.holding = threading.Event()

    def stream(self, request):
        try:
            written = request.prompt[len(self.prewarmed[-1]):].count("\n") if self.prewarmed else 0
            if self.hold_after is not None and written >= self.hold_after:
                self.prompts.append(request.prompt)
                yield " the"
                self.holding.set()
                self.unblocked.wait(60)  # bounded, so that a failing test cannot hang the run
                raise ModelError(CLOSED)
            return (yield from super().stream(request))
        finally:
            self.ended.set()


async def quit_while_writing(home, key: str) -> tuple:
    """Choose Your ending, let two beats be written, then press `key` while the model is writing the third."""
    now, fake = ManualTime(), Watched(hold_after=2)  # it writes two beats, then is busy with the third
    app = build(home, now=now, backend=fake, seed=11)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        player = app.screen
        await wait_until(pilot, lambda: fake.holding.is_set() and len(player.playback.timeline.slots) == 2,
                         "two beats written and the model busy with the third")
        now.advance(player.playback.timeline.slots[1].start - player.playback.position + 0.01)  # in beat 2
        await pilot.pause(0.2)
        fake.ended.clear()
        await pilot.press(key)
    return app, fake


async def test_quitting_while_writing_stops_the_model_and_saves_a_partial_ending(private_home):
    app, fake = await quit_while_writing(private_home, "q")
    assert fake.closed and fake.ended.wait(5)  # the stream was unblocked by close(), not left waiting
    events = stored_events(app)
    assert kinds(events)[-2:] == ["abandon", "end"]  # nothing after the end, no fallback choice at all
    assert [(e["ending"], e["how"]) for e in events if e["kind"] == "choice"] == [(YOURS, "key")]
    [record] = endings_store.all_endings(History(private_home, "ann"))
    assert record["complete"] is False and len(record["beats"]) == 2
    assert record["next"] == 2 and record["watched"] == 1 and record["plan"]["seed"] == 11
    assert record["session"] == events[-1]["session"]


async def test_ctrl_q_while_writing_saves_the_partial_ending_too(private_home):
    app, fake = await quit_while_writing(private_home, "ctrl+q")
    assert fake.closed and fake.ended.wait(5)
    assert kinds(stored_events(app))[-1] == "end"
    [record] = endings_store.all_endings(History(private_home, "ann"))
    assert record["complete"] is False and len(record["beats"]) == 2


async def test_the_next_play_continues_the_partial_ending(private_home):
    await quit_while_writing(private_home, "q")
    history = History(private_home, "ann")
    [partial] = endings_store.all_endings(history)
    history.close()
    now, fake = ManualTime(), FakeBackend()
    app = build(private_home, now=now, backend=fake)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, ResumeScreen)
        assert "Your ending, at beat 2 of" in str(app.screen.query_one("#resume-where").render())
        await pilot.press("enter")
        await wait_for_screen(pilot, PlayerScreen)
        player = app.screen
        assert player.playback.part == YOURS
        assert player.playback.slot.beat.text == partial["beats"][1]["text"]  # where the viewer left
        await play_to_end(app, now, pilot)
        await pilot.press("q")
    [record] = endings_store.all_endings(History(private_home, "ann"))
    assert record["id"] == partial["id"] and record["complete"] is True
    assert [b["text"] for b in record["beats"][:2]] == [b["text"] for b in partial["beats"]]
    assert len(record["beats"]) > 2 and fake.prompts  # the rest was written
    assert all(partial["beats"][1]["text"] in prompt for prompt in fake.prompts)  # after the saved beats
    events = stored_events(app)
    start = next(e for e in events if e["kind"] == "start" and e.get("resumed"))
    assert start["resumed"] == partial["id"] and kinds(events)[-2:] == ["finish", "end"]


async def test_your_ending_shows_the_model_reading_the_story_and_waits_for_it(private_home):
    reading = threading.Event()
    now, fake = ManualTime(), FakeBackend(reading=reading)
    app = build(private_home, now=now, backend=fake, seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        option = str(app.screen.query_one("#endings").get_option_at_index(2).prompt)
        assert "Your ending — reading the story ▰▰▱▱▱ 40%" in option and "written for you now" not in option
        await pilot.press("3")
        await pilot.pause(0.3)
        player = app.screen
        assert isinstance(player, PlayerScreen) and player.playback.part == "main"
        assert "waiting for the model: reading the story" in str(player.query_one(Caption).render())
        status = str(player.query_one("#status").render())
        assert "waiting for the model" in status and "40%" in status
        reading.set()
        await wait_until(pilot, lambda: player.playback.part == YOURS, "the ending starting once the model read")
        await pilot.press("q")


async def test_the_countdown_does_not_choose_your_ending_before_the_model_is_ready(private_home, monkeypatch):
    monkeypatch.setattr(player_screen, "predict", lambda film, profile, yours: YOURS if yours else "dark")
    reading = threading.Event()
    app = build(private_home, timer=1, backend=FakeBackend(reading=reading), offer_resume=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            app.services.time_source.advance(25.0)
            await wait_for_screen(pilot, BranchScreen)
            branch = app.screen
            assert "predicted for you" in str(branch.query_one("#endings").get_option_at_index(2).prompt)
            assert "then: Sit in the dark" in str(branch.query_one("#countdown").render())
            await wait_for_screen(pilot, PlayerScreen)
            await pilot.press("q")
    finally:
        reading.set()
    choice = [e for e in stored_events(app) if e["kind"] == "choice"][-1]
    assert (choice["ending"], choice["how"]) == ("dark", "timer")


async def test_the_countdown_chooses_your_ending_once_the_model_is_ready(private_home, monkeypatch):
    monkeypatch.setattr(player_screen, "predict", lambda film, profile, yours: YOURS if yours else "dark")
    app = build(private_home, timer=1, backend=FakeBackend(), offer_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        app.services.time_source.advance(25.0)
        await wait_for_screen(pilot, BranchScreen)
        assert "written for you now" in str(app.screen.query_one("#endings").get_option_at_index(2).prompt)
        await wait_for_screen(pilot, PlayerScreen)
        await pilot.press("q")
    choice = [e for e in stored_events(app) if e["kind"] == "choice"][-1]
    assert (choice["ending"], choice["how"]) == (YOURS, "timer")
