"""A time source for tests: PlaybackClock and Playback take any callable, and this one moves only when told to,
so a test plays minutes of film without sleeping."""


class ManualTime:
    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
