"""Make any text safe to draw literally: no terminal escapes, no control characters."""

import re

# C0 controls except newline, DEL, and C1 controls. ESC among them is what starts a terminal escape sequence.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC, ␉ for tab
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def printable(text: str, keep_newlines: bool = True) -> str:
    """Replace control characters with visible stand-ins, so text is shown as written and never executed."""
    text = _CONTROL.sub(_visible, text)
    return text if keep_newlines else text.replace("\n", " ")
