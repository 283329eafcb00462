"""The model, as the player uses it: started in the background when a film starts, prewarmed with the film's
story, then asked for an ending at the branch point. Thread-safe; no UI code.

The backend runs one request at a time, so every use goes through one lock; a failure is kept as a one-line
message and offered again at the branch point, where the player falls back to an authored ending.
"""

from __future__ import annotations

import threading
from typing import Callable

from .backend import Backend, ModelError, Progress, Sampler
from .catalog import Film
from .prompt import story_prefix

Status = Callable[[str, float | None], None]  # ("preparing the default model", 0.4) / ("ready", None) ...


class ModelService:
    def __init__(self, factory: Callable[[], Backend], on_status: Status = lambda text, fraction: None):
        self.factory = factory
        self.on_status = on_status
        self.backend: Backend | None = None
        self.error: str | None = None
        self.status = "off"
        self._lock = threading.Lock()
        self._prewarmed: str | None = None

    def _report(self, text: str, fraction: float | None = None) -> None:
        self.status = text
        self.on_status(text, fraction)

    def prepare(self, film: Film) -> None:
        """Start the backend if needed and prewarm the film's story. Blocking: run it on a thread."""
        with self._lock:
            try:
                self._start()
                prefix = story_prefix(film)
                if self._prewarmed != prefix:
                    self._report("reading the film", None)
                    self.backend.prewarm(prefix)
                    self._prewarmed = prefix
                self._report("ready", None)
            except ModelError as error:
                self._fail(str(error))

    def _start(self) -> None:
        if self.backend is None:  # also after a failure: a crashed or stalled process is started afresh
            progress: Progress = lambda what, fraction: self._report(what, fraction)  # noqa: E731
            self._report("starting the model", None)
            backend = self.factory()
            try:
                backend.start(progress)
            except BaseException:
                backend.close()
                raise
            self.backend = backend

    def _fail(self, message: str) -> None:
        self.error = message
        if self.backend is not None:
            self.backend.close()
            self.backend = None
        self._prewarmed = None  # a backend started afresh must read the story again
        self._report("unavailable", None)

    def use(self, work: Callable[[Backend], object]) -> object:
        """Run `work` with the started backend, one caller at a time. A failure makes the service unavailable
        (the message is kept) and is raised as ModelError."""
        with self._lock:
            try:
                self._start()
                return work(self.backend)
            except ModelError as error:
                self._fail(str(error))
                raise

    def describe(self) -> dict:
        return self.backend.describe() if self.backend else {}

    def sampler(self) -> Sampler:
        """The sampler settings the model's description recommends (models.toml), else the defaults."""
        settings = self.describe().get("sampler") or {}
        known = {key: value for key, value in settings.items() if key in Sampler.__dataclass_fields__}
        return Sampler(**known)

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None
