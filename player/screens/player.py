"""The player: storyboard, caption, timeline and status, driven by the keys mpv users know."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ..engine.catalog import Film
from ..engine.playback import BRANCH, FINISHED, Playback
from ..engine.text import printable
from ..widgets.keybar import KeyBar
from ..widgets.caption import Caption
from ..widgets.storyboard import Storyboard
from ..widgets.timeline import TimelineBar
from .branch import BranchScreen, Choice
from .end import EndScreen

if TYPE_CHECKING:
    from ..app import WatchApp

TICK_SECONDS = 0.1
BEAT = Binding.Group("beat", compact=True)
SCENE = Binding.Group("scene", compact=True)
SPEED = Binding.Group("speed", compact=True)


class PlayerScreen(Screen):
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
        Binding("backspace", "playback('normal_speed')", "1x", id="normal-speed", key_display="⌫",
                tooltip="Normal speed"),
        Binding("q", "quit_film", "quit", id="quit-film", tooltip="Quit the film"),
        Binding("f1,question_mark", "help", "help", id="help", key_display="?", tooltip="Help: every key"),
    ]

    def __init__(self, film: Film, *, start_at: float = 0.0):
        super().__init__()
        self.film = film
        self.start_at = start_at
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
        self._set_timeline()
        self.playback.start(self.start_at)
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
        if state == BRANCH:
            self._asking = True
            self.app.push_screen(BranchScreen(self.film, timer=self.app.services.branch_timer), self.chose)
        elif state == FINISHED:
            self._asking = True
            self.app.push_screen(EndScreen(self.film, self.playback.part), self.after_end)

    def refresh_view(self) -> None:
        playback = self.playback
        slot = playback.slot
        shown = (playback.part, slot.scene_index, slot.beat_index)
        if shown != self._shown:
            self._shown = shown
            self.query_one(Storyboard).show(slot.scene, slot.scene_index + 1, len(playback.timeline.scenes))
            self.query_one(Caption).show(slot.beat, self.film.speaker_name(slot.beat))
        self.query_one(TimelineBar).position = playback.position
        self.query_one("#status", Static).update(self.status_line())

    def status_line(self) -> Content:
        playback = self.playback
        state = ("❚❚ paused", "bold $warning") if playback.paused else ("▶ playing", "bold $success")
        part = "" if playback.part == "main" else "  ·  ending"
        speed = f"{playback.speed:g}x"
        warning = self.app.history_warning
        parts: list = [state, f"  ·  {speed}{part}  ·  viewer {printable(self.app.services.viewer)}"]
        if warning:
            parts += ["  ·  ", (f"⚠ {warning}", "bold $error")]
        return Content.assemble(*parts)

    # -- the branch point and the end ----------------------------------------------------------------------
    def chose(self, choice: Choice | None) -> None:
        self._asking = False
        if choice is None:  # the viewer quit at the branch point
            self.action_quit_film()
            return
        ending = self.film.branch.ending(choice.ending)
        declined = sorted({tag for other in self.film.branch.endings if other.id != ending.id for tag in other.tags})
        self.playback.choose(choice.ending, ending.scenes, how=choice.how, tags=ending.tags, declined=declined,
                             label=ending.label)
        self._set_timeline()
        self.refresh_view()

    def after_end(self, what: str | None) -> None:
        self._asking = False
        if what == "branch":
            self.playback.back_to_branch()
            self._set_timeline()
        else:
            self.action_quit_film()

    # -- actions --------------------------------------------------------------------------------------------
    def action_playback(self, name: str) -> None:
        """Every playback key: the engine method of that name, then a tick (a skip may reach the branch point)."""
        getattr(self.playback, name)()
        self.tick()

    def action_help(self) -> None:
        self.app.show_help(self)

    def action_quit_film(self) -> None:
        self.app.end_session(self.playback)
        self.app.leave_player()

    def go_to_scene(self, scene_id: str) -> None:
        self.playback.seek_scene(scene_id)
        self.refresh_view()
