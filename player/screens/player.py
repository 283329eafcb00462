"""The player: storyboard, caption, timeline and status, driven by the keys mpv users know."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from player.engine.ending import writer
from player.engine.catalog.films import Film
from player.engine.ending.endings_store import Saved
from player.engine.ending.plan import YOURS, Plan, next_seed, predict
from player.engine.playback.session import BRANCH, FINISHED, Playback
from player.engine.base.text import printable
from ..widgets.keybar import KeyBar
from ..widgets.progress import with_progress
from ..widgets.caption import Caption
from ..widgets.storyboard import Storyboard
from ..widgets.timeline import TimelineBar
from .branch import BranchScreen, Choice
from .end import EndScreen
from .personal import PersonalEnding
from .why import WhyScreen

if TYPE_CHECKING:
    from ..app import WatchApp

TICK_SECONDS = 0.1
BEAT = Binding.Group("beat", compact=True)
SCENE = Binding.Group("scene", compact=True)
SPEED = Binding.Group("speed", compact=True)


class PlayerScreen(PersonalEnding, Screen):
    app: "WatchApp"
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
        Binding("f1,question_mark", "help", "help", id="help", key_display="?", tooltip="Help: every key"),
    ]

    def __init__(self, film: Film, *, start_at: float = 0.0, replay: Saved | None = None,
                 resume: Saved | None = None):
        """`replay` plays a saved ending back as it was; `resume` continues a partial one, writing the rest."""
        super().__init__()
        self.film = film
        self.start_at = start_at
        self.replay = replay
        self.resume = resume
        self.playback: Playback | None = None
        self._shown: tuple | None = None
        self._asking = False  # the branch or end screen is up; push it once only

    def compose(self) -> ComposeResult:
        with Vertical(id="player"):
            yield Static(id="film-title")
            yield Storyboard(id="storyboard")
            yield Caption(id="caption")
            yield TimelineBar(id="timeline")
            yield Static(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        services = self.app.services
        self.playback = Playback(self.film, viewer=services.viewer, record=services.history.log,
                                 speed=services.speed, time_source=services.time_source)
        self.app.playbacks.add(self.playback)
        self.query_one("#film-title", Static).update(
            Content(printable(f"{self.film.title} ({self.film.year})", keep_newlines=False)))
        if self.replay:
            self.plan = Plan.from_dict(self.replay.record["plan"])
            self.saved_id = self.replay.id
            scene = writer.ending_scene(self.film, self.plan, self.replay.beats)
            self.playback.start_in_ending(YOURS, [scene], replay=self.replay.id)
        elif self.resume:
            self.continue_yours(self.resume)
        else:
            self.playback.start(self.start_at)
            self.app.prepare_model(self.film)
        self._set_timeline()
        self.refresh_view()
        self.set_interval(TICK_SECONDS, self.tick)

    def _set_timeline(self) -> None:
        timeline = self.playback.timeline
        main_end = self.film.main_seconds
        total = timeline.end if self.playback.part != "main" else self.film.runtime_seconds
        markers = [start for start in timeline.scene_starts if start > 0]
        if self.playback.part == "main":
            markers.append(main_end)
        self.query_one(TimelineBar).set_film(total, markers)

    def tick(self) -> None:
        if not self.playback:
            return
        state = self.playback.tick()
        self.refresh_view()
        if not self.is_current or self._asking:
            return  # help or the size warning is on top; the branch point waits for them to close
        if state == BRANCH and not self.writing:
            self._asking = True
            yours = self.app.model is not None
            profile = self.app.current_profile()
            self.app.push_screen(BranchScreen(self.film, timer=self.app.services.branch_timer, yours=yours,
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
            return self.playback is not None and (self.playback.part == YOURS or self.writing)
        return True

    def _show_writing(self) -> None:
        """While the model writes the next beat and the film has caught up with it: the words as they come."""
        self._shown = None
        if self.playback.part != YOURS:
            scene = writer.ending_scene(self.film, self.plan, [])
            self.query_one(Storyboard).show(scene, 1, 1)
        if self.waiting_for_model:
            self.query_one(Caption).show_waiting(with_progress(*self.app.model_progress))
        else:
            self.query_one(Caption).show_writing(self.streaming)

    @property
    def waiting_for_model(self) -> bool:
        """Your ending was chosen while the model was still starting or reading the story."""
        return self.writing and not self.app.model_ready and self.playback.part != YOURS

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
        part = {"main": "", YOURS: "  ·  your ending"}.get(playback.part, "  ·  ending")
        speed = f"{playback.speed:g}x"
        warning = self.app.history_warning
        parts: list = [state, f"  ·  {speed}{part}  ·  viewer {printable(self.app.services.viewer)}"]
        if self.waiting_for_model:
            parts = [state, "  ·  ", (printable(with_progress(*self.app.model_progress, cells=5)), "$accent")]
        elif self.writing:
            parts += ["  ·  ", ("✦ writing your ending…", "bold $accent")]
        elif self.app.model_status and playback.part == "main":
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
        declined = sorted({tag for other in self.film.branch.endings if other.id != ending.id for tag in other.tags})
        self.playback.choose(choice.ending, ending.scenes, how=choice.how, tags=ending.tags, declined=declined,
                             label=ending.label)
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
            self.app.push_screen(WhyScreen(self.film, self.plan, self.app.current_profile()))
        else:
            self.app.say("Only a personalised ending has a why: choose \"Your ending\" at the branch point.",
                         timeout=4)

    # -- actions --------------------------------------------------------------------------------------------
    def action_playback(self, name: str) -> None:
        """Every playback key: the engine method of that name, then a tick (a skip may reach the branch point)."""
        getattr(self.playback, name)()
        self.tick()

    def action_help(self) -> None:
        self.app.show_help(self)

    def action_quit_film(self) -> None:
        self.stop_writing()
        self.app.end_session(self.playback)
        self.app.leave_player()

    def go_to_scene(self, scene_id: str) -> None:
        self.playback.seek_scene(scene_id)
        self.refresh_view()
