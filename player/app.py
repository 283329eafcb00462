"""The Textual app and `make_app`, the one factory that both the CLI and the tests call."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from textual import events, work
from textual.app import App, SystemCommand
from textual.geometry import Size
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from player.engine.base.locations import log_file
from player.engine.base.text import printable
from player.engine.catalog.films import Catalog, Film
from player.engine.ending import endings_store
from player.engine.ending.ending_record import SavedEnding
from player.engine.ending.prompt import story_prefix
from player.engine.history.store import History, resume_point
from player.engine.llm.backend import Backend
from player.engine.llm.service import ModelService
from player.engine.playback.session import Playback
from player.engine.taste.profile_cache import ProfileCache
from .messages import HistoryNotice, HistoryWarning, ModelStatus
from .screens.branch import BranchScreen
from .screens.catalog import CatalogScreen
from .screens.help import HelpScreen
from .screens.player import PlayerScreen
from .screens.profile import ProfileScreen
from .screens.resume import ResumeScreen
from .screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from .stop_and_continue import continue_only_after_suspend
from .widgets.progress import with_progress

log = logging.getLogger(__name__)
leave_process = os._exit  # at once: no shutdown writes to a terminal that is gone (tests replace it)


@dataclass
class Services:
    """Everything the app needs from outside, built by cli.py (or by a test)."""

    home: Path
    catalog: Catalog
    viewer: str
    history: History
    speed: float = 1.0
    branch_timer: int | None = None  # None: the title's own timer; 0: no timer
    offer_resume: bool = True  # offer to continue an unfinished session (--from-start turns it off)
    backend_factory: Callable[[], Backend] | None = None  # None: authored endings only (--no-ai)
    seed: int | None = None  # --seed: reproducible personalised endings
    time_source: Callable[[], float] = time.monotonic
    notices: list[str] = field(default_factory=list)  # one-line messages to show once the app is up


class WatchApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "watch"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit watch", id="quit", show=False, priority=True)]

    def __init__(self, services: Services, film: Film | None = None, replay: SavedEnding | None = None):
        super().__init__()
        self.services = services
        self.film = film
        self.replay = replay
        self.playbacks: set[Playback] = set()
        self.history_warning: str | None = None
        self.crash_log: str | None = None  # one line for the user when the app stopped on an error
        services.history.on_warning = lambda warning: self.post_message(HistoryWarning(warning))
        services.history.on_notice = lambda notice: self.post_message(HistoryNotice(notice))
        self.model = ModelService(services.backend_factory, self._model_status) if services.backend_factory else None
        self.model_status = ""
        self.model_progress: tuple[str, float | None] = ("starting the model", None)  # the latest, for the branch
        self.profile = ProfileCache(services.history, services.catalog)

    def on_mount(self) -> None:
        continue_only_after_suspend()
        self.profile.refresh()
        if self.replay is not None:
            self._open_player(self.film, replay=self.replay)
        elif self.film is not None:
            self.play(self.film)
        else:
            self.push_screen(CatalogScreen(self.services.catalog, self.services.history, self.profile))
        for notice in self.services.notices:
            self.say(notice, severity="warning", timeout=8)
        self.check_size()

    # -- sessions -----------------------------------------------------------------------------------------
    def on_catalog_screen_chosen(self, message: CatalogScreen.Chosen) -> None:
        self.play(message.film)

    def play(self, film: Film) -> None:
        """Play a film, first offering to continue where the viewer stopped last time."""
        position, ending = None, None
        if self.services.offer_resume:
            history = self.services.history
            ending = endings_store.to_continue(history, film.id) if self.model is not None else None
            position = None if ending else resume_point(history.last_session(film.id))
        if position or ending:
            self.push_screen(ResumeScreen(film, position or 0.0, ending), lambda at: self._start(film, at))
        else:
            self._start(film, 0.0)

    def _start(self, film: Film, position: float | SavedEnding | None) -> None:
        if position is None:  # the viewer quit at the offer
            self._after_film()
        elif isinstance(position, SavedEnding):  # continue the partial ending (it starts the model itself)
            self._open_player(film, resume=position)
        else:
            self._open_player(film, start_at=position)
            self.prepare_model(film)

    def _open_player(self, film: Film, **where) -> None:
        services = self.services
        playback = Playback(film, viewer=services.viewer, record=services.history.log, speed=services.speed,
                            time_source=services.time_source)
        self.playbacks.add(playback)  # so that a quit, a signal or a crash ends it, wherever the viewer is
        self.push_screen(PlayerScreen(film, playback, model=self.model, profile=self.profile, **where),
                         self._player_left)

    def _player_left(self, playback: Playback | None) -> None:
        """The player dismissed itself with its session: end it, then leave the film."""
        if playback is not None:
            self._end(playback)
        if self.film is None:  # back in the catalog: the next film is planned from a profile that knows this one
            self.profile.refresh(after_sessions=True)
        self._after_film()

    def _after_film(self) -> None:
        """Out of the app after the film it was started for; otherwise the catalog is on top again."""
        if self.film is not None:
            self._leave()

    def _leave(self) -> None:
        """Stop the model and end the sessions before the UI goes: a model thread still loading, reading the story
        or writing would otherwise hold the exit (the app waits for its threads after it has cleared the screen)
        until it finished by itself. cli.py saves and folds the sessions into the profile after that, as before."""
        self.end_sessions()
        self.exit()

    def _end(self, playback: Playback) -> None:
        playback.quit()
        self.playbacks.discard(playback)

    def action_show_profile(self) -> None:
        self.push_screen(ProfileScreen(self.services.history, self.services.catalog))

    def end_sessions(self) -> None:
        """Close every open session; called on quit, on signals and after a crash, so none is left open (cli.py
        folds them into the profile once the app has stopped)."""
        for screen in self.screen_stack:
            if isinstance(screen, PlayerScreen):
                screen.stop_writing()  # saves what was written, before the session's end
        for playback in list(self.playbacks):
            self._end(playback)
        if self.model is not None:
            self.model.close()

    # -- the model ------------------------------------------------------------------------------------------
    def _model_status(self, text: str, fraction: float | None) -> None:
        """From the model's thread: only a message crosses over to the UI."""
        self.post_message(ModelStatus(text, fraction))

    def on_model_status(self, message: ModelStatus) -> None:
        self.model_status = with_progress(message.text, message.fraction)
        self.model_progress = (message.text, message.fraction)
        for screen in self.screen_stack:
            if isinstance(screen, BranchScreen):
                screen.show_yours()
            elif isinstance(screen, PlayerScreen):
                screen.show_status()  # also while paused, when the player does not tick

    @work(thread=True, exclusive=True, group="model", exit_on_error=False)
    def prepare_model(self, film: Film) -> None:
        """Start the model with the film, and have it read the film's story while the film plays (prewarm): at
        the branch point Your ending then only uses it."""
        if self.model is not None:
            self.model.prepare(story_prefix(film))

    async def action_quit(self) -> None:
        self._leave()

    def hang_up(self) -> None:
        """SIGHUP: the terminal is gone. End and save everything as on quit, then leave at once: Textual's own
        shutdown writes to the terminal, and once its output thread has died on the closed terminal those writes
        block for ever (seen: a player left behind with its terminal deleted)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not running (yet, or any more): cli.py saves once it has stopped
            self.exit()
            return
        loop.call_soon_threadsafe(self.call_later, self._leave_without_a_terminal)

    def _leave_without_a_terminal(self) -> None:
        try:
            self.end_sessions()
        finally:
            self.services.history.close()
            leave_process(0)  # all is saved, as after ctrl+q

    def quit_on_signal(self) -> None:
        """SIGTERM or SIGINT (from cli.py's handler): quit as ctrl+q does, between two messages. Run
        at once, in the middle of whatever the UI thread was doing, a handler cut short would go on after the
        session's end and record after it (a fallback choice after `end`)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not running (yet, or any more): cli.py ends the sessions once it has stopped
            self.exit()
            return
        loop.call_soon_threadsafe(self.call_later, self.action_quit)

    # -- help, commands, warnings ---------------------------------------------------------------------------
    def action_help(self) -> None:
        """Every key of the screen on top: the one help of every screen (their f1 and ? say `app.help`)."""
        self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, PlayerScreen):
            for title, help_text, name in (("Pause / resume", "Pause or resume the film", "toggle_pause"),
                                           ("Rewind 10 seconds", "Watch the last ten seconds again", "rewind"),
                                           ("Normal speed", "Play at 1x", "normal_speed")):
                yield SystemCommand(title, help_text, lambda name=name: screen.action_playback(name))
            for number, scene in enumerate(screen.playback.timeline.scenes, 1):
                yield SystemCommand(printable(f"Go to scene {number}: {scene.title}", False),
                                    "Jump to the start of this scene",
                                    lambda scene_id=scene.id: screen.go_to_scene(scene_id))
        yield SystemCommand("Taste profile", "What your viewing history says about your taste", self.action_show_profile)
        yield SystemCommand("Help: keys", "Show every key of this screen",
                            lambda: self.push_screen(HelpScreen(screen)))

    def on_history_warning(self, message: HistoryWarning) -> None:
        self.history_warning = message.warning
        for screen in self.screen_stack:
            if isinstance(screen, PlayerScreen):
                screen.show_status()
        if message.warning:
            self.say(message.warning, title="History", severity="warning", timeout=6)
        else:
            self.say("history saved again", title="History", timeout=3)

    def on_history_notice(self, message: HistoryNotice) -> None:
        self.say(message.notice, title="History", severity="warning", timeout=10)

    def say(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
            timeout: float | None = None) -> None:
        """Every notification of watch goes through here (a test forbids any other `.notify(`): its text comes
        from servers, files and paths, so it is made printable and shown as written, never parsed as markup (a
        server's "[@click=app.quit]" would be a live action, its "[/nope]" a crash)."""
        self.notify(printable(message, False), title=printable(title, False), severity=severity, timeout=timeout,
                    markup=False)

    # -- terminal size ------------------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self.check_size(event.size)

    def check_size(self, size: Size | None = None) -> None:
        width, height = size or self.size
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if too_small and not showing:
            self.push_screen(TooSmallScreen())
        elif showing and not too_small:
            self.pop_screen()


    # -- errors -------------------------------------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        """Save the session first, log the traceback, and keep it off the user's terminal."""
        log.error("the app stopped on an error", exc_info=error)
        self.end_sessions()
        self.services.history.flush()
        self.crash_log = (f"stopped on an unexpected error ({error.__class__.__name__}: {error}); "
                          f"your history is saved; details are in {log_file(self.services.home)}")
        super()._handle_exception(error)

    def _print_error_renderables(self) -> None:
        self._exit_renderables.clear()  # the traceback is in the log file; cli.py prints crash_log instead


def make_app(services: Services, film: Film | None = None, replay: SavedEnding | None = None) -> WatchApp:
    return WatchApp(services, film=film, replay=replay)
