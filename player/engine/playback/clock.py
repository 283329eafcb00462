"""The playback clock: film position from a time source, a speed and a paused flag.

The time source is injectable so that tests drive the clock by hand instead of sleeping (tests/clocks.py).
"""

from __future__ import annotations

import time
from typing import Callable

SPEED_STEPS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
MIN_SPEED, MAX_SPEED = 0.25, 32.0  # what --speed accepts, for demos and tests


class PlaybackClock:
    def __init__(self, position: float = 0.0, speed: float = 1.0, time_source: Callable[[], float] = time.monotonic):
        self._time = time_source
        self._base_position = position
        self._base_time = time_source()
        self.speed = speed
        self.paused = False
        self.paused_at: float | None = None  # time-source reading when the pause began

    @property
    def position(self) -> float:
        if self.paused:
            return self._base_position
        return self._base_position + (self._time() - self._base_time) * self.speed

    def _rebase(self, position: float) -> None:
        self._base_position = position
        self._base_time = self._time()

    def pause(self) -> None:
        if not self.paused:
            self._rebase(self.position)
            self.paused = True
            self.paused_at = self._time()

    def resume(self) -> float:
        """Resume and return how many seconds the pause lasted."""
        if not self.paused:
            return 0.0
        lasted = self._time() - (self.paused_at or self._time())
        self.paused = False
        self.paused_at = None
        self._rebase(self._base_position)
        return lasted

    def seek(self, position: float) -> None:
        self._rebase(position)

    def set_speed(self, speed: float) -> None:
        self._rebase(self.position)
        self.speed = speed


def slower(speed: float) -> float:
    """The next step down, or the slowest step."""
    lower = [step for step in SPEED_STEPS if step < speed - 1e-9]
    return lower[-1] if lower else SPEED_STEPS[0]


def faster(speed: float) -> float:
    """The next step up; a demo speed above the steps stays where it is."""
    higher = [step for step in SPEED_STEPS if step > speed + 1e-9]
    return higher[0] if higher else max(speed, SPEED_STEPS[-1])
