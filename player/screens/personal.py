""""Your ending" in the player: written by the model on a worker thread while it plays, beat by beat.

A mixin of PlayerScreen. The worker talks to the screen only through messages; the first beat starts playing
as soon as it is written. A started ending is never swapped for another: if the model fails after some beats,
the ending closes on what it has with an authored closing beat, and one line says so; only a failure before the
first beat plays an authored ending instead. Quitting while it is written stops the model at once and saves
what was written as a partial ending, which the next play of the title offers to continue.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import TYPE_CHECKING, Sequence

from textual import work
from textual.worker import get_current_worker

from player.engine.ending import ending_record
from player.engine.ending import endings_store
from player.engine.ending import writer
from player.engine.llm.backend import ModelError, Wait
from player.engine.catalog.films import Beat, Film
from player.engine.ending.endings_store import Saved
from player.engine.ending.plan import YOURS, Plan, make_plan, predict
from player.engine.playback.session import ENDED
from ..messages import EndingDone, EndingFailed, EndingProgress

if TYPE_CHECKING:
    from ..app import WatchApp
    from player.engine.playback.session import Playback

log = logging.getLogger(__name__)


class PersonalEnding:
    app: "WatchApp"
    film: Film
    playback: "Playback"
    plan: Plan | None = None
    writing = False  # the model is writing an ending for this screen
    streaming = ""  # the beat being written, as far as it has got
    saved_id: str | None = None  # the saved record of the ending that is playing

    def start_yours(self, how: str = "key", seed: int | None = None) -> None:
        """Plan the ending from the profile and start writing it; it plays from its first beat."""
        services = self.app.services
        profile = self.app.current_profile()
        if seed is None:
            seed = services.seed if services.seed is not None else random.SystemRandom().randrange(2**31)
        self.plan = make_plan(self.film, profile, seed)
        declined = sorted({tag for e in self.film.branch.endings for tag in e.tags} - set(self.plan.tags))
        self.playback.choose(YOURS, None, how=how, tags=self.plan.tags, declined=declined, seed=seed)
        self._begin(profile, done=[], start=0, ending_id=endings_store.new_id(), created=None)

    def continue_yours(self, saved: Saved) -> None:
        """Continue a partial ending the viewer quit: its beats play from where they left, the rest is written."""
        record = saved.record
        self.plan = Plan.from_dict(record["plan"])
        beats = saved.beats
        scene = writer.ending_scene(self.film, self.plan, beats)
        self.playback.start_in_ending(YOURS, [scene], open_ended=True, from_beat=int(record.get("watched") or 0),
                                      resumed=saved.id)
        self._begin(record.get("profile") or {}, done=beats, start=int(record.get("next") or len(beats)),
                    ending_id=saved.id, created=record.get("created"))

    def _begin(self, profile: dict, *, done: Sequence[Beat], start: int, ending_id: str, created: str | None):
        self.writing, self.streaming, self.saved_id = True, "", None
        self._profile_used = profile
        self._written: list[Beat] = list(done)  # appended by the worker thread as beats are written
        self._next = start  # the plan beat to write next
        self._made = {"generator": {}, "sampler": {}}  # filled by the worker once the model is up
        self._ending_id, self._created = ending_id, created
        self._saving = threading.Lock()  # the worker saves the whole ending, the UI a partial one: one of them
        self._outcome: str | None = None  # "saved" or "quit", under _saving
        self.write_yours(self.plan, profile, list(done), start)
        self.refresh_view()

    def _record(self, beats: Sequence[Beat], **fields) -> dict:
        return {**ending_record.make(self.film, self.plan, viewer=self.app.services.viewer,
                                     profile=self._profile_used, beats=beats, session=self.playback.session,
                                     created=self._created, **self._made, **fields), "id": self._ending_id}

    @work(thread=True, exclusive=True, group="ending", exit_on_error=False)
    def write_yours(self, plan: Plan, profile: dict, done: list[Beat], start: int) -> None:
        service = self.app.model
        worker = get_current_worker()
        if service is None:
            self.post_message(EndingFailed("no model: endings are authored only (--no-ai)"))
            return
        written = self._written

        def on_event(event) -> None:
            if isinstance(event, writer.Written):  # kept here first, so that a quit can save it at once
                written.append(event.beat)
                self._next = event.index + 1
                self._save_so_far()
            self.post_message(EndingProgress(event))

        wait = Wait()  # the viewer waits from the choice to the first word: getting the model ready counts in it
        try:
            service.prepare(self.film, wait)
            sampler = service.sampler()
            self._made = {"generator": service.describe(), "sampler": sampler.as_dict()}
            result = service.use(lambda backend: writer.write(
                self.film, plan, backend, sampler=sampler, on_event=on_event, stopped=lambda: worker.is_cancelled,
                done=done, start=start), wait)
        except ModelError as error:
            if worker.is_cancelled:
                return  # the viewer quit: the screen saved what was written
            if not written:
                self.post_message(EndingFailed(str(error)))
                return
            closing = writer.closing_beat(self.film, plan)
            saved = self._save(self._record(written + [closing], closed=str(error)))
            self.post_message(EndingDone(saved, closing=closing, reason=str(error)))
            return
        except Exception as error:  # a bug: say so once, keep what was written, and never die silently
            log.exception("writing the ending failed")
            if not worker.is_cancelled:
                self.post_message(EndingFailed(f"an unexpected error ({error.__class__.__name__})"))
            return
        if worker.is_cancelled:
            return
        if not result.beats:
            self.post_message(EndingFailed("the model wrote nothing usable"))
            return
        saved = self._save(self._record(result.beats, prompt=result.prompt, tokens=result.tokens,
                                        seconds=result.seconds, first_token_seconds=result.first_token_seconds,
                                        refused=result.refused))
        self.post_message(EndingDone(saved))

    def _save(self, record: dict, outcome: str | None = "saved") -> str | None:
        """Save once for good: whichever of the worker (the whole ending) and a quit (a partial one) comes first.
        With outcome None, a save so far, which the one for good replaces."""
        with self._saving:
            if self._outcome is not None:
                return None
            self._outcome = outcome
            try:
                return endings_store.save(self.app.services.history, record)
            except OSError:
                return None  # a read-only disk: it still plays, it just cannot be replayed later

    def _save_so_far(self) -> None:
        """Saved as a partial ending after every beat (on the worker thread), so that a player killed outright
        loses none of it."""
        self._save(self._record(list(self._written), complete=False, next_beat=self._next), outcome=None)

    def on_ending_progress(self, message: EndingProgress) -> None:
        event = message.event
        if not self.writing:
            return
        if isinstance(event, (writer.Started, writer.Refused)):
            self.streaming = event.shown if isinstance(event, writer.Started) else self.plan.beats[event.index].opener
        elif isinstance(event, writer.Piece):
            self.streaming += event.text
        elif isinstance(event, writer.Written):
            self.streaming = ""
            self._play(event.beat)
        self.refresh_view()

    def _play(self, beat: Beat) -> None:
        if self.playback.part != YOURS:  # the first beat: the ending starts playing now
            self.playback.play_ending(YOURS, [writer.ending_scene(self.film, self.plan, [beat])], open_ended=True)
        else:
            self.playback.append_beat(beat)
        self._set_timeline()

    def on_ending_failed(self, message: EndingFailed) -> None:
        if not self.writing or self.playback.state == ENDED:
            return
        self.writing = False
        self.app.say(f"Your ending could not be written: {message.reason}. Playing an authored ending.",
                     title="Model", severity="error", timeout=10)
        fallback = predict(self.film, self.app.current_profile(), yours=False)
        ending = self.film.branch.ending(fallback)
        self.playback.back_to_branch()
        self.playback.choose(ending.id, ending.scenes, how="fallback", tags=ending.tags, label=ending.label,
                             reason=message.reason)
        self._set_timeline()
        self.refresh_view()

    def on_ending_done(self, message: EndingDone) -> None:
        if not self.writing:
            return
        self.writing = False
        self.saved_id = message.ending_id
        if message.closing is not None:
            self._play(message.closing)
            self.app.say(f"The model stopped part-way ({message.reason}), so your ending closes on what it had"
                         + (" and is saved." if message.ending_id else "."), title="Model", severity="warning",
                         timeout=10)
        self.playback.close_ending()
        self.refresh_view()

    def stop_writing(self) -> None:
        """Leaving the ending (back to the branch point, or quitting): stop the model at once, and save what was
        written as a partial ending, with where the viewer was."""
        if not self.writing:
            return
        self.writing = False
        self.workers.cancel_group(self, "ending")  # first, so that the worker sees the quit when the model stops
        if self.app.model is not None:
            self.app.model.cancel()
        beats = list(self._written)
        if beats:
            watched = self.playback.timeline.index_at(self.playback.position) if self.playback.part == YOURS else 0
            self._save(self._record(beats, complete=False, next_beat=self._next, watched=watched), "quit")
