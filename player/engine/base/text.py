"""Make any text safe to draw literally: no terminal escapes, no control characters, nothing invisible.

printable() is the one gate from outside text (film files, folder names, paths, a model's or a server's words)
to the terminal and the log. It does not touch markup: whatever draws its result must draw it as plain text
(Content, rich Text, a notification with markup off: WatchApp.say).
"""

import re

# C0 controls except newline, DEL, and C1 controls. ESC among them is what starts a terminal escape sequence.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# Invisible characters that change how the text around them reads: bidi marks, embeddings, overrides and
# isolates (U+202E shows "gpj.exe" as "exe.jpg"), zero-width spaces and joiners, the soft hyphen, line and
# paragraph separators, the byte-order mark, interlinear annotations and tag characters.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
                        "\ufff9-\ufffb\U000e0000-\U000e007f"
                        "\ud800-\udfff]")  # and lone surrogates (JSON "\ud800"): no terminal or file can encode them


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC, ␉ for tab
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def printable(text: str, keep_newlines: bool = True) -> str:
    """Replace control and invisible characters with visible stand-ins, so text is shown as written and never
    executed or disguised."""
    text = _INVISIBLE.sub("\ufffd", _CONTROL.sub(_visible, text))
    return text if keep_newlines else text.replace("\n", " ")


_FOLD_CHUNK = 1 << 16


def folded(text: str) -> str:
    """The text with each run of white space made one space, and none at either end, as " ".join(text.split()).

    That holds a string for every word at once: a hundred thousand for a megabyte paragraph, fifteen times its
    size. So a long text is folded a chunk at a time, each cut where white space ends."""
    if len(text) <= _FOLD_CHUNK:
        return " ".join(text.split())
    pieces, start = [], 0
    while start < len(text):
        end = min(start + _FOLD_CHUNK, len(text))
        while end < len(text) and text[end].isspace():  # the chunk takes the whole run of spaces it ends in
            end += 1
        chunk = text[start:end]
        pieces.append(" ".join(chunk.split()) + (" " if chunk[-1].isspace() else ""))
        start = end
    return "".join(pieces).strip()


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """ "1 scene", "2 scenes": the number with the noun in the form it takes."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
