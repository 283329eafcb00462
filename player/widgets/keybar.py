"""The key hints at the bottom of every screen, built from the screen's own bindings.

Textual's Footer does not fit the player's keys into 80 columns, so this bar packs them: keys of one group
share a label ("←/→ beat"), and the spacing shrinks before anything is cut.
"""

from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget

PALETTE_HINT = ("^p", "menu")  # the command palette
_KEY_NAMES = {"left": "←", "right": "→", "up": "↑", "down": "↓", "pageup": "PgUp", "pagedown": "PgDn",
              "left_square_bracket": "[", "right_square_bracket": "]", "question_mark": "?",
              "backspace": "⌫ backspace", "space": "space", "enter": "enter", "escape": "esc",
              "plus": "+", "minus": "-", "equals_sign": "="}


def key_names(keys: str) -> str:
    names = []
    for key in keys.split(","):
        *modifiers, name = key.split("+")
        names.append("+".join([*modifiers, _KEY_NAMES.get(name, name)]))
    return " ".join(names)



def hints(bindings, allowed=lambda action: True) -> list[tuple[str, str]]:
    """(keys, label) pairs for the bindings marked `show` whose action is allowed now, one pair per group."""
    grouped: dict[str, list[str]] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.show or not allowed(binding.action):
            continue
        label = binding.group.description if binding.group else binding.description
        key = binding.key_display or key_names(binding.key.split(",")[0])
        grouped.setdefault(label, [])
        if key not in grouped[label]:
            grouped[label].append(key)
    # "←→ beat", "[]⌫ speed": one-cell keys need no slash between them; "PgUp/Dn" does
    return [(("" if all(len(key) == 1 for key in keys) else "/").join(keys), label)
            for label, keys in grouped.items()]


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { height: 1; background: $panel; padding: 0 1; }
    """

    def on_mount(self) -> None:
        # A screen's refresh_bindings() (a toggle changed what its key does, an action became allowed) redraws it.
        self.screen.bindings_updated_signal.subscribe(self, lambda screen: self.refresh())

    def render(self) -> Content:
        screen = self.screen

        def allowed(action: str) -> bool:
            name = action.split("(")[0]
            return screen.check_action(name, ()) is not False

        keys = hints(screen.BINDINGS, allowed)
        width = self.size.width
        # Roomy first; then tighter; then each key on a background of its own, right against its label; then
        # without the palette hint (ctrl+p is listed in help).
        plain, chip = ("bold $accent", " "), ("bold reverse $accent", "")
        wide, narrow = Content("  "), Content(" ")
        for pairs, gap, (style, space) in ((keys + [PALETTE_HINT], wide, plain), (keys + [PALETTE_HINT], narrow, plain),
                                           (keys + [PALETTE_HINT], narrow, chip), (keys, narrow, chip)):
            content = gap.join(
                Content.assemble((keys_, style), space, label) for keys_, label in pairs)
            if content.cell_length <= width:
                return content
        return content.truncate(width, ellipsis=True)
