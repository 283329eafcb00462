import pytest

from player.engine.playback.clock import PlaybackClock, faster, slower
from player.engine.playback.timeline import Timeline
from tests.clocks import ManualTime


def test_beats_are_laid_end_to_end(tiny):
    timeline = Timeline(tiny.scenes)
    assert timeline.end == pytest.approx(24.0)  # six beats of 4 s
    assert timeline.scene_starts == [0.0, 12.0, 20.0]
    slot = timeline.slot_at(13.0)
    assert (slot.scene.id, slot.beat_index, slot.start, slot.end) == ("two", 0, 12.0, 16.0)
    assert timeline.slot_at(-5).start == 0.0 and timeline.slot_at(99).beat.text.startswith("The lamp")


def test_between_lists_overlapping_beats_in_either_direction(tiny):
    timeline = Timeline(tiny.scenes)
    assert [(s.scene.id, s.beat_index) for s in timeline.between(6.0, 13.0)] == [("one", 1), ("one", 2), ("two", 0)]
    assert timeline.between(13.0, 6.0) == timeline.between(6.0, 13.0)
    assert timeline.between(4.0, 4.0) == []


def test_an_ending_timeline_continues_from_the_main_film(tiny):
    main = Timeline(tiny.scenes)
    ending = Timeline(tiny.branch.endings[0].scenes, start=main.end)
    assert ending.start == main.end and ending.end == main.end + 4.0
    assert ending.clamp(0) == main.end


def test_the_clock_moves_with_time_and_speed_and_stops_when_paused():
    now = ManualTime()
    clock = PlaybackClock(0.0, 1.0, now)
    now.advance(2)
    assert clock.position == 2
    clock.set_speed(2.0)
    now.advance(1)
    assert clock.position == 4
    clock.pause()
    now.advance(5)
    assert clock.position == 4
    assert clock.resume() == 5
    now.advance(1)
    assert clock.position == 6
    clock.seek(1.0)
    assert clock.position == 1.0


def test_speed_steps_go_from_half_to_four_times():
    assert slower(1.0) == 0.75 and faster(1.0) == 1.25
    assert slower(0.5) == 0.5 and faster(4.0) == 4.0
    assert slower(16.0) == 4.0 and faster(16.0) == 16.0  # a demo speed set by --speed


def test_a_beat_barely_touched_by_a_jump_does_not_count(tiny):
    timeline = Timeline(tiny.scenes)
    assert [s.beat_index for s in timeline.between(4.0, 8.1)] == [1]  # 0.1 s of beat 2 is not beat 2
    assert [s.beat_index for s in timeline.between(3.9, 8.0)] == [1]  # nor the last 0.1 s of beat 0
    assert [s.beat_index for s in timeline.between(3.5, 8.5)] == [0, 1, 2]
