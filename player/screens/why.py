"""Why this ending: the plan the profile chose, and the evidence from the viewing history behind it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from player.engine.base.text import counted
from player.engine.catalog.films import Film
from player.engine.ending.plan import Plan
from ..profile_view import hanging

BULLET = "• "


def why_rows(film: Film, plan: Plan, profile: dict) -> list[tuple[str, str]]:
    """(label, text) rows: the plan, the reasons, then the evidence lines of the tags the ending leans on or
    stays away from. A text wraps under itself, hanging from its label."""
    focus = ", ".join(film.characters[c].name for c in plan.focus if c in film.characters)
    rows = [("Tone: ", f"{plan.tone}.  Leaning on: {', '.join(plan.emphasis)}.")]
    if plan.avoid:
        rows.append(("Less: ", f"{', '.join(plan.avoid)}."))
    rows += [("In the spotlight: ", f"{focus}.  {counted(len(plan.beats), 'beat')}, seed {plan.seed}."), ("", "")]
    rows += [(BULLET, reason) for reason in plan.reasons]
    evidence = []
    for tag in (plan.tone, *plan.emphasis, *plan.avoid):
        evidence += profile.get("tags", {}).get(tag, {}).get("evidence", [])
    evidence = list(dict.fromkeys(evidence)) or profile.get("evidence", [])[:6]
    if evidence:
        rows += [("", ""), ("From your history:", "")] + [(BULLET, line) for line in evidence[:8]]
    elif not profile.get("known"):
        rows += [("", ""), ("", "Your history does not say much yet, so this ending follows the film's own mix.")]
    return rows


class WhyScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,w,q,question_mark", "dismiss", "Close", id="why-close", key_display="esc")]

    def __init__(self, film: Film, plan: Plan, profile: dict):
        super().__init__()
        self.rows = why_rows(film, plan, profile)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="why"):
            yield Static(Content.styled("Why this ending", "bold"), id="why-title")
            yield Static(hanging(self.rows), id="why-lines")
            yield Static(Content.assemble(("esc", "bold"), " or ", ("w", "bold"), " closes this"), id="why-hint")
