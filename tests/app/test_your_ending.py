"""Your ending in the player, with a fake model: it is written while it plays, saved, rated, replayed, and a
failing model falls back to an authored ending."""

import threading

from player.engine.ending import endings_store
from player.engine.ending import writer
from tests.clocks import ManualTime
from player.engine.history.store import History
from player.engine.catalog.films import YOURS
from player.screens.branch import BranchScreen
from player.screens.end import EndScreen
from player.screens.player import PlayerScreen
from player.screens.why import WhyScreen
from player.widgets.caption import Caption
from tests.app.helpers import build, kinds, play_to_branch, play_to_end, stored_events, wait_for_screen, wait_until
from tests.fakes.backend import FakeBackend, Mischief


async def test_your_ending_is_written_played_and_saved(private_home):
    now, fake = ManualTime(), FakeBackend()
    app = build(private_home, now=now, backend=fake, seed=42)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        options = [str(app.screen.query_one("#endings").get_option_at_index(i).prompt) for i in range(3)]
        assert "Your ending" in options[2]
        await pilot.press("3")
        await play_to_end(app, now, pilot)
        assert app.screen.yours
        await pilot.press("plus")
        await pilot.press("q")
    events = stored_events(app)
    choice = next(e for e in events if e["kind"] == "choice")
    assert choice["ending"] == YOURS and choice["seed"] == 42 and choice["tags"]
    assert kinds(events)[-3:] == ["finish", "rate", "end"]
    rate = events[-2]
    assert rate["rating"] == 1 and rate["ending"] == YOURS and rate["tags"] == choice["tags"]
    played = [e for e in events if e["kind"] == "complete" and e["part"] == YOURS]
    assert played and played[0]["scene"] == YOURS
    assert fake.prewarmed and all(prompt.startswith(fake.prewarmed[0]) for prompt in fake.prompts)
    saved = endings_store.all_endings(History(private_home, "ann"))
    assert len(saved) == 1
    record = saved[0]
    assert record["seed"] == 42 and record["generator"]["sha256"] == "0" * 64 and record["title"] == "tiny"
    assert record["plan"]["seed"] == 42 and record["sampler"]["temperature"] > 0 and record["prompt"]
    assert len(record["beats"]) == len(record["plan"]["beats"]) and record["beats"][0]["text"]
    assert rate["saved"] == record["id"]


async def test_the_ending_streams_into_the_caption_while_it_is_written(private_home):
    now, fake = ManualTime(), FakeBackend(delay=0.15, pieces=6)
    app = build(private_home, now=now, backend=fake, seed=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await pilot.pause(0.4)
        caption = str(app.screen.query_one(Caption).render())
        assert "writing your ending" in caption and "▌" in caption
        assert "writing your ending" in str(app.screen.query_one("#status").render())
        await pilot.press("w")
        assert isinstance(app.screen, WhyScreen)
        await pilot.press("escape")
        await pilot.press("q")


async def test_a_failing_model_falls_back_to_an_authored_ending(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(fail_start="no model found; try --model PATH"))
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await pilot.pause(0.5)
        assert any("no model found" in n.message for n in app._notifications)
        await play_to_end(app, now, pilot)
        assert not app.screen.yours
        await pilot.press("q")
    events = stored_events(app)
    choices = [(e["ending"], e["how"]) for e in events if e["kind"] == "choice"]
    assert choices == [(YOURS, "key"), ("fix", "fallback")]
    assert [e["ending"] for e in events if e["kind"] == "finish"] == ["fix"]


async def test_a_failure_before_the_first_beat_falls_back(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(fail_after=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await pilot.pause(0.5)
        await play_to_end(app, now, pilot)
        await pilot.press("q")
    events = stored_events(app)
    assert [e["how"] for e in events if e["kind"] == "choice"] == ["key", "fallback"]
    assert any(e["kind"] == "choice" and "stopped writing" in e.get("reason", "") for e in events)
    assert endings_store.all_endings(History(private_home, "ann")) == []


async def test_a_failure_after_some_beats_closes_the_ending_on_what_it_has(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(fail_after=20), seed=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await pilot.pause(0.5)
        await play_to_end(app, now, pilot)
        assert app.screen.yours  # no authored ending was swapped in
        plan = app.screen_stack[-2].plan
        said = [n.message for n in app._notifications if n.title == "Model"]
        await pilot.press("q")
    assert len(said) == 1 and "stopped part-way" in said[0] and "saved" in said[0]
    events = stored_events(app)
    assert [(e["ending"], e["how"]) for e in events if e["kind"] == "choice"] == [(YOURS, "key")]
    assert [e["ending"] for e in events if e["kind"] == "finish"] == [YOURS]
    [record] = endings_store.all_endings(History(private_home, "ann"))
    closing = writer.closing_beat(app.services.catalog.films["tiny"], plan)
    assert record["complete"] and "stopped writing" in record["closed"]
    assert len(record["beats"]) >= 2 and record["beats"][-1]["text"] == closing.text
    assert len(record["beats"]) < len(record["plan"]["beats"]) + 1


async def watch_yours_then_another(app, now, pilot) -> None:
    """To the branch point, Your ending to its end, then `r`: another one, with the next seed."""
    await play_to_branch(app, now, pilot)
    await pilot.press("3")
    await play_to_end(app, now, pilot)
    await pilot.press("r")
    await pilot.pause(0.2)


async def test_another_ending_with_a_new_seed_then_back_to_the_branch(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(), seed=7)
    async with app.run_test(size=(80, 24)) as pilot:
        await watch_yours_then_another(app, now, pilot)
        await play_to_end(app, now, pilot)
        await pilot.press("w")
        assert isinstance(app.screen, WhyScreen)
        await pilot.press("escape", "b")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("1")
        await play_to_end(app, now, pilot)
        await pilot.press("q")
    events = stored_events(app)
    choices = [(e["ending"], e["how"], e.get("seed")) for e in events if e["kind"] == "choice"]
    assert choices == [(YOURS, "key", 7), (YOURS, "again", 8), ("fix", "key", None)]
    assert len(endings_store.all_endings(History(private_home, "ann"))) == 2


async def test_without_a_model_only_authored_endings_are_offered(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=None)  # --no-ai
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        assert app.screen.query_one("#endings").option_count == 2


async def test_the_countdown_chooses_the_predicted_ending(private_home):
    # A viewer who chose the dark ending before and rated it up: the profile predicts it.
    history = History(private_home, "ann")
    for kind, extra in (("choice", {"how": "key", "tags": ["dark", "quiet"], "ending": "dark"}),
                        ("rate", {"rating": 1, "tags": ["dark", "quiet"]})):
        history.log({"kind": kind, "viewer": "ann", "title": "tiny", "session": "old", "scene": "three",
                     "beat": 0, "position": 24.0, "at": "2026-11-27T10:00:00.000Z", **extra})
    history.close()
    app = build(private_home, timer=1, offer_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.services.time_source.advance(25.0)
        await wait_for_screen(pilot, BranchScreen)
        assert "predicted for you" in str(app.screen.query_one("#endings").get_option_at_index(1).prompt)
        await pilot.pause(1.5)
        await pilot.press("q")
    choice = [e for e in stored_events(app) if e["kind"] == "choice"][-1]
    assert (choice["ending"], choice["how"]) == ("dark", "timer")


async def test_a_saved_ending_replays_exactly(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=FakeBackend(), seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await play_to_end(app, now, pilot)
        await pilot.press("q")
    app.services.history.close()
    history = History(private_home, "ann")
    saved = endings_store.find(history, endings_store.all_endings(history)[0]["id"][:4])
    replay = build(private_home, now=(now := ManualTime()))
    replay.replay = saved
    shown = []
    async with replay.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        player = replay.screen
        assert isinstance(player, PlayerScreen) and player.playback.part == YOURS
        for beat in saved.beats:
            shown.append(player.playback.slot.beat.text)
            now.advance(beat.duration + 1e-6)
            player.tick()
            await pilot.pause(0.05)
        assert isinstance(replay.screen, EndScreen)
    assert shown == [beat.text for beat in saved.beats] == [b["text"] for b in saved.record["beats"]]


async def test_what_the_model_writes_is_shown_literally(private_home):
    now = ManualTime()
    app = build(private_home, now=now, backend=Mischief(), seed=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        shown = str(app.screen.query_one(Caption).render())
        assert "[bold]bold[/]" in shown and "[link=x]y[/link]" in shown
        assert "\x1b" not in shown and "\x07" not in shown and "\u241b[2J" in shown


async def test_preparing_the_model_shows_a_progress_bar(private_home):
    loading = threading.Event()

    class Slow(FakeBackend):
        def start(self, progress=None):
            progress("preparing the default model", 0.5)  # from the model's thread, as the real one reports
            loading.wait(10)

    app = build(private_home, now=ManualTime(), backend=Slow())
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            def status() -> str:
                return str(app.screen.query_one("#status").render())

            await wait_until(pilot, lambda: "preparing the default model ▰▰▰▰▰▱▱▱▱▱ 50%" in status(),
                             "the model's progress in the status line")
            loading.set()
            await wait_until(pilot, lambda: "model ready" in status(), "the model ready in the status line")
    finally:
        loading.set()
