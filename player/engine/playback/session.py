"""One viewing session: moves through the film on a clock and turns every viewer action into an event.

The UI calls these methods on key presses and calls `tick()` on a timer; it never builds events itself, so the
whole event logic is testable on a manual clock.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Iterable, Sequence

from player.engine.catalog.films import MAIN, Beat, Film, Scene
from player.engine.playback.clock import PlaybackClock, faster, slower
from player.engine.base.events import make_event, new_session_id, utc_now
from player.engine.playback.timeline import Slot, Timeline

REWIND_SECONDS = 10.0
RESTART_SCENE_AFTER = 3.0  # PgUp restarts the scene when this far into it, else goes to the previous one

PLAYING, BRANCH, FINISHED, ENDED = "playing", "branch", "finished", "ended"


def _tags(slots: Iterable[Slot]) -> list[str]:
    """Tags of every beat, repeated per beat, so counts say how many beats had each tag."""
    return [tag for slot in slots for tag in slot.beat.tags]


def _speakers(slots: Iterable[Slot]) -> list[str]:
    return [slot.beat.speaker for slot in slots if slot.beat.speaker]


class Playback:
    def __init__(self, film: Film, *, viewer: str, record: Callable[[dict], None], speed: float = 1.0,
                 time_source: Callable[[], float] = time.monotonic, session: str | None = None,
                 wall_clock: Callable[[], str] = utc_now):
        self.film = film
        self.viewer = viewer
        self.record = record
        self.session = session or new_session_id()
        self.wall_clock = wall_clock
        self.timeline = Timeline(film.scenes)
        self.part = MAIN  # MAIN, or the id of the ending that is playing
        self.clock = PlaybackClock(0.0, speed, time_source)
        self.clock.pause()  # nothing moves until start()
        self.state = PLAYING
        self._scene_index = 0
        self._watched_from = 0  # first beat of the current scene seen in this pass
        self._skipped: set[int] = set()  # beats of the current scene skipped in this pass
        self.open_ended = False  # an ending still being written: at its end, wait for more beats
        self.started = False  # start() or start_in_ending() ran: there is a session to end
        self.events: list[dict] = []  # every event of this session so far: the profile counts them at its branch

    # -- reading the state -------------------------------------------------------------------------------
    @property
    def position(self) -> float:
        return self.timeline.clamp(self.clock.position)

    @property
    def slot(self) -> Slot:
        return self.timeline.slot_at(self.position)

    @property
    def paused(self) -> bool:
        return self.clock.paused

    @property
    def speed(self) -> float:
        return self.clock.speed

    def _emit(self, kind: str, slot: Slot | None = None, position: float | None = None, **data) -> dict | None:
        if self.state == ENDED:
            return None  # a session records nothing after its `end` (a late message from a worker, say)
        slot = slot or self.slot
        event = make_event(kind, viewer=self.viewer, title=self.film.id, session=self.session,
                           scene=slot.scene.id, beat=slot.beat_index,
                           position=self.position if position is None else position,
                           at=self.wall_clock(), part=self.part, **data)
        self.events.append(event)
        self.record(event)
        return event

    # -- the session ---------------------------------------------------------------------------------------
    def start(self, position: float = 0.0) -> None:
        self.started = True
        self._emit("start", speed=self.speed, resume_from=round(position, 2))
        if position > 0:
            self._jump("seek", self.timeline.clamp(position), reason="resume")
        self.clock.resume()

    def tick(self) -> str:
        """Advance to the clock's position: record scenes completed, and notice the end of the part."""
        if self.state != PLAYING:
            return self.state
        position = self.clock.position
        at_end = position >= self.timeline.end
        scene_now = len(self.timeline.scenes) if at_end else self.timeline.scene_index_at(position)
        while self._scene_index < scene_now:
            self._complete_scene(self._scene_index)
            self._scene_index += 1
            self._watched_from, self._skipped = 0, set()
        if at_end and self.open_ended:
            self.clock.seek(self.timeline.end)  # hold here (not a viewer pause) until the next beat is written
            return self.state
        if at_end:
            self._scene_index = len(self.timeline.scenes) - 1
            self.clock.pause()
            self.clock.seek(self.timeline.end)
            if self.part == MAIN:
                self.state = BRANCH
            else:
                self.state = FINISHED
                self._emit("finish", position=self.timeline.end, ending=self.part, share=self._tag_share())
        return self.state

    def _tag_share(self) -> dict[str, float]:
        """How much of what was watched (the film and this ending) carried each tag, for the profile."""
        slots = Timeline(self.film.scenes).slots + self.timeline.slots
        tags = _tags(slots)
        return {tag: round(tags.count(tag) / len(slots), 4) for tag in sorted(set(tags))}

    def _complete_scene(self, scene_index: int) -> None:
        scene = self.timeline.scenes[scene_index]
        slots = [slot for slot in self.timeline.slots if slot.scene_index == scene_index]
        watched = [slot for slot in slots if slot.beat_index >= self._watched_from
                   and slot.beat_index not in self._skipped]
        self._emit("complete", slot=slots[-1], position=self.timeline.scene_end(scene_index),
                   tags=_tags(watched), speakers=_speakers(watched), beats=len(watched),
                   seconds=scene.seconds, speed=self.speed)

    def quit(self) -> None:
        """End the session: an early quit is recorded as abandon, and every session gets an end event (one that
        never started has none: the player quit before it was shown)."""
        if self.state == ENDED or not self.started:
            self.state = ENDED
            return
        if self.state != FINISHED:
            scene_slots = [slot for slot in self.timeline.slots if slot.scene_index == self.slot.scene_index]
            self._emit("abandon", tags=_tags(scene_slots), speakers=_speakers(scene_slots), beats=len(scene_slots))
        self._emit("end", reason="finish" if self.state == FINISHED else "abandon")
        self.clock.pause()
        self.state = ENDED

    # -- the branch point ---------------------------------------------------------------------------------
    def choose(self, ending_id: str, scenes: Sequence[Scene] | None, *, how: str = "key", tags: Sequence[str] = (),
               **data) -> None:
        """Record the choice at the branch point (the strongest taste signal: the chosen ending's tags, and
        those only the authored endings declined have) and play the chosen ending from where the film stopped. An
        ending still to be written has no scenes yet: play_ending() follows when its first beat is there. A
        fallback is the player's choice, not the viewer's: it declines nothing."""
        declined = {tag for ending in self.film.branch.endings if ending.id != ending_id and how != "fallback"
                    for tag in ending.tags}
        self._emit("choice", ending=ending_id, how=how, tags=list(tags), declined=sorted(declined - set(tags)),
                   **data)
        if scenes:
            self.play_ending(ending_id, scenes)

    @property
    def waiting(self) -> bool:
        """At the end of what has been written so far of an ending still being written."""
        return self.open_ended and self.clock.position >= self.timeline.end

    def play_ending(self, ending_id: str, scenes: Sequence[Scene], open_ended: bool = False) -> None:
        """Play an ending from the branch point. An open-ended one grows with append_beat() as it is written."""
        start = Timeline(self.film.scenes).end
        self.timeline = Timeline(scenes, start=start)
        self.part = ending_id
        self.state = PLAYING
        self.open_ended = open_ended
        self._scene_index, self._watched_from, self._skipped = 0, 0, set()
        was_paused = self.clock.paused
        self.clock.seek(start)
        if was_paused:
            self.clock.resume()

    def append_beat(self, beat: Beat) -> None:
        """Add a newly written beat to the end of the ending that is playing."""
        scenes = list(self.timeline.scenes)
        scenes[-1] = replace(scenes[-1], beats=scenes[-1].beats + (beat,))
        self.timeline = Timeline(scenes, start=self.timeline.start)

    def close_ending(self) -> None:
        """Nothing more will be written: the ending finishes when its last beat does."""
        self.open_ended = False

    def start_in_ending(self, ending_id: str, scenes: Sequence[Scene], *, open_ended: bool = False,
                        from_beat: int = 0, **data) -> None:
        """Start a session at an ending: a replay of a saved ending, or a partial one continued (open-ended,
        from the beat where the viewer left it)."""
        self.play_ending(ending_id, scenes, open_ended=open_ended)
        self.clock.pause()
        self.started = True
        self._emit("start", speed=self.speed, resume_from=round(self.timeline.start, 2), **data)
        slots = self.timeline.slots
        if 0 < from_beat < len(slots):
            self.clock.seek(slots[from_beat].start)
            self._scene_index, self._watched_from = slots[from_beat].scene_index, slots[from_beat].beat_index
        self.clock.resume()

    def rate(self, rating: int, tags: Sequence[str], **data) -> None:
        """+1 or -1 for the ending just watched: an explicit taste signal."""
        self._emit("rate", rating=rating, ending=self.part, tags=list(tags), **data)

    def back_to_branch(self) -> None:
        """Return to the branch point from an ending (after it finished, or to choose again)."""
        self.timeline = Timeline(self.film.scenes)
        self.part = MAIN
        self.open_ended = False
        self.clock.pause()
        self.clock.seek(self.timeline.end)
        self.state = BRANCH

    # -- viewer actions -----------------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        if self.state != PLAYING:
            return
        if self.clock.paused:
            lasted = self.clock.resume()
            self._emit("resume", paused=lasted, tags=list(self.slot.beat.tags), speakers=_speakers([self.slot]))
        else:
            self.clock.pause()
            self._emit("pause", tags=list(self.slot.beat.tags), speakers=_speakers([self.slot]))

    def hold(self) -> bool:
        """Stop the clock while something covers the film (help, a panel, a terminal too small). Not the viewer's
        pause: nothing is recorded, so the taste profile never reads it as one. True if it stopped a playing film."""
        if self.state != PLAYING or self.clock.paused:
            return False
        self.clock.pause()
        return True

    def release(self) -> None:
        """The cover is gone: play on from where hold() stopped, unrecorded too."""
        if self.state == PLAYING:
            self.clock.resume()

    def _jump(self, kind: str, target: float, **data) -> dict | None:
        """Move to `target` and record it; skipped or rewound beats are described by their tags."""
        here = self.position
        target = self.timeline.clamp(target)
        if abs(target - here) < 0.01 or self.state != PLAYING:
            return None
        from_slot = self.slot
        to_slot = self.timeline.slot_at(target)
        slots = self.timeline.between(here, target)
        event = self._emit(kind, slot=from_slot, position=here, **{"from": round(here, 2)}, to=round(target, 2),
                           to_scene=to_slot.scene.id, to_beat=to_slot.beat_index, seconds=abs(target - here),
                           tags=_tags(slots), speakers=_speakers(slots), beats=len(slots), **data)
        self.clock.seek(target)
        self._track_watched(from_slot, to_slot, slots, forward=target > here)
        return event

    def _track_watched(self, from_slot: Slot, to_slot: Slot, slots: list[Slot], forward: bool) -> None:
        """Keep count of which beats of the current scene were seen, for its `complete` event."""
        if to_slot.scene_index != from_slot.scene_index:
            self._scene_index = to_slot.scene_index
            self._watched_from, self._skipped = to_slot.beat_index, set()
            return
        passed = {slot.beat_index for slot in slots if slot.scene_index == to_slot.scene_index}
        if forward:
            self._skipped |= passed
        else:
            self._skipped -= passed
            self._watched_from = min(self._watched_from, to_slot.beat_index)

    def next_beat(self) -> None:
        index = self.timeline.index_at(self.position)
        target = self.timeline.slots[index + 1].start if index + 1 < len(self.timeline.slots) else self.timeline.end
        self._jump("skip", target, by="beat")

    def previous_beat(self) -> None:
        index = self.timeline.index_at(self.position)
        self._jump("rewind", self.timeline.slots[max(index - 1, 0)].start, by="beat")

    def next_scene(self) -> None:
        self._jump("skip", self.timeline.scene_end(self.timeline.scene_index_at(self.position)), by="scene")

    def previous_scene(self) -> None:
        scene = self.timeline.scene_index_at(self.position)
        start = self.timeline.scene_starts[scene]
        if self.position - start < RESTART_SCENE_AFTER and scene > 0:
            start = self.timeline.scene_starts[scene - 1]
        self._jump("rewind", start, by="scene")

    def rewind(self, seconds: float = REWIND_SECONDS) -> None:
        self._jump("rewind", self.position - seconds, by="time")

    def seek_scene(self, scene_id: str) -> None:
        for index, scene in enumerate(self.timeline.scenes):
            if scene.id == scene_id:
                self._jump("seek", self.timeline.scene_starts[index], reason="scene")
                return

    def set_speed(self, speed: float) -> None:
        """Also at the branch point, where the film waits for Your ending's first beat: it plays at this speed."""
        if self.state not in (PLAYING, BRANCH) or abs(speed - self.speed) < 1e-9:
            return
        old = self.speed
        self.clock.set_speed(speed)
        self._emit("speed", **{"from": old}, to=speed, tags=list(self.slot.beat.tags))

    def slower(self) -> None:
        self.set_speed(slower(self.speed))

    def faster(self) -> None:
        self.set_speed(faster(self.speed))

    def normal_speed(self) -> None:
        self.set_speed(1.0)
