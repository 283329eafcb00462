"""One Your ending, from its plan to its last save: the rules of writing and saving it, with no UI.

The player makes one when the viewer chooses Your ending (new) or continues a partial one (resumed_from), runs
write() on a worker thread and plays the beats it hears of; stop() is the viewer leaving it. Every beat is saved
as a partial ending as soon as it is written, so that a player killed outright loses none of it. A started
ending is never swapped for another: if the model fails after some beats, it closes on what it has with an
authored closing beat (Finished, with the reason); only a failure before the first beat is Failed, and the
player plays an authored ending instead. Stopping while it is written stops the model at once and saves what was
written, with the beat the viewer was at, as a partial ending that the next play of the title offers to continue.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable, Sequence

from player.engine.catalog.films import Beat, Film, Scene
from player.engine.ending import ending_record, endings_store, writer
from player.engine.ending.ending_record import SavedEnding
from player.engine.ending.plan import Plan, make_plan
from player.engine.ending.prompt import story_prefix
from player.engine.history.store import History
from player.engine.llm.backend import Backend, ModelError, Wait
from player.engine.llm.service import ModelService

log = logging.getLogger(__name__)
Event = writer.Started | writer.Piece | writer.Written | writer.Refused  # heard while it is written


@dataclass(frozen=True)
class Finished:
    """Written and saved as `saved` (None: the disk refused; it still plays, it cannot be replayed). When the
    model stopped part-way, `closing` is the authored beat it closes on and `reason` says why."""

    saved: str | None
    closing: Beat | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Failed:
    """Nothing written: one line for the viewer, who gets an authored ending instead."""

    reason: str


class YourEnding:
    def __init__(self, film: Film, plan: Plan, *, history: History, viewer: str, session: str,
                 model: ModelService | None, profile: dict, done: Sequence[Beat] = (), start: int = 0,
                 ending_id: str | None = None, created: str | None = None, resumed: bool = False):
        """`done`: the beats already written (a continued ending), before plan beat `start`."""
        self.film, self.plan, self.model = film, plan, model
        self.id = ending_id or endings_store.new_id()
        self.resumed = resumed
        self.written: list[Beat] = list(done)  # appended by the writing thread, read by stop()
        self._where = {"viewer": viewer, "session": session, "profile": profile, "created": created}
        self._history = history
        self._done, self._start = list(done), start
        self._next = start  # the plan beat to write next
        self._made: dict = {"generator": {}, "sampler": {}}  # filled once the model is up
        self._stopped = threading.Event()
        self._saving = threading.Lock()  # the writer saves the whole ending, stop() a partial one: one of them
        self._outcome: str | None = None  # "saved" or "quit", under _saving

    @classmethod
    def new(cls, film: Film, profile: dict, seed: int, **where) -> "YourEnding":
        """An ending planned from the viewer's profile (the dict of scoring.describe)."""
        return cls(film, make_plan(film, profile, seed), profile=profile, **where)

    @classmethod
    def resumed_from(cls, film: Film, saved: SavedEnding, **where) -> "YourEnding":
        """The rest of a partial ending, with the plan and the profile it was started with."""
        return cls(film, saved.plan, profile=saved.profile, done=saved.beats, start=saved.next_beat,
                   ending_id=saved.id, created=saved.created, resumed=True, **where)

    def scene(self, beats: list[Beat]) -> Scene:
        return writer.ending_scene(self.film, self.plan, beats)

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def write(self, on_event: Callable[[Event], None]) -> Finished | Failed | None:
        """Write the rest, saving it beat by beat, and say how it ended; None once stop() ran (it saved what was
        written). Blocking: run it on a thread."""
        model = self.model
        if model is None:
            return Failed("no model: endings are authored only (--no-ai)")
        wait = Wait()  # the viewer waits from the choice to the first word: getting the model ready counts in it
        prefix = story_prefix(self.film)

        def heard(event: Event) -> None:
            if isinstance(event, writer.Written):  # kept first, so that stop() can save it at once
                self.written.append(event.beat)
                self._next = event.index + 1
                self._save(self._record(list(self.written), complete=False, next_beat=self._next), outcome=None)
            if not self.stopped:
                on_event(event)

        def work(backend: Backend) -> writer.WrittenEnding:
            sampler = model.sampler()
            self._made = {"generator": model.describe(), "sampler": sampler.as_dict()}
            return writer.write(self.film, self.plan, backend, sampler=sampler, on_event=heard,
                                stopped=self._stopped.is_set, done=self._done, start=self._start)

        try:
            if self.resumed:  # no film played first to start the model, and a failure kept is another film's
                model.prepare(prefix, wait)
            written = model.use(work, wait, prefix)
        except ModelError as error:
            if self.stopped:
                return None
            if not self.written:
                return Failed(str(error))
            closing = writer.closing_beat(self.film, self.plan)
            return Finished(self._save(self._record(self.written + [closing], closed=str(error))), closing,
                            str(error))
        except Exception as error:  # a bug: said once, in the log; what was written is kept
            log.exception("writing the ending failed")
            return None if self.stopped else Failed(f"an unexpected error ({error.__class__.__name__})")
        if self.stopped:
            return None
        if not written.beats:
            return Failed("the model wrote nothing usable")
        return Finished(self._save(self._record(
            written.beats, prompt=written.prompt, tokens=written.tokens, seconds=written.seconds,
            first_token_seconds=written.first_token_seconds, refused=written.refused)))

    def stop(self, watched: int) -> None:
        """The viewer leaves it while it is written (back to the branch point, or quitting): stop the model at
        once and save what was written as a partial ending, with `watched`, the beat the viewer was at."""
        self._stopped.set()  # first, so that the writer takes the model's stop for the viewer's
        if self.model is not None:
            self.model.cancel()
        if self.written:
            self._save(self._record(list(self.written), complete=False, next_beat=self._next, watched=watched),
                       "quit")

    def _record(self, beats: Sequence[Beat], **fields) -> dict:
        return {**ending_record.make(self.film, self.plan, beats=beats, **self._where, **self._made, **fields),
                "id": self.id}

    def _save(self, record: dict, outcome: str | None = "saved") -> str | None:
        """Save once for good: whichever of the writer (the whole ending) and stop() (a partial one) comes first.
        With outcome None, a save so far, which the one for good replaces."""
        with self._saving:
            if self._outcome is not None:
                return None
            self._outcome = outcome
            try:
                return endings_store.save(self._history, record)
            except OSError:
                return None  # a read-only disk: it still plays, it just cannot be replayed later
