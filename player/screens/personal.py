""""Your ending" in the player: written by the model on a worker thread while it plays, beat by beat.

A mixin of PlayerScreen. The worker talks to the screen only through messages; the first beat starts playing
as soon as it is written, and if the model fails, one line says so and an authored ending plays instead.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from textual import work
from textual.worker import get_current_worker

from ..engine import endings_store, writer
from ..engine.backend import ModelError
from ..engine.catalog import Film
from ..engine.events import utc_now
from ..engine.plan import YOURS, Plan, make_plan, predict
from ..messages import EndingDone, EndingFailed, EndingProgress

if TYPE_CHECKING:
    from ..app import WatchApp
    from ..engine.playback import Playback


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
        self.writing, self.streaming, self.saved_id = True, "", None
        self.write_yours(self.plan, profile)
        self.refresh_view()

    @work(thread=True, exclusive=True, group="ending", exit_on_error=False)
    def write_yours(self, plan: Plan, profile: dict) -> None:
        service = self.app.model
        worker = get_current_worker()
        if service is None:
            self.post_message(EndingFailed("no model: endings are authored only (--no-ai)"))
            return
        try:
            service.prepare(self.film)
            sampler = service.sampler()
            result = service.use(lambda backend: writer.write(
                self.film, plan, backend, sampler=sampler, on_event=lambda e: self.post_message(EndingProgress(e)),
                stopped=lambda: worker.is_cancelled))
        except ModelError as error:
            self.post_message(EndingFailed(str(error)))
            return
        if worker.is_cancelled:
            return
        if not result.beats:
            self.post_message(EndingFailed("the model wrote nothing usable"))
            return
        record = {"title": self.film.id, "film": self.film.title, "viewer": self.app.services.viewer,
                  "created": utc_now(), "label": "Your ending", "seed": plan.seed, "generator": service.describe(),
                  "sampler": sampler.as_dict(), "plan": plan.as_dict(), "profile": profile, "prompt": result.prompt,
                  "beats": endings_store.beats_record(result.beats), "tokens": result.tokens,
                  "seconds": round(result.seconds, 3), "first_token_seconds": result.first_token_seconds,
                  "refused": result.refused}
        try:
            saved = endings_store.save(self.app.services.history, record)
        except OSError:
            saved = None  # a read-only disk: it still plays, it just cannot be replayed later
        self.post_message(EndingDone(saved))

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
            if self.playback.part != YOURS:  # the first beat: the ending starts playing now
                self.playback.play_ending(YOURS, [writer.ending_scene(self.film, self.plan, [event.beat])],
                                          open_ended=True)
            else:
                self.playback.append_beat(event.beat)
            self._set_timeline()
        self.refresh_view()

    def on_ending_failed(self, message: EndingFailed) -> None:
        if not self.writing:
            return
        self.writing = False
        self.app.notify(f"Your ending could not be written: {message.reason}. Playing an authored ending.",
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
        self.playback.close_ending()
        self.refresh_view()

    def stop_writing(self) -> None:
        """Leaving the ending (back to the branch point, or quitting): stop the model."""
        self.writing = False
        self.workers.cancel_group(self, "ending")
