"""YourEnding, the engine's one home for Your ending, with a fake model and no UI: written and saved beat by beat,
closed on what it has when the model fails part-way, a failure before its first beat said as such, stopped and
saved where the viewer was, continued from its saved beats, and a model that fails to load while the film plays
never started a second time for the viewer who chose it."""

from __future__ import annotations

import threading

import pytest

from player.engine.ending import endings_store, writer
from player.engine.ending.prompt import story_prefix
from player.engine.ending.your_ending import Failed, Finished, YourEnding
from player.engine.history.store import History
from player.engine.llm.backend import CLOSED, ModelError
from player.engine.llm.service import ModelService
from tests.fakes.backend import FakeBackend

NEUTRAL = {"tags": {}}  # a profile that knows nothing yet


@pytest.fixture
def history(private_home):
    history = History(private_home, "ann")
    yield history
    history.close()


def ending_for(tiny, history, model: ModelService, seed: int = 4) -> YourEnding:
    return YourEnding.new(tiny, NEUTRAL, seed, history=history, viewer="ann", session="s1", model=model)


class Holds(FakeBackend):
    """Writes `beats` beats, then holds the next request (a busy model) until close()."""

    def __init__(self, beats: int):
        super().__init__()
        self.beats, self.holding = beats, threading.Event()

    def stream(self, request):
        if request.prompt[len(self.prewarmed[-1]):].count("\n") >= self.beats:
            yield " the"
            self.holding.set()
            self.unblocked.wait(10)
            raise ModelError(CLOSED)
        return (yield from super().stream(request))


def test_an_ending_is_saved_after_every_beat_then_for_good(tiny, history):
    ending = ending_for(tiny, history, ModelService(lambda: FakeBackend()))
    saved_so_far = []

    def heard(event) -> None:
        if isinstance(event, writer.Written):  # the save comes first: a player killed now loses nothing
            [record] = endings_store.all_endings(history)
            saved_so_far.append((record["complete"], len(record["beats"]), record["next"]))

    outcome = ending.write(heard)
    assert isinstance(outcome, Finished) and outcome.saved == ending.id and outcome.closing is None
    assert saved_so_far == [(False, n, n) for n in range(1, len(ending.plan.beats) + 1)]
    [record] = endings_store.all_endings(history)
    assert record["complete"] and len(record["beats"]) == len(ending.plan.beats) and record["prompt"]
    assert record["generator"]["sha256"] == "0" * 64 and record["sampler"]["temperature"] > 0


def test_a_model_that_fails_part_way_closes_the_ending_on_what_it_has(tiny, history):
    ending = ending_for(tiny, history, ModelService(lambda: FakeBackend(fail_after=20)))
    outcome = ending.write(lambda event: None)
    assert isinstance(outcome, Finished) and "stopped writing" in outcome.reason
    assert outcome.closing == writer.closing_beat(tiny, ending.plan)
    [record] = endings_store.all_endings(history)
    assert record["complete"] and record["closed"] == outcome.reason
    assert record["beats"][-1]["text"] == outcome.closing.text and len(record["beats"]) >= 2


def test_a_failure_before_the_first_beat_saves_nothing(tiny, history):
    outcome = ending_for(tiny, history, ModelService(lambda: FakeBackend(fail_after=3))).write(lambda event: None)
    assert isinstance(outcome, Failed) and "stopped writing" in outcome.reason
    assert endings_store.all_endings(history) == []


def write_two_beats_then_stop(tiny, history) -> tuple[YourEnding, Holds, list]:
    backend = Holds(beats=2)
    ending = ending_for(tiny, history, ModelService(lambda: backend), seed=11)
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(ending.write(lambda event: None)))
    thread.start()
    assert backend.holding.wait(10)
    ending.stop(watched=1)  # the viewer quits in the second beat
    thread.join(10)
    return ending, backend, outcome


def test_stopping_stops_the_model_and_saves_where_the_viewer_was(tiny, history):
    ending, backend, outcome = write_two_beats_then_stop(tiny, history)
    assert outcome == [None] and backend.closed and ending.stopped
    [record] = endings_store.all_endings(history)
    assert (record["complete"], len(record["beats"]), record["next"], record["watched"]) == (False, 2, 2, 1)


def test_a_stopped_ending_is_continued_from_its_saved_beats(tiny, history):
    stopped, _, _ = write_two_beats_then_stop(tiny, history)
    saved = endings_store.find(history, stopped.id)
    backend = FakeBackend()
    ending = YourEnding.resumed_from(tiny, saved, history=history, viewer="ann", session="s2",
                                     model=ModelService(lambda: backend))
    assert ending.plan == stopped.plan and ending.written == saved.beats
    outcome = ending.write(lambda event: None)
    assert isinstance(outcome, Finished) and outcome.saved == stopped.id
    [record] = endings_store.all_endings(history)
    assert record["complete"] and record["beats"][:2] == saved.record["beats"] and len(record["beats"]) > 2
    assert backend.prompts and all(saved.beats[1].text in prompt for prompt in backend.prompts)


def test_a_model_failing_to_load_while_the_film_plays_is_not_loaded_again_for_the_viewer(tiny, history):
    started, loading, starts = threading.Event(), threading.Event(), []

    class Stalls(FakeBackend):
        def start(self, progress=None) -> None:
            starts.append(self)
            started.set()
            loading.wait(10)  # still loading when the viewer chooses Your ending
            raise ModelError("the model made no progress for 30 s")

    service = ModelService(Stalls)
    film_plays = threading.Thread(target=service.prepare, args=(story_prefix(tiny),))
    film_plays.start()
    assert started.wait(10)
    outcome: list = []
    chosen = threading.Thread(target=lambda: outcome.append(ending_for(tiny, history, service).write(
        lambda event: None)))
    chosen.start()
    loading.set()
    film_plays.join(10)
    chosen.join(10)
    assert outcome == [Failed("the model made no progress for 30 s")] and len(starts) == 1
