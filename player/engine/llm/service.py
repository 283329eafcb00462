"""The model, as the player uses it: started in the background when a film starts and given the film's story
to read (prepare), then asked for an ending at the branch point (use). Thread-safe; no UI code. It knows nothing
of films or endings: the caller hands it the story as text.

The backend runs one request at a time, so every call goes through one lock. A failure makes the service
unavailable and is kept as a one-line message (`error`), which the next use() raises at once instead of starting
the model again: a viewer who chooses Your ending while the film's model is failing to load waits for that one
load, never for a second. The next prepare() (the next film) and cancel() start it afresh. Every exception stops
here: one that is not a ModelError (a bug, or input nobody foresaw) is logged once with its traceback and becomes
a one-line failure like any other, so the player never waits on a request that died.

Each call belongs to one wait the viewer sees (backend.Wait): prepare() and use() take the wait they are part
of, or start one of their own when they are called. The time spent waiting for the lock counts, so a prewarm
that holds it while the viewer waits does not add a budget of its own.

cancel() and close() never take that lock: they stop the backend from any thread at once, so that a request in
progress raises ModelError right away (quitting while an ending is written must not wait for it). After
cancel() the next use starts the model afresh; after close() nothing starts it again.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from player.engine.llm.backend import CLOSED, Backend, ModelError, ModelGone, Progress, Sampler, Wait, waiting

Status = Callable[[str, float | None], None]  # ("preparing the default model", 0.4) / ("ready", None) ...
READY = "ready"
UNAVAILABLE = "unavailable"
log = logging.getLogger("watch.model")


class ModelService:
    def __init__(self, factory: Callable[[], Backend], on_status: Status = lambda text, fraction: None):
        self.factory = factory
        self.on_status = on_status
        self.backend: Backend | None = None
        self.error: str | None = None
        self.status = "off"
        self._lock = threading.Lock()
        self._prewarmed: str | None = None
        self._closed = False
        self._starting: Backend | None = None  # a backend being started, so that cancel() can stop it too
        self._cancelled = False  # cancel() stopped the backend: the request it ends is no failure of the model

    def _report(self, text: str, fraction: float | None = None) -> None:
        self.status = text
        self.on_status(text, fraction)

    def prepare(self, prefix: str, wait: Wait | None = None) -> None:
        """Start the backend if needed and have it read `prefix` (the film's story), within `wait` (by default,
        one that starts now). Never raises: a failure is kept (self.error) and the status becomes unavailable.
        Blocking: run it on a thread."""
        wait = wait or Wait()
        with self._lock, waiting(wait):
            try:
                try:
                    self._prewarm(prefix)
                except ModelGone as gone:  # killed or crashed while the film plays: once more, afresh
                    log.warning("%s; starting it again", gone)
                    self._discard()
                    self._prewarm(prefix)
                self._report(READY, None)
            except Exception as error:
                self._fail(self._message(error, "preparing the model"))

    def _prewarm(self, prefix: str) -> Backend:
        backend = self._start()
        if self._prewarmed != prefix:
            self._report("reading the story", 0.0)
            backend.prewarm(prefix, progress=lambda what, fraction: self._report(what, fraction))
            self._prewarmed = prefix
        return backend

    @property
    def ready(self) -> bool:
        """Started, and the film's story read: an ending can start at once."""
        return self.status == READY

    def _start(self) -> Backend:
        if self._closed:
            raise ModelError(CLOSED)
        self._cancelled = False
        if self.backend is None:  # also after a failure: a crashed or stalled process is started afresh
            progress: Progress = lambda what, fraction: self._report(what, fraction)  # noqa: E731
            self._report("starting the model", None)
            backend = self._starting = self.factory()
            try:
                backend.start(progress)
                if self._cancelled or self._closed:  # cancel() ran while it loaded
                    raise ModelError(CLOSED)
            except BaseException:
                backend.close()
                raise
            finally:
                self._starting = None
            self.backend = backend
        return self.backend

    def _message(self, error: Exception, doing: str) -> str:
        """The one line a failure is shown as. A ModelError says it already; anything else is unforeseen: its
        traceback goes to the log, once, unless it only followed a cancel() or close()."""
        if isinstance(error, ModelError):
            return str(error)
        if self._cancelled or self._closed:
            return CLOSED
        log.error("unexpected error while %s", doing, exc_info=error)
        return f"an unexpected error ({error.__class__.__name__}; see the log)"

    def _fail(self, message: str) -> None:
        if self._cancelled or self._closed:  # stopped on purpose: not a failure to report
            return
        self.error = message
        self._discard()
        self._report(UNAVAILABLE, None)

    def _discard(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None
        self._prewarmed = None  # a backend started afresh must read the story again

    def use(self, work: Callable[[Backend], object], wait: Wait | None = None, prefix: str | None = None) -> object:
        """Run `work` with the started backend, one caller at a time, within `wait` (by default, one that starts
        now); with `prefix`, once the backend has read it (at once when prepare() did it already). Any failure
        makes the service unavailable (the message is kept) and is raised as ModelError; after a failure that
        nothing has reset since (prepare(), cancel()), the kept one is raised at once."""
        wait = wait or Wait()
        with self._lock, waiting(wait):
            if self.status == UNAVAILABLE and self.error:
                raise ModelError(self.error)
            try:
                backend = self._start() if prefix is None else self._prewarm(prefix)
                if prefix is not None and not self.ready:  # started here (after a cancel, say): it is up now
                    self._report(READY, None)
                return work(backend)
            except Exception as error:
                message = self._message(error, "writing")
                self._fail(message)
                if isinstance(error, ModelError):
                    raise
                raise ModelError(message) from error

    def describe(self) -> dict:
        return self.backend.describe() if self.backend else {}

    def sampler(self) -> Sampler:
        """The sampler settings the model's description recommends (models.toml), else the defaults."""
        settings = self.describe().get("sampler") or {}
        known = {key: value for key, value in settings.items() if key in Sampler.__dataclass_fields__}
        return Sampler(**known)

    def cancel(self) -> None:
        """Stop whatever the model is doing now, from any thread; the next use starts it again."""
        self._cancelled = True
        backend, self.backend = self.backend, None
        self._prewarmed = None
        for running in (backend, self._starting):
            if running is not None:
                running.close()
        self.status = "off"

    def close(self) -> None:
        """Stop the model for good (the app is quitting); safe to call twice, from any thread."""
        self._closed = True
        self.cancel()
