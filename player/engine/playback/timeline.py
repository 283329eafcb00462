"""Where every beat sits in film time, and what lies between two positions."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Sequence

from player.engine.catalog.films import Beat, Scene

MIN_OVERLAP = 0.2  # seconds of a beat a jump must cover for the beat to count as skipped or rewound


@dataclass(frozen=True)
class Slot:
    """One beat placed on the timeline."""

    scene_index: int
    beat_index: int  # within its scene
    start: float
    end: float
    beat: Beat
    scene: Scene


class Timeline:
    """The scenes laid end to end from `start` seconds. An ending's timeline starts where the main film ends."""

    def __init__(self, scenes: Sequence[Scene], start: float = 0.0):
        self.scenes = tuple(scenes)
        self.start = start
        self.slots: list[Slot] = []
        self.scene_starts: list[float] = []
        position = start
        for scene_index, scene in enumerate(self.scenes):
            self.scene_starts.append(position)
            for beat_index, beat in enumerate(scene.beats):
                self.slots.append(Slot(scene_index, beat_index, position, position + beat.duration, beat, scene))
                position += beat.duration
        self.end = position
        self._starts = [slot.start for slot in self.slots]

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def clamp(self, position: float) -> float:
        return min(max(position, self.start), self.end)

    def index_at(self, position: float) -> int:
        """The slot showing at `position`; the last slot at or after the end."""
        index = bisect.bisect_right(self._starts, position) - 1
        return min(max(index, 0), len(self.slots) - 1)

    def slot_at(self, position: float) -> Slot:
        return self.slots[self.index_at(position)]

    def scene_index_at(self, position: float) -> int:
        return self.slot_at(position).scene_index

    def scene_end(self, scene_index: int) -> float:
        following = scene_index + 1
        return self.scene_starts[following] if following < len(self.scene_starts) else self.end

    def between(self, a: float, b: float) -> list[Slot]:
        """Slots that overlap the span from a to b (in either order) by at least MIN_OVERLAP seconds, so a beat
        barely begun, or all but over, does not count as skipped or watched again."""
        low, high = min(a, b), max(a, b)
        if high <= low:
            return []
        result = []
        for slot in self.slots[self.index_at(low):]:
            if slot.start >= high:
                break
            if min(slot.end, high) - max(slot.start, low) >= min(MIN_OVERLAP, slot.end - slot.start):
                result.append(slot)
        return result
