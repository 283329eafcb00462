"""The branch point: the question, the endings to choose from, and a countdown to the default choice."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from player.engine.catalog.films import YOURS, Film
from player.engine.base.text import printable
from player.engine.llm.service import ModelService
from ..widgets.keybar import KeyBar
from ..widgets.progress import with_progress

PICK = Binding.Group("choose", compact=True)
YOURS_LABEL = "Your ending — written for you now"
MOVE = Binding.Group("move", compact=True)


@dataclass(frozen=True)
class Choice:
    ending: str
    how: str  # "key", or "timer" when the countdown chose the default


class BranchScreen(Screen[Choice | None]):
    BINDINGS = [
        Binding("up", "cursor('up')", "Highlight the ending above", key_display="↑", group=MOVE, id="up"),
        Binding("down", "cursor('down')", "Highlight the ending below", key_display="↓", group=MOVE, id="down"),
        Binding("enter", "choose_highlighted", "choose", key_display="enter", id="choose",
                tooltip="Choose the highlighted ending"),
        *[Binding(str(n), f"pick({n})", f"Choose ending {n}", show=n == 1, key_display="1-9", group=PICK,
                  id=f"pick-{n}") for n in range(1, 10)],
        Binding("t", "toggle_timer", "timer", id="timer", tooltip="Pause or resume the countdown"),
        Binding("q", "quit_film", "quit", id="branch-quit", tooltip="Quit the film"),
        Binding("f1,question_mark", "app.help", "help", id="branch-help", key_display="?",
                tooltip="Help: every key"),
    ]

    def __init__(self, film: Film, *, timer: int | None, model: ModelService | None = None,
                 predicted: str | None = None, authored: str | None = None):
        """A `model` adds the personalised ending; `predicted` is the option the profile expects the viewer to
        want, which the countdown chooses; `authored` is the authored ending it chooses instead when the
        prediction is Your ending and the model is not ready when the time is up."""
        super().__init__()
        self.film = film
        self.model = model
        self.endings = [(ending.id, ending.label) for ending in film.branch.endings]
        if model is not None:
            self.endings.append((YOURS, YOURS_LABEL))
        self.authored = authored if authored in {e.id for e in film.branch.endings} else self.endings[0][0]
        ids = [ending_id for ending_id, _ in self.endings]
        self.default = ids.index(predicted) if predicted in ids else 0
        self.predicted = predicted in ids
        seconds = film.branch.timer if timer is None else timer
        self.remaining = float(seconds)
        self.timed = seconds > 0
        self.timer_paused = False
        self.chosen = False

    def compose(self) -> ComposeResult:
        with Vertical(id="branch"):
            yield Static(Content(printable(self.film.title, keep_newlines=False)), id="branch-film")
            yield Static(Content(printable(self.film.branch.question)), id="question")
            with Center():
                yield OptionList(*[self._option(number) for number in range(len(self.endings))], id="endings")
            yield Static(id="countdown")
        yield KeyBar()

    def _option(self, index: int) -> Option:
        ending_id, label = self.endings[index]
        mark = ("  ◆ predicted for you", "$accent") if self.predicted and index == self.default else ""
        if ending_id == YOURS and not self.model_ready:  # say what the model is doing, not "written now"
            text, fraction = self.app.model_progress
            label = f"Your ending — {with_progress(text, fraction, cells=5)}"
        return Option(Content.assemble((f" {index + 1} ", "bold reverse"), "  ", printable(label, False), mark),
                      id=ending_id)

    def show_yours(self) -> None:
        """The model's state changed (the app's on_model_status): redraw the Your ending option and the
        countdown."""
        ids = [ending_id for ending_id, _ in self.endings]
        if YOURS in ids and self.is_mounted:
            self.query_one(OptionList).replace_option_prompt_at_index(ids.index(YOURS),
                                                                      self._option(ids.index(YOURS)).prompt)
            self.update_countdown()

    @property
    def model_ready(self) -> bool:
        return self.model is not None and self.model.ready

    @property
    def timer_choice(self) -> str:
        """What the countdown chooses: the prediction, unless it cannot play yet (Your ending while the model
        is still starting or reading the story); then the authored ending the profile likes best."""
        ending_id = self.endings[self.default][0]
        return self.authored if ending_id == YOURS and not self.model_ready else ending_id

    def on_mount(self) -> None:
        endings = self.query_one(OptionList)
        endings.highlighted = self.default
        endings.focus()
        self.update_countdown()
        if self.timed:
            self.ticker = self.set_interval(0.1, self.count_down)

    def on_resize(self) -> None:
        self.update_countdown()

    def choose(self, ending_id: str | None, how: str = "key") -> None:
        """Dismiss once: a timer tick or a key may arrive after the choice, before the screen is gone."""
        if not self.chosen:
            self.chosen = True
            self.dismiss(Choice(ending_id, how) if ending_id else None)

    def count_down(self) -> None:
        # Behind help or a panel the countdown waits, as the film does (is_current holds under a modal too).
        if self.timer_paused or self.app.screen is not self or self.chosen:
            return
        self.remaining = max(0.0, self.remaining - 0.1)
        self.update_countdown()
        if self.remaining <= 0:
            self.choose(self.timer_choice, "timer")

    def update_countdown(self) -> None:
        label = dict(self.endings)[self.timer_choice]
        default = label.split(" — ")[0]
        if not self.timed:
            text = Content.assemble("Choose with ", ("1", "bold"), "–", (str(len(self.endings)), "bold"),
                                    ", or the arrows and ", ("enter", "bold"), ".")
        elif self.timer_paused:
            text = Content.assemble(("❚❚ timer paused", "bold $warning"), "  ·  ", ("t", "bold"), " resumes  ·  then: ")
        else:
            text = Content.assemble((f"{self.remaining:4.1f} s", "bold $accent"), "  ·  ", ("t", "bold"),
                                    " pauses the timer  ·  then: ")
        countdown = self.query_one("#countdown", Static)
        if self.timed:  # on one line: the label, last, gives way (it is written in full in the list above)
            room = (countdown.content_region.width or self.app.size.width - 8) - text.cell_length
            if cell_len(default) > room:
                default = set_cell_size(default, max(room - 1, 0)) + "…"
            text += Content(printable(default, False))
        countdown.update(text)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def action_cursor(self, direction: str) -> None:
        endings = self.query_one(OptionList)
        endings.action_cursor_up() if direction == "up" else endings.action_cursor_down()

    def action_choose_highlighted(self) -> None:
        index = self.query_one(OptionList).highlighted
        self.choose(self.endings[index or 0][0])

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.endings):
            self.choose(self.endings[number - 1][0])

    def action_toggle_timer(self) -> None:
        if self.timed:
            self.timer_paused = not self.timer_paused
            self.ticker.pause() if self.timer_paused else self.ticker.resume()  # a paused countdown costs nothing
            self.update_countdown()

    def action_quit_film(self) -> None:
        self.choose(None)
