"""A small parser for Fountain (fountain.io) screenplays: text in, a title page and a flat list of elements out.

It is written here because none of the parsers on PyPI handled everything `watch import` needs (non-ASCII
character names, indented title-page values, notes spanning lines, lyrics...); see docs/catalog-format.md. It
keeps notes, because the importer reads its directives from them, and drops whatever a reader is not meant to
see: boneyard, page breaks, emphasis markers and forcing characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from player.engine.base.text import folded

# Removed text leaves these marks behind, so a line that held only a note or boneyard disappears instead of
# becoming a blank line that would split a paragraph (and turn the rest of a speech into action).
_GHOST = "\x02"
_NOTE_MARK = "\x00"
_NOTE_REF = re.compile(r"\x00(\d+)\x00")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BONEYARD = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)  # an unclosed boneyard runs to the end, as in the spec
_NOTE = re.compile(r"\[\[((?:(?!\[\[).)*?)\]\]", re.S)
_OPEN_NOTE = re.compile(r"\[\[(.*?)(?=\n[ \t]*\n|\Z)", re.S)  # an unclosed note runs to the end of its paragraph

SCENE_PREFIX = re.compile(r"^(?:INT\.?/EXT|INT/EXT|EXT\.?/INT|I/E|E/I|INT|EXT|EST)(?:\.|\s)\s*", re.I)
_FORCED_HEADING = re.compile(r"^\.(?=[^.\s])")
_SCENE_NUMBER = re.compile(r"\s*#[\w.-]+#\s*$")
_FADE = re.compile(r"^FADE (?:IN|OUT|TO BLACK)[.:]?$")
_BANNER = re.compile(r"^==+\s*([^=].*?)\s*==+$")  # == 1 - THE INVITATION ==: not Fountain, but a title card
_EXTENSION = re.compile(r"\s*\(([^()]*)\)\s*$")
_TITLE_KEY = re.compile(r"^([A-Za-z][A-Za-z ]{0,30}):[ \t]*(.*)$")
_KNOWN_KEYS = {"title", "credit", "author", "authors", "source", "draft date", "date", "contact", "copyright",
               "notes", "revision", "genre", "genres", "synopsis", "logline", "year"}

# Emphasis: ***bold italic***, **bold**, *italic*, _underline_; a backslash escapes * and _.
_ESCAPES = {"\\\\": "\ue000", "\\*": "\ue001", "\\_": "\ue002"}
_UNESCAPE = {"\ue000": "\\", "\ue001": "*", "\ue002": "_"}
_EMPHASIS = [re.compile(pattern, re.S) for pattern in (
    r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*", r"\*\*(?=\S)(.+?)(?<=\S)\*\*", r"\*(?=\S)(.+?)(?<=\S)\*",
    r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")]  # re.S: emphasis may run across the lines of a paragraph


# Elements and lines are made by the ten thousand from a long screenplay: slots keep each one small.
@dataclass(frozen=True, slots=True)
class Speech:
    """One stretch of a speech: an optional parenthetical, then what is said."""
    text: str
    parenthetical: str | None = None


@dataclass(frozen=True, slots=True)
class Element:
    """kind is one of: heading, action, dialogue, transition, centered, lyrics, section, synopsis, note.

    `text` is plain text with every Fountain marker removed (for dialogue, the speech joined). `notes` holds the
    notes written inside the element, or the note itself for a standalone note.
    """
    kind: str
    text: str
    line: int
    notes: tuple[str, ...] = ()
    character: str = ""             # dialogue: the cue without extensions, e.g. JOE for JOE (V.O.) (CONT'D)
    extensions: tuple[str, ...] = ()
    speech: tuple[Speech, ...] = ()
    level: int = 0                  # section depth: # is 1, ## is 2


@dataclass
class Screenplay:
    title_page: dict[str, str] = field(default_factory=dict)  # lower-case key -> value, lines joined by \n
    elements: list[Element] = field(default_factory=list)


def plain(text: str) -> str:
    """Remove emphasis markup, keeping escaped characters literally."""
    for escaped, stand_in in _ESCAPES.items():
        text = text.replace(escaped, stand_in)
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    for stand_in, literal in _UNESCAPE.items():
        text = text.replace(stand_in, literal)
    return text


def _lines_text(lines: Iterable[str]) -> str:
    """A paragraph's lines, each squashed, kept on lines of their own; emphasis is removed from the whole
    paragraph, as writers let it run across a line break."""
    return plain("\n".join(folded(line) for line in lines))


@dataclass(slots=True)
class _Line:
    number: int
    text: str               # with notes and boneyard removed
    notes: list[str]
    ghost: bool             # held only a note or boneyard: not a blank line, and not content either


def _split(text: str) -> Iterator[str]:
    """text.split("\n"), one line at a time, so that a long screenplay is never held as a list of its lines."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end + 1


def _lines(text: str) -> Iterator[_Line]:
    """Normalise the text, cut out boneyard and notes, and number what is left by its line in the source."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").lstrip("\ufeff")
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    text = _BONEYARD.sub(lambda m: _GHOST + ("\n" + _GHOST) * m.group().count("\n"), text)
    notes: list[str] = []

    def keep(match: re.Match) -> str:
        notes.append(folded(plain(match.group(1))))
        return f"{_NOTE_MARK}{len(notes) - 1}{_NOTE_MARK}" + ("\n" + _GHOST) * match.group().count("\n")

    text = _OPEN_NOTE.sub(keep, _NOTE.sub(keep, text)).replace("]]", "").replace("*/", "")
    for number, raw in enumerate(_split(text), 1):
        if _NOTE_MARK in raw or _GHOST in raw:
            line_notes = [notes[int(ref)] for ref in _NOTE_REF.findall(raw)]
            clean = _NOTE_REF.sub("", raw).replace(_GHOST, "")
            yield _Line(number, clean, line_notes, ghost=not clean.strip())
        else:
            yield _Line(number, raw, [], ghost=False)


def _is_standalone(text: str) -> bool:
    """Sections, synopses and page breaks stand on their own line, whatever surrounds them."""
    stripped = text.strip()
    return stripped.startswith(("#", "=")) and not stripped.startswith("=" * 2) or _is_page_break(stripped)


def _is_page_break(stripped: str) -> bool:
    return len(stripped) >= 3 and set(stripped) == {"="}


def _cue(text: str) -> tuple[str, tuple[str, ...]] | None:
    """A character cue: JOE, @McCLANE, ZOË (V.O.) (CONT'D), MARY ^. Returns the name and its extensions."""
    name = text.strip()
    forced = name.startswith("@")
    name = name.lstrip("@").removesuffix("^").rstrip()
    extensions: list[str] = []
    while match := _EXTENSION.search(name):
        extensions.insert(0, match.group(1).strip())
        name = name[:match.start()].rstrip()
    name = plain(name).strip()
    if not name or name.startswith(("!", "~", ">", "(")):
        return None
    # A cue needs a capital letter: in a script without case (Japanese, Hebrew...) every line is its own upper
    # case, and only the @ force can make a cue.
    if not forced and (name != name.upper() or not any(c.isupper() for c in name) or name[-1] in "!?:;,"):
        return None
    return name, tuple(extensions)


def _heading(text: str) -> str | None:
    stripped = text.strip()
    if _FORCED_HEADING.match(stripped):
        stripped = stripped[1:]
    elif not SCENE_PREFIX.match(stripped):
        return None
    return folded(plain(_SCENE_NUMBER.sub("", stripped)))


def _transition(text: str) -> str | None:
    stripped = text.strip()
    if stripped.startswith(">") and not stripped.endswith("<"):
        return stripped[1:].strip()
    if stripped == stripped.upper() and (stripped.endswith("TO:") or _FADE.match(stripped)):
        return stripped
    return None


def _lyric(line: str) -> str:
    """A line of a song without its marks: the leading ~, and the ~ some writers close it with (~la la~). A line
    of tildes only (~~~) sets a song apart and says nothing."""
    return line.strip().strip("~").strip()


def _closing_line(lines: list[str], start: int) -> int | None:
    """The index of the line that closes the parenthetical opened on lines[start], if one does before the
    stretch ends (at a blank line)."""
    for index in range(start, len(lines)):
        if not lines[index]:
            return None
        if ")" in lines[index]:
            return index
    return None


class _Parser:
    def __init__(self) -> None:
        self.elements: list[Element] = []

    def add(self, kind: str, text: str, line: int, notes: list[str], **extra) -> None:
        self.elements.append(Element(kind=kind, text=text, line=line, notes=tuple(notes), **extra))

    def block(self, lines: list[_Line]) -> None:
        """Classify one paragraph (lines between blank lines) and add its elements."""
        first = lines[0]
        stripped = first.text.strip()
        if _is_standalone(first.text):
            if stripped.startswith("#"):
                level = len(stripped) - len(stripped.lstrip("#"))
                self.add("section", folded(plain(stripped[level:])), first.number, first.notes, level=level)
            elif not _is_page_break(stripped):
                self.add("synopsis", folded(plain(stripped[1:])), first.number, first.notes)
            return
        heading = _heading(first.text)
        if heading is not None:
            self.add("heading", heading, first.number, first.notes)
            if lines[1:]:
                self.block(lines[1:])  # action written straight under its heading
            return
        cue = _cue(first.text) if len(lines) > 1 else None
        if cue:
            self.dialogue(cue, lines)
            return
        notes = [note for line in lines for note in line.notes]
        # A leading ! forces action, so it is checked before anything the line could be mistaken for.
        transition = _transition(first.text) if len(lines) == 1 and not stripped.startswith("!") else None
        if transition is not None:
            self.add("transition", folded(plain(transition)), first.number, notes)
        elif stripped.startswith(">") and stripped.endswith("<"):
            self.add("centered", _lines_text(line.text.strip().removeprefix(">").removesuffix("<") for line in lines),
                     first.number, notes)
        elif len(lines) == 1 and (banner := _BANNER.match(stripped)):
            self.add("centered", _lines_text([banner.group(1)]), first.number, notes)
        elif all(line.text.strip().startswith("~") for line in lines):
            text = _lines_text(_lyric(line.text) for line in lines)
            if text.strip():
                self.add("lyrics", text.strip(), first.number, notes)
            else:  # only tildes: nothing to show, but its notes still count
                for note in notes:
                    self.add("note", note, first.number, [note])
        else:
            # Action keeps its line breaks; a leading ! only forces a line to be action (!! a shot, in some apps).
            text = _lines_text(line.text.strip().lstrip("!") for line in lines)
            self.add("action", text.strip(), first.number, notes)

    def dialogue(self, cue: tuple[str, tuple[str, ...]], lines: list[_Line]) -> None:
        speech: list[Speech] = []
        parenthetical: str | None = None
        said: list[str] = []

        def close() -> None:
            nonlocal parenthetical, said
            if said:  # emphasis is removed from the whole stretch: it may run across its lines
                speech.append(Speech(text=plain(folded(" ".join(said))), parenthetical=parenthetical))
            elif parenthetical and speech:  # a parenthetical after the last line: what they do after speaking
                speech[-1] = Speech(f"{speech[-1].text} ({parenthetical})", speech[-1].parenthetical)
            parenthetical, said = None, []

        rest = [line.text.strip() for line in lines[1:]]
        index = 0
        while index < len(rest):
            stripped = rest[index]
            closing = _closing_line(rest, index) if stripped.startswith("(") else None
            if closing is not None:  # a parenthetical, perhaps over several lines, perhaps with words after it
                close()
                aside = " ".join(rest[index:closing + 1])
                end = len(aside) - 1 if aside.endswith(")") else aside.index(")")
                parenthetical = folded(plain(aside[1:end])) or None
                said += [aside[end + 1:].strip()] if aside[end + 1:].strip() else []
                index = closing
            elif not stripped:  # a forced blank line ("  ") inside a speech starts a new stretch
                close()
            elif stripped.startswith("~"):
                said += [f"♪ {_lyric(stripped)} ♪"] if _lyric(stripped) else []
            else:
                said.append(stripped)
            index += 1
        close()
        if speech:
            notes = [note for line in lines for note in line.notes]
            self.add("dialogue", " ".join(s.text for s in speech), lines[0].number, notes, character=cue[0],
                     extensions=cue[1], speech=tuple(speech))


def _title_page(lines: list[_Line]) -> dict[str, str] | None:
    """The first paragraph is a title page when it opens with a key such as `Title:`."""
    match = _TITLE_KEY.match(lines[0].text)
    keys = [m.group(1).strip().lower() for line in lines if (m := _TITLE_KEY.match(line.text))]
    if not match or not (keys[0] in _KNOWN_KEYS or len(keys) > 1):
        return None
    page: dict[str, list[str]] = {}
    key = ""
    for line in lines:
        match = _TITLE_KEY.match(line.text)
        if match:
            key = match.group(1).strip().lower()
            page.setdefault(key, [])
            value = match.group(2)
        else:
            value = line.text  # a continuation line, indented by a tab or spaces
        value = folded(plain(value))
        if value:
            page[key].append(value)
    return {key: "\n".join(values) for key, values in page.items()}


def _with_following(lines: Iterable[_Line]) -> Iterator[tuple[_Line, _Line | None]]:
    """Each line with the next line that is not a ghost (None for a ghost, and at the end), in order. It reads
    ahead only past ghost lines, so it holds a few lines at a time."""
    held: _Line | None = None
    ghosts: list[_Line] = []
    for line in lines:
        if line.ghost and held is None:
            yield line, None
        elif line.ghost:
            ghosts.append(line)
        else:
            if held is not None:
                yield held, line
                yield from ((ghost, None) for ghost in ghosts)
            held, ghosts = line, []
    if held is not None:
        yield held, None
        yield from ((ghost, None) for ghost in ghosts)


def _paragraphs(lines: Iterable[_Line]) -> Iterator[list[_Line]]:
    """Group lines into paragraphs, one at a time. A forced blank line (two spaces) keeps a speech together.

    A line that held only notes belongs to the paragraph it touches; between blank lines it is a paragraph of
    its own (a standalone note), returned as a single ghost line.
    """
    paragraphs: list[list[_Line]] = []  # made by flush(), handed out as soon as they are
    current: list[_Line] = []
    loose: list[_Line] = []  # note-only lines not yet attached to a paragraph

    def flush() -> None:
        nonlocal current, loose
        if loose:
            paragraphs.append([_Line(loose[0].number, "", [n for l in loose for n in l.notes], ghost=True)])
        if current:
            paragraphs.append(current)
        current, loose = [], []

    for line, after in _with_following(lines):
        yield from paragraphs
        paragraphs.clear()
        if line.ghost:
            if current:
                current[-1].notes.extend(line.notes)
            elif line.notes:
                loose.append(line)
        elif not line.text.strip():
            in_speech = len(current) > 1 and _cue(current[0].text) is not None
            if in_speech and len(line.text) >= 2 and after is not None and after.text.strip():
                current.append(line)
            else:
                flush()
        elif _is_standalone(line.text):
            flush()
            current = [line]
            flush()
        else:
            if loose:  # notes written straight above a line belong to it
                line.notes[:0] = [n for l in loose for n in l.notes]
                loose = []
            current.append(line)
    flush()
    yield from paragraphs


PROGRESS_EVERY = 1024  # paragraphs between two reports to parse's `progress`


def parse(text: str, progress: Callable[[float], None] | None = None) -> Screenplay:
    """Parse Fountain text. Never fails: anything unrecognised is action, as the spec says.

    `progress`, if given, is told the fraction of the text's lines parsed, every PROGRESS_EVERY paragraphs."""
    screenplay = Screenplay()
    parser = _Parser()
    first = True
    lines = max(text.count("\n"), text.count("\r")) + 1  # \r\n, \n or an old Mac's \r ends a line
    for count, paragraph in enumerate(_paragraphs(_lines(text)), 1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(min(1.0, paragraph[0].number / lines))
        if paragraph[0].ghost:
            for note in paragraph[0].notes:
                parser.add("note", note, paragraph[0].number, [note])
        elif first and (page := _title_page(paragraph)) is not None:
            screenplay.title_page = page
        else:
            parser.block(paragraph)
        first = first and paragraph[0].ghost
    screenplay.elements = parser.elements
    return screenplay
