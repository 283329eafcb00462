"""The player: storyboard, caption, timeline and status, driven by the keys mpv users know.

At the branch point it asks which ending. Your ending is written by the engine (ending/your_ending.py) on a
worker thread while it plays; the worker talks to this screen only through messages, and the screen only shows
what it hears: the first beat starts playing as soon as it is written. The screen dismisses with its Playback
when the viewer leaves the film, and the app ends that session.
"""

from __future__ import annotations

import random

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from player.engine.base.text import printable
from player.engine.catalog.films import MAIN, YOURS, Beat, Film
from player.engine.ending import writer
from player.engine.ending.ending_record import SavedEnding
from player.engine.ending.plan import Plan, next_seed, predict
from player.engine.ending.your_ending import Failed, Finished, YourEnding
from player.engine.llm.service import ModelService
from player.engine.playback.session import BRANCH, ENDED, FINISHED, PLAYING, Playback
from player.engine.taste.profile_cache import ProfileCache
from ..messages import EndingOver, EndingProgress
from ..widgets.caption import Caption
from ..widgets.flash import Flash
from ..widgets.keybar import KeyBar
from ..widgets.progress import with_progress
from ..widgets.status_line import fit
from ..widgets.storyboard import Storyboard
from ..widgets.timeline import TimelineBar
from .backlog import BacklogScreen, played_so_far
from .branch import BranchScreen, Choice
from .end import EndScreen
from .why import WhyScreen

TICK_SECONDS = 0.1
BEAT = Binding.Group("beat", compact=True)
SCENE = Binding.Group("scene", compact=True)
SPEED = Binding.Group("speed", compact=True)


class PlayerScreen(Screen[Playback]):
    DEFAULT_CSS = """
    #title-row { height: 1; background: $panel; }
    #title-row > #film-title { width: 1fr; }
    """
    BINDINGS = [
        # Two bindings on one key, one shown at a time (check_action): the hint says what space will do now.
        Binding("space", "pause", "pause", id="pause", key_display="space", tooltip="Pause or resume"),
        Binding("space", "play", "play", id="play", key_display="space", tooltip="Pause or resume"),
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
        Binding("h", "backlog", "lines", id="backlog", tooltip="Backlog: the lines so far, newest last"),
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
        self._held = False  # a screen on top (help, why, the palette, too small...) holds the film: see follow_cover
        self._keys_for: tuple | None = None  # the state the key hints were last drawn for
        self._ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="player"):
            with Horizontal(id="title-row"):
                yield Static(id="film-title")
                yield Flash(id="flash")
            yield Storyboard(id="storyboard")
            yield Caption(id="caption")
            yield TimelineBar(id="timeline")
            yield Static(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#film-title", Static).update(
            Content(printable(f"{self.film.title} ({self.film.known_year})" if self.film.known_year else
                              self.film.title, keep_newlines=False)))
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
        self._ticker = self.set_interval(TICK_SECONDS, self.tick)
        self.refresh_view()  # a screen pushed over this one before it mounted (too small) holds the film at once

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
        if self.covered or self._asking:
            return  # help or the size warning is on top; the branch point waits for them to close
        if state == BRANCH and not self.writing and self.profile.loaded.is_set():  # it predicts from the profile
            self._asking = True
            profile, yours = self.taste, self.model is not None
            self.app.push_screen(BranchScreen(self.film, timer=self.app.services.branch_timer, model=self.model,
                                              predicted=predict(self.film, profile, yours),
                                              authored=predict(self.film, profile, yours=False)), self.chose)
        elif state == FINISHED:
            self._asking = True
            self.app.push_screen(EndScreen(self.film, self.playback.part, self.plan, on_rate=self.rate,
                                           on_why=self.action_why, scenes=self.playback.timeline.scenes),
                                 self.after_end)

    def refresh_view(self) -> None:
        """Show where the film is. Called after every change of the playback, so it also holds the film while a
        screen covers this one, and runs the tick only while there is something for it to do."""
        self.follow_cover()
        playback = self.playback
        if self.writing and (playback.part != YOURS or playback.waiting):
            self._show_writing()
        else:
            slot = playback.slot
            shown = (playback.part, slot.scene_index, slot.beat_index, len(playback.timeline.slots))
            if shown != self._shown:
                self._shown = shown
                self.query_one(Storyboard).show(slot.scene, slot.scene_index + 1, len(playback.timeline.scenes))
                self.query_one(Caption).show(slot.beat, self.film.speaker_name(slot.beat))
        self.query_one(TimelineBar).position = playback.position
        self.show_status()
        keys_for = (playback.paused, playback.state, playback.part == YOURS or self.writing)
        if keys_for != self._keys_for:  # the key bar shows "space play" or "space pause", and w only with a why
            self._keys_for = keys_for
            self.refresh_bindings()
        self._pace()

    def show_status(self) -> None:
        """The status line alone; the app calls it when the model's status or the history's warning changes."""
        if not self.is_mounted:
            return
        status = self.query_one("#status", Static)
        status.update(self.status_line(status.content_size.width or self.app.size.width - 2))

    def _pace(self) -> None:
        """Tick only while the clock runs or something waits to happen (the branch or end screen to show, the
        model's progress while Your ending waits for it): a paused film costs nothing."""
        if self._ticker is None:
            return
        playback = self.playback
        moving = playback.state == PLAYING and not playback.paused
        due = playback.state in (BRANCH, FINISHED) and not self._asking
        if moving or due or self.waiting_for_model:
            self._ticker.resume()
        else:
            self._ticker.pause()

    # -- screens on top ---------------------------------------------------------------------------------------
    @property
    def covered(self) -> bool:
        """Another screen is on top: help, the why panel, the palette, the taste profile, "terminal too small"."""
        return self.app.screen is not self

    def follow_cover(self) -> None:
        """Anything that covers the film pauses it; the film plays on when the cover goes only if it was playing
        before. Playback.hold() records nothing: the viewer did not pause, so the taste profile never sees it."""
        if self._left:
            return
        if self.covered:
            self._held = self.playback.hold() or self._held
        elif self._held:
            self._held = False
            self.playback.release()

    def on_screen_suspend(self, event: events.ScreenSuspend) -> None:
        self.refresh_view()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.tick()  # also shows the branch point if it came while covered

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "why":  # only a personalised ending has a why
            return self.playback.part == YOURS or self.writing
        if action in ("pause", "play"):  # one of the two space bindings: what space does now
            return (action == "play") == (self.playback.paused and self.playback.state == PLAYING)
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
    def taste(self) -> dict:
        """The viewer's profile with this session's events so far: the first viewing shapes its own ending."""
        return self.profile.with_session(self.playback.events)

    @property
    def waiting_for_model(self) -> bool:
        """Your ending was chosen while the model was still starting or reading the story."""
        ready = self.model is not None and self.model.ready
        return self.writing and not ready and self.playback.part != YOURS

    def status_line(self, width: int) -> Content:
        """State, speed, part, what the model does, a history warning, the viewer: made to fit `width`, the
        least important left out first (status_line.fit), never cut."""
        playback = self.playback
        if self.waiting_for_model:  # stopped at the branch point: the film is waiting, not over
            state = Content.styled("✦ waiting for the model…", "bold $accent")
        elif self.writing and playback.part != YOURS:  # at the branch point until the first beat is written
            state = Content.styled("✦ writing your ending…", "bold $accent")
        elif playback.paused:
            state = Content.styled("❚❚ paused", "bold $warning")
        else:
            state = Content.styled("▶ playing", "bold $success")
        parts = [(9, state), (6, Content(printable(f"{playback.speed:g}x")))]
        if playback.part != MAIN:
            parts.append((5, Content("your ending") if playback.part == YOURS else Content("ending")))
        if self.waiting_for_model:
            parts.append((3, Content.styled(printable(with_progress(*self.app.model_progress, cells=5)), "$accent")))
        elif self.writing and playback.part == YOURS:
            parts.append((3, Content.styled("✦ writing…", "bold $accent")))
        elif self.app.model_status and playback.part == MAIN and not self.writing:
            parts.append((3, Content.styled(printable(f"✦ model {self.app.model_status}", False), "$text-muted")))
        warning = self.app.history_warning
        if warning:  # when short of room, its first clause: the notification says it in full
            shown = [Content.styled(printable(f"⚠ {text}", False), "bold $error")
                     for text in (warning, warning.split("; ")[0])]
            parts.append((4, *shown))
        parts.append((1, Content(printable(f"viewer {playback.viewer}", False))))
        return fit(parts, width)

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
            self.app.push_screen(WhyScreen(self.film, self.plan, self.taste))
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
        ending = YourEnding.new(self.film, self.taste, seed, **self._for_an_ending())
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
        ending = self.film.branch.ending(predict(self.film, self.taste, yours=False) or self.film.branch.endings[0].id)
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
    def action_playback(self, name: str, *arguments) -> None:
        """Every playback key: the engine method of that name, then a tick (a skip may reach the branch point),
        and a flash of what it did. From the palette it comes while the palette may still cover the film: the
        film is let go first, so that the viewer's pause is a pause and not the end of the hold."""
        if self._held:
            self._held = False
            self.playback.release()
        was_at = self.playback.position
        getattr(self.playback, name)(*arguments)
        self.tick()
        said = self._what_it_did(name, was_at)
        if said:
            self.query_one(Flash).show(said)

    def _what_it_did(self, name: str, was_at: float) -> str | None:
        """The flash of a key, as mpv shows it: "2x", "−10 s", "+1 beat", "scene 3/7"; None if nothing moved."""
        playback = self.playback
        if name in ("slower", "faster", "normal_speed"):
            return f"{playback.speed:g}x"
        moved = playback.position - was_at
        if abs(moved) < 0.01 or name == "toggle_pause":
            return None
        if name == "rewind":
            return f"−{-moved:.0f} s"
        if name in ("next_beat", "previous_beat"):
            return "+1 beat" if moved > 0 else "−1 beat"
        scenes = playback.timeline.scenes
        return f"scene {playback.timeline.scene_index_at(playback.position) + 1}/{len(scenes)}"

    def action_pause(self) -> None:
        self.action_playback("toggle_pause")

    def action_play(self) -> None:
        self.action_playback("toggle_pause")

    def action_quit_film(self) -> None:
        if not self._left:
            self._left = True
            self.stop_writing()
            self.dismiss(self.playback)

    def action_backlog(self) -> None:
        self.app.push_screen(BacklogScreen(self.film, played_so_far(self.playback)))

    def go_to_scene(self, scene_id: str) -> None:
        self.action_playback("seek_scene", scene_id)
