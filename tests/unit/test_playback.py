"""The event logic of a viewing session, driven on a manual clock."""

import re

import pytest

from tests.clocks import ManualTime
from player.engine.base.events import FIELDS
from player.engine.playback.session import BRANCH, ENDED, FINISHED, Playback


@pytest.fixture
def session(tiny):
    now = ManualTime()
    events: list[dict] = []
    playback = Playback(tiny, viewer="ann", record=events.append, time_source=now, session="s1",
                        wall_clock=lambda: "2026-11-28T10:00:00.000Z")
    playback.start()
    return playback, now, events


def kinds(events):
    return [event["kind"] for event in events]


def test_every_event_carries_who_what_where_and_when(session):
    playback, now, events = session
    now.advance(5)
    playback.toggle_pause()
    for event in events:
        assert set(FIELDS) <= set(event)
        assert event["viewer"] == "ann" and event["title"] == "tiny" and event["session"] == "s1"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["at"])
    assert kinds(events) == ["start", "pause"]


def test_pause_records_its_position_and_resume_how_long_it_lasted(session):
    playback, now, events = session
    now.advance(5.0)
    playback.toggle_pause()
    now.advance(7.5)
    playback.toggle_pause()
    pause, resume = events[-2:]
    assert (pause["kind"], pause["scene"], pause["beat"], pause["position"]) == ("pause", "one", 1, 5.0)
    assert pause["tags"] == ["quiet", "hopeful"]
    assert (resume["kind"], resume["position"], resume["paused"]) == ("resume", 5.0, 7.5)
    now.advance(1)
    assert playback.position == 6.0


def test_skip_records_from_to_seconds_and_the_skipped_beats_tags(session):
    playback, now, events = session
    now.advance(9.0)  # in "Can we skip this part?" (8-12 s)
    playback.next_beat()
    skip = events[-1]
    assert skip["kind"] == "skip" and skip["by"] == "beat"
    assert (skip["scene"], skip["beat"], skip["from"], skip["to"]) == ("one", 2, 9.0, 12.0)
    assert skip["seconds"] == 3.0 and skip["tags"] == ["dialogue", "humor"] and skip["speakers"] == ["ben"]
    assert (skip["to_scene"], skip["to_beat"]) == ("two", 0)
    assert playback.position == 12.0


def test_next_scene_skips_the_rest_of_the_scene(session):
    playback, now, events = session
    now.advance(1.0)
    playback.next_scene()
    skip = events[-1]
    assert (skip["from"], skip["to"], skip["beats"], skip["by"]) == (1.0, 12.0, 3, "scene")
    assert skip["tags"] == ["quiet", "quiet", "hopeful", "dialogue", "humor"]


def test_rewind_goes_back_ten_seconds_and_names_what_is_watched_again(session):
    playback, now, events = session
    now.advance(14.0)
    playback.rewind()
    rewind = events[-1]
    assert (rewind["kind"], rewind["from"], rewind["to"], rewind["seconds"]) == ("rewind", 14.0, 4.0, 10.0)
    assert rewind["beats"] == 3 and "action" in rewind["tags"] and rewind["by"] == "time"
    playback.rewind()
    assert events[-1]["to"] == 0.0
    playback.rewind()  # already at the start: nothing happens, nothing is recorded
    assert events[-1]["to"] == 0.0 and kinds(events).count("rewind") == 2


def test_previous_beat_and_previous_scene(session):
    playback, now, events = session
    now.advance(17.0)  # scene two, beat 1 (16-20 s)
    playback.previous_beat()
    assert events[-1]["to"] == 12.0 and events[-1]["by"] == "beat"
    now.advance(1.0)  # 1 s into scene two: PgUp goes to the previous scene
    playback.previous_scene()
    assert events[-1]["to"] == 0.0
    now.advance(17.0)  # from 0 s to 5 s into scene two: PgUp restarts it
    playback.previous_scene()
    assert events[-1]["to"] == 12.0 and events[-1]["by"] == "scene"


def test_speed_changes_are_recorded_and_change_the_clock(session):
    playback, now, events = session
    playback.faster()
    playback.faster()
    playback.slower()
    playback.normal_speed()
    playback.normal_speed()  # already normal: nothing recorded
    speeds = [(e["from"], e["to"]) for e in events if e["kind"] == "speed"]
    assert speeds == [(1.0, 1.25), (1.25, 1.5), (1.5, 1.25), (1.25, 1.0)]
    playback.set_speed(2.0)
    now.advance(2)
    assert playback.position == 4.0


def test_scenes_played_through_are_completed_with_the_beats_watched(session):
    playback, now, events = session
    now.advance(5.0)
    playback.next_beat()  # skip the rest of beat 1 of scene one
    now.advance(10.0)     # play into scene two
    playback.tick()
    complete = [e for e in events if e["kind"] == "complete"]
    assert len(complete) == 1
    assert complete[0]["scene"] == "one" and complete[0]["beats"] == 2
    assert complete[0]["tags"] == ["quiet", "dialogue", "humor"]  # the skipped beat's tags are not there


def test_a_scene_left_by_a_skip_is_not_completed(session):
    playback, now, events = session
    playback.next_scene()
    now.advance(1)
    playback.tick()
    assert "complete" not in kinds(events)


def test_the_branch_point_then_the_chosen_ending_then_finish(session, tiny):
    playback, now, events = session
    now.advance(30)
    assert playback.tick() == BRANCH
    assert kinds(events).count("complete") == 3
    now.advance(30)
    assert playback.position == 24.0  # waits at the branch point
    ending = tiny.branch.ending("fix")
    playback.choose("fix", ending.scenes, how="key")
    assert events[-1]["kind"] == "choice" and events[-1]["ending"] == "fix"
    now.advance(2)
    playback.tick()
    assert playback.part == "fix" and playback.slot.scene.id == "fixed" and playback.position == 26.0
    now.advance(5)
    assert playback.tick() == FINISHED
    assert events[-1]["kind"] == "finish" and events[-1]["ending"] == "fix"
    playback.quit()
    assert kinds(events)[-1] == "end" and events[-1]["reason"] == "finish"
    assert "abandon" not in kinds(events)
    assert playback.state == ENDED


def test_quitting_early_is_an_abandon_then_an_end(session):
    playback, now, events = session
    now.advance(13)
    playback.tick()
    playback.quit()
    playback.quit()  # twice is harmless
    assert kinds(events)[-2:] == ["abandon", "end"]
    assert events[-2]["scene"] == "two" and events[-2]["tags"] == ["action", "romance", "dialogue"]
    assert events[-1]["reason"] == "abandon"


def test_starting_at_a_saved_position_is_a_seek(tiny):
    events = []
    playback = Playback(tiny, viewer="ann", record=events.append, time_source=ManualTime())
    playback.start(13.0)
    assert kinds(events) == ["start", "seek"]
    assert events[1]["to"] == 13.0 and events[1]["reason"] == "resume"
    assert playback.position == 13.0
