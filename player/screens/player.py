"""The player: storyboard, caption, timeline and status, driven by the keys mpv users know.

At the branch point it asks which ending. Your ending is written by the engine (ending/your_ending.py) on a
worker thread while it plays; the worker talks to this screen only through messages, and the screen only shows
what it hears: the first beat starts playing as soon as it is written. The screen dismisses with its Playback
when the viewer leaves the film, and the app ends that session.
"""

from __future__ import annotations

import random

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from player.engine.base.text import printable
from player.engine.catalog.films import MAIN, YOURS, Beat, Film
from player.engine.ending import writer
from player.engine.ending.ending_record import SavedEnding
from player.engine.ending.plan import Plan, next_seed, predict
from player.engine.ending.your_ending import Failed, Finished, YourEnding
from player.engine.llm.service import ModelService
from player.engine.playback.session import BRANCH, ENDED, FINISHED, Playback
from player.engine.taste.profile_cache import ProfileCache
from ..messages import EndingOver, EndingProgress
from ..widgets.caption import Caption
from ..widgets.keybar import KeyBar
from ..widgets.progress import with_progress
from ..widgets.storyboard import Storyboard
from ..widgets.timeline import TimelineBar
from .branch import BranchScreen, Choice
from .end import EndScreen
from .why import WhyScreen

TICK_SECONDS = 0.1
BEAT = Binding.Group("beat", compact=True)
SCENE = Binding.Group("scene", compact=True)
SPEED = Binding.Group("speed", compact=True)


class PlayerScreen(Screen[Playback]):
    BINDINGS = [
        Binding("space", "playback('toggle_pause')", "pause", id="pause", key_display="space",
                tooltip="Pause or resume"),
        Binding("left", "playback('previous_beat')", "Previous beat", id="beat-back", key_display="←", group=BEAT),
        Binding("right", "playback('next_beat')", "Next beat", id="beat-next", key_display="→", group=BEAT),
        Binding("pageup,shift+left", "playback('previous_scene')", "Previous scene (restarts the scene after 3 s)",
                id="scene-back", key_display="PgUp", group=SCENE),
        Binding("pagedown,shift+right", "playback('next_scene')", "Next scene", id="scene-next", key_display="Dn",
                group=SCENE),
        Binding("r", "playback('rewind')", "−10s", id="rewind", tooltip="Rewind 10 seconds"),
        Binding("left_square_bracket", "playback('slower')", "Slower (down to 0.5x)", id="slower", key_display="[",
                group=SPEED),
        Binding("right_square_bracket", "playback('faster')", "Faster (up to 4x)", id="faster", key_display="]",
                group=SPEED),
        Binding("backspace", "playback('normal_speed')", "Normal speed", id="normal-speed", key_display="⌫",
                group=SPEED),
        Binding("q", "quit_film", "quit", id="quit-film", tooltip="Quit the film"),
        Binding("w", "why", "why", id="why", tooltip="Why this ending: what in your history shaped it"),
        Binding("f1,question_mark", "app.help", "help", id="help", key_display="?", tooltip="Help: every key"),
    ]

    def __init__(self, film: Film, playback: Playback, *, model: ModelService | None, profile: ProfileCache,
                 start_at: float = 0.0, replay: SavedEnding | None = None, resume: SavedEnding | None = None):
        """`replay` plays a saved ending back as it was; `resume` continues a partial one, writing the rest."""
        super().__init__()
        self.film = film
        self.playback = playback
        self.model = model
        self.profile = profile
        self.start_at = start_at
        self.replay = replay
        self.resume = resume
        self.ending: YourEnding | None = None  # the last Your ending written for this screen
        self.plan: Plan | None = None  # the plan of the Your ending playing or being written
        self.writing = False  # the model is writing self.ending
        self.streaming = ""  # the beat being written, as far as it has got
        self.saved_id: str | None = None  # the saved record of the ending that is playing
        self._shown: tuple | None = None
        self._asking = False  # the branch or end screen is up; push it once only
        self._left = False  # dismissed: a second quit must not pop the screen below

    def compose(self) -> ComposeResult:
        with Vertical(id="player"):
            yield Static(id="film-title")
            yield Storyboard(id="storyboard")
            yield Caption(id="caption")
            yield TimelineBar(id="timeline")
            yield Static(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#film-title", Static).update(
            Content(printable(f"{self.film.title} ({self.film.year})", keep_newlines=False)))
        if self.replay:
            self.plan, self.saved_id = self.replay.plan, self.replay.id
            scene = writer.ending_scene(self.film, self.plan, self.replay.beats)
            self.playback.start_in_ending(YOURS, [scene], replay=self.replay.id)
        elif self.resume:
            ending = YourEnding.resumed_from(self.film, self.resume, **self._for_an_ending())
            self.playback.start_in_ending(YOURS, [ending.scene(self.resume.beats)], open_ended=True,
                                          from_beat=self.resume.watched, resumed=self.resume.id)
            self._write(ending)
        else:
            self.playback.start(self.start_at)
        self._set_timeline()
        self.refresh_view()
        self.set_interval(TICK_SECONDS, self.tick)

    def _set_timeline(self) -> None:
        timeline = self.playback.timeline
        main_end = self.film.main_seconds
        total = timeline.end if self.playback.part != MAIN else self.film.runtime_seconds
        markers = [start for start in timeline.scene_starts if start > 0]
        if self.playback.part == MAIN:
            markers.append(main_end)
        self.query_one(TimelineBar).set_film(total, markers)

    def tick(self) -> None:
        state = self.playback.tick()
        self.refresh_view()
        if not self.is_current or self._asking:
            return  # help or the size warning is on top; the branch point waits for them to close
        if state == BRANCH and not self.writing and self.profile.loaded.is_set():  # it predicts from the profile
            self._asking = True
            profile, yours = self.profile.current, self.model is not None
            self.app.push_screen(BranchScreen(self.film, timer=self.app.services.branch_timer, model=self.model,
                                              predicted=predict(self.film, profile, yours),
                                              authored=predict(self.film, profile, yours=False)), self.chose)
        elif state == FINISHED:
            self._asking = True
            self.app.push_screen(EndScreen(self.film, self.playback.part, self.plan, on_rate=self.rate,
                                           on_why=self.action_why), self.after_end)

    def refresh_view(self) -> None:
        playback = self.playback
        if self.writing and (playback.part != YOURS or playback.waiting):
            self._show_writing()
        else:
            slot = playback.slot
            shown = (playback.part, slot.scene_index, slot.beat_index, len(playback.timeline.slots))
            if shown != self._shown:
                self._shown = shown
                self.query_one(KeyBar).refresh()
                self.query_one(Storyboard).show(slot.scene, slot.scene_index + 1, len(playback.timeline.scenes))
                self.query_one(Caption).show(slot.beat, self.film.speaker_name(slot.beat))
        self.query_one(TimelineBar).position = playback.position
        self.query_one("#status", Static).update(self.status_line())

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "why":  # only a personalised ending has a why
            return self.playback.part == YOURS or self.writing
        return True

    def _show_writing(self) -> None:
        """While the model writes the next beat and the film has caught up with it: the words as they come."""
        self._shown = None
        if self.playback.part != YOURS:
            self.query_one(Storyboard).show(self.ending.scene([]), 1, 1)
        if self.waiting_for_model:
            self.query_one(Caption).show_waiting(with_progress(*self.app.model_progress))
        else:
            self.query_one(Caption).show_writing(self.streaming)

    @property
    def waiting_for_model(self) -> bool:
        """Your ending was chosen while the model was still starting or reading the story."""
        ready = self.model is not None and self.model.ready
        return self.writing and not ready and self.playback.part != YOURS

    def status_line(self) -> Content:
        playback = self.playback
        if self.waiting_for_model:  # stopped at the branch point: the film is waiting, not over
            state = ("✦ waiting for the model…", "bold $accent")
        elif self.writing and playback.part != YOURS:
            state = ("✦ your ending", "bold $accent")  # stopped at the branch point until the first beat is written
        elif playback.paused:
            state = ("❚❚ paused", "bold $warning")
        else:
            state = ("▶ playing", "bold $success")
        part = {MAIN: "", YOURS: "  ·  your ending"}.get(playback.part, "  ·  ending")
        speed = f"{playback.speed:g}x"
        warning = self.app.history_warning
        parts: list = [state, f"  ·  {speed}{part}  ·  viewer {printable(playback.viewer)}"]
        if self.waiting_for_model:
            parts = [state, "  ·  ", (printable(with_progress(*self.app.model_progress, cells=5)), "$accent")]
        elif self.writing:
            parts += ["  ·  ", ("✦ writing your ending…", "bold $accent")]
        elif self.app.model_status and playback.part == MAIN:
            parts += ["  ·  ", (f"✦ model {printable(self.app.model_status, False)}", "$text-muted")]
        if warning:
            parts += ["  ·  ", (f"⚠ {printable(warning, False)}", "bold $error")]
        return Content.assemble(*parts)

    # -- the branch point and the end ----------------------------------------------------------------------
    def chose(self, choice: Choice | None) -> None:
        self._asking = False
        if choice is None:  # the viewer quit at the branch point
            self.action_quit_film()
            return
        if choice.ending == YOURS:
            self.start_yours(how=choice.how)
            return
        ending = self.film.branch.ending(choice.ending)
        self.playback.choose(choice.ending, ending.scenes, how=choice.how, tags=ending.tags, label=ending.label)
        self._set_timeline()
        self.refresh_view()

    def after_end(self, what: str | None) -> None:
        self._asking = False
        if what in ("branch", "again"):
            seed = next_seed(self.plan.seed) if self.plan else None
            self.stop_writing()
            self.playback.back_to_branch()
            self._set_timeline()
            if what == "again":  # another personalised ending, with a new seed
                self.start_yours(how="again", seed=seed)
        else:
            self.action_quit_film()

    def rate(self, rating: int) -> None:
        self.playback.rate(rating, self.plan.tags if self.plan and self.playback.part == YOURS else
                           self.film.branch.ending(self.playback.part).tags, saved=self.saved_id)

    def action_why(self) -> None:
        if self.plan and (self.playback.part == YOURS or self.writing):
            self.app.push_screen(WhyScreen(self.film, self.plan, self.profile.current))
        else:
            self.app.say("Only a personalised ending has a why: choose \"Your ending\" at the branch point.",
                         timeout=4)

    # -- Your ending -----------------------------------------------------------------------------------------
    def _for_an_ending(self) -> dict:
        """What an ending written for this screen is saved with, and written by."""
        return {"history": self.app.services.history, "viewer": self.playback.viewer,
                "session": self.playback.session, "model": self.model}

    def start_yours(self, how: str = "key", seed: int | None = None) -> None:
        """Plan the ending from the profile and start writing it; it plays from its first beat."""
        if seed is None:
            seed = self.app.services.seed
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)
        ending = YourEnding.new(self.film, self.profile.current, seed, **self._for_an_ending())
        self.playback.choose(YOURS, None, how=how, tags=ending.plan.tags, seed=seed)
        self._write(ending)

    def _write(self, ending: YourEnding) -> None:
        self.ending, self.plan = ending, ending.plan
        self.writing, self.streaming, self.saved_id = True, "", None
        self._write_on_a_thread(ending)
        self.refresh_view()

    @work(thread=True, exclusive=True, group="ending", exit_on_error=False)
    def _write_on_a_thread(self, ending: YourEnding) -> None:
        outcome = ending.write(lambda event: self.post_message(EndingProgress(ending, event)))
        if outcome is not None:
            self.post_message(EndingOver(ending, outcome))

    def on_ending_progress(self, message: EndingProgress) -> None:
        event = message.event
        if message.ending is not self.ending or not self.writing:
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
            self.playback.play_ending(YOURS, [self.ending.scene([beat])], open_ended=True)
        else:
            self.playback.append_beat(beat)
        self._set_timeline()

    def on_ending_over(self, message: EndingOver) -> None:
        if message.ending is not self.ending or not self.writing or self.playback.state == ENDED:
            return
        self.writing = False
        if isinstance(message.outcome, Failed):
            self._fall_back(message.outcome.reason)
        else:
            self._finish(message.outcome)
        self.refresh_view()

    def _fall_back(self, reason: str) -> None:
        self.app.say(f"Your ending could not be written: {reason}. Playing an authored ending.",
                     title="Model", severity="error", timeout=10)
        ending = self.film.branch.ending(predict(self.film, self.profile.current, yours=False))
        self.playback.back_to_branch()
        self.playback.choose(ending.id, ending.scenes, how="fallback", tags=ending.tags, label=ending.label,
                             reason=reason)
        self._set_timeline()

    def _finish(self, finished: Finished) -> None:
        self.saved_id = finished.saved
        if finished.closing is not None:
            self._play(finished.closing)
            self.app.say(f"The model stopped part-way ({finished.reason}), so your ending closes on what it had"
                         + (" and is saved." if finished.saved else "."), title="Model", severity="warning",
                         timeout=10)
        self.playback.close_ending()

    def stop_writing(self) -> None:
        """Leaving Your ending while it is written (back to the branch point, or quitting): the engine stops the
        model at once and saves what was written, with the beat the viewer was at."""
        if not self.writing:
            return
        self.writing = False
        self.workers.cancel_group(self, "ending")
        self.ending.stop(self.playback.timeline.index_at(self.playback.position)
                         if self.playback.part == YOURS else 0)

    # -- actions --------------------------------------------------------------------------------------------
    def action_playback(self, name: str) -> None:
        """Every playback key: the engine method of that name, then a tick (a skip may reach the branch point)."""
        getattr(self.playback, name)()
        self.tick()

    def action_quit_film(self) -> None:
        if not self._left:
            self._left = True
            self.stop_writing()
            self.dismiss(self.playback)

    def go_to_scene(self, scene_id: str) -> None:
        self.playback.seek_scene(scene_id)
        self.refresh_view()
