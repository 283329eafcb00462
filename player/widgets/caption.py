"""The beat on screen: a line of action, a caption, or dialogue with the speaker's name set apart."""

from textual.content import Content
from textual.widgets import Static

from player.engine.ending.beat_text import strip_markup
from player.engine.catalog.films import Beat
from player.engine.base.text import printable


def render_beat(beat: Beat, speaker: str) -> Content:
    """Build the caption from plain strings, so catalog and model text is never parsed as markup."""
    if beat.kind == "dialogue":
        parts: list = [(printable(speaker.upper(), keep_newlines=False), "bold $accent")]
        if beat.parenthetical:
            parts.append((f"  ({printable(beat.parenthetical, keep_newlines=False)})", "italic $text-muted"))
        parts += ["\n", printable(beat.text)]
        return Content.assemble(*parts)
    if beat.kind == "caption":
        return Content.styled(printable(beat.text), "italic")
    return Content(printable(beat.text))


class Caption(Static):
    def show(self, beat: Beat, speaker: str) -> None:
        self.set_class(beat.kind == "dialogue", "-dialogue")
        self.set_class(beat.kind == "caption", "-caption")
        self.update(render_beat(beat, speaker))

    def show_waiting(self, state: str) -> None:
        """Your ending is chosen but the model is not ready yet: what it is doing, with its progress."""
        self.set_class(False, "-dialogue")
        self.set_class(False, "-caption")
        self.update(Content.assemble(("✦ waiting for the model: ", "$accent"), (printable(state), "$accent"),
                                     "\nYour ending starts as soon as the model has read the story."))

    def show_writing(self, text: str) -> None:
        """A beat still being written: the words so far, and a cursor."""
        self.set_class(False, "-dialogue")
        self.set_class(False, "-caption")
        self.update(Content.assemble(("✦ writing your ending…\n", "$accent"),
                                     (printable(strip_markup(text)), "italic"), ("▌", "$accent")))
