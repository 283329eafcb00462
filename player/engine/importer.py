"""`watch import`: turn a Fountain screenplay into a title folder (film.toml and frames) and write it in one step.

The conventions (branch note, `# Ending:` sections, tag overrides) are documented in docs/catalog-format.md,
"Importing Fountain screenplays". Everything is checked before anything is written, and the title is built in a
hidden staging folder next to its destination, validated with `load_title`, then renamed into place.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from rich.cells import cell_len

from .catalog import _ID, FRAME_COLUMNS, FRAME_ROWS, TAGS, load_title
from .errors import CatalogError, ImportFailed
from .fountain import SCENE_PREFIX, Element, parse
from .lexicon import infer_tags, ranked

BEAT_CELLS = 200     # the most a beat may hold: what fits the caption box of an 80x24 terminal
PACK_CELLS = 150     # short sentences are packed together into one beat up to this size
MINIMAL_ENDING_ID = "stop"
_DIRECTIVE = re.compile(r"^\s*(branch|tags|title|character)\s*:\s*(.*)$", re.I | re.S)
_ENDING_SECTION = re.compile(r"^ending\s*:\s*(.+)$", re.I)
_TIME_SPLIT = re.compile(r"\s+[-–—]+\s+")
_SENTENCE_GAP = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"'”’)\]])\s+|(?<=[。！？])\s*")  # CJK needs no space
_CJK_STOP = ("。", "！", "？")
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Mt|Capt|Col|Gen|Lt|Sgt|Prof|No|vs|etc)\.$", re.I)
_CONTINUED = re.compile(r"^cont", re.I)  # CONT'D, CONT’D, CONTD, cont.: a continuation, not a voice
_BEAT_KINDS = ("action", "dialogue", "transition", "centered", "lyrics")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


class TitleExists(ImportFailed):
    """The catalog already holds a title with this id. Import again with force=True to replace it."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"a title {path.name!r} already exists in {path.parent}; use --force to replace it")


class Conversion(NamedTuple):
    title_id: str
    film_toml: str
    frames: dict[str, str]  # path relative to the title folder -> the frame's text


@dataclass
class _Beat:
    kind: str
    text: str
    tags: tuple[str, ...]
    speaker: str | None = None
    parenthetical: str | None = None


@dataclass
class _Scene:
    heading: str
    ending: str | None                    # the ending's key, or None in the main film
    beats: list[_Beat] = field(default_factory=list)
    title: str = ""
    id: str = ""


@dataclass
class _Ending:
    label: str
    line: int
    id: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    overrides: list[str] = field(default_factory=list)


# ── text helpers ──────────────────────────────────────────────────────────────────────────────────────────


def slug(text: str, limit: int = 40) -> str:
    """An id: lower-case ASCII letters, digits and -. Accents are dropped (Zoë -> zoe), apostrophes vanish."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", re.sub(r"['’]", "", ascii_text.lower())).strip("-")
    return words[:limit].rsplit("-", 1)[0] if len(words) > limit else words


def _unique(wanted: str, taken: set[str], fallback: str) -> str:
    base = wanted or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def title_case(text: str) -> str:
    """Screenplays shout (INT. ROSA'S LAUNDRY); the catalog does not (Rosa's Laundry). Mixed case is kept."""
    if text != text.upper():
        return text[:1].upper() + text[1:]
    words = text.lower().split(" ")
    return " ".join(word if index and word in _SMALL_WORDS else "-".join(p[:1].upper() + p[1:] for p in
                    word.split("-")) for index, word in enumerate(words))


def _shorten(text: str, cells: int) -> str:
    if cell_len(text) <= cells:
        return text
    while cell_len(text + "…") > cells:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, cells: int) -> list[str]:
    """Word-wrap by terminal cells, so wide characters count twice."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while cell_len(word) > cells:  # a word wider than the line is cut
            head = _shorten(word, cells)[:-1]
            lines += [current] if current else []
            lines.append(head)
            current, word = "", word[len(head):]
        joined = f"{current} {word}" if current else word
        if cell_len(joined) <= cells:
            current = joined
        else:
            lines.append(current)
            current = word
    return lines + [current] if current else lines


def _sentences(text: str) -> list[str]:
    pieces: list[str] = []
    for piece in _SENTENCE_GAP.split(" ".join(text.split())):
        if pieces and _ABBREVIATION.search(pieces[-1]):
            pieces[-1] += " " + piece  # "Mr. Crane" is one sentence
        elif piece:
            pieces.append(piece)
    return pieces


def split_beats(text: str) -> list[str]:
    """Split prose into readable beats: whole sentences, packed up to PACK_CELLS, none over BEAT_CELLS."""
    beats: list[str] = []
    for sentence in _sentences(text):
        for piece in _fit(sentence):
            space = "" if beats and beats[-1].endswith(_CJK_STOP) else " "
            if beats and cell_len(beats[-1]) + len(space) + cell_len(piece) <= PACK_CELLS:
                beats[-1] += space + piece
            else:
                beats.append(piece)
    return beats


def _fit(sentence: str) -> list[str]:
    """Break a sentence too long for one beat at its last clause mark (; : — ,) that fits, else at a space."""
    pieces = []
    while cell_len(sentence) > BEAT_CELLS:
        head = sentence[:BEAT_CELLS]
        while cell_len(head) > BEAT_CELLS:
            head = head[:-1]
        cut = max((head.rfind(mark) + len(mark) for mark in ("; ", ": ", " — ", " – ", ", ")), default=-1)
        if cut < BEAT_CELLS // 3:
            cut = head.rfind(" ") + 1 if " " in head else len(head)
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return pieces + [sentence] if sentence else pieces


# ── directives written as Fountain notes ──────────────────────────────────────────────────────────────────


def _directives(element: Element) -> list[tuple[str, str]]:
    found = []
    for note in element.notes:
        match = _DIRECTIVE.match(note)
        if match:
            found.append((match.group(1).lower(), match.group(2).strip()))
    return found


def _apply_tags(tags: tuple[str, ...], override: str, line: int) -> tuple[str, ...]:
    """`[[tags: action, humor]]` replaces the inferred tags; `[[tags: +humor, -quiet]]` adjusts them."""
    words = [word.strip().lower() for word in re.split(r"[,\s]+", override) if word.strip()]
    if not words:
        raise ImportFailed(f"line {line}: a tags note names no tags; write [[tags: action, humor]]")
    result = list(tags) if all(word[0] in "+-" for word in words) else []
    for word in words:
        name = word.lstrip("+-")
        if name not in TAGS:
            raise ImportFailed(f"line {line}: {name!r} is not a tag; use one of {', '.join(TAGS)}")
        if word.startswith("-"):
            result = [tag for tag in result if tag != name]
        elif name not in result:
            result.append(name)
    if not result:
        raise ImportFailed(f"line {line}: the tags note leaves no tags; keep at least one")
    return tuple(result)


# ── the conversion ────────────────────────────────────────────────────────────────────────────────────────


class _Builder:
    """Walks the screenplay's elements in order and collects scenes, characters, the branch and its endings."""

    def __init__(self) -> None:
        self.scenes: list[_Scene] = []
        self.prelude: list[_Beat] = []          # beats before the first scene heading
        self.ids: dict[str, str] = {}           # slug or folded cue -> character id
        self.cues: dict[str, str] = {}          # character id -> the cue as written
        self.first_lines: dict[str, str] = {}   # character id -> the first thing they say
        self.character_notes: dict[str, tuple[str, str, str]] = {}
        self.synopses: list[str] = []
        self.branch: tuple[str, list[str], int] | None = None
        self.endings: dict[str, _Ending] = {}
        self.part: str | None = None            # None: the main film; "": after the branch note; else an ending
        self.last_beats: list[_Beat] = []

    def element(self, element: Element) -> None:
        if element.kind == "heading":
            self.new_scene(element.text, element.line)
        elif element.kind == "section":
            self.section(element)
        elif element.kind == "synopsis":
            self.synopsis(element.text)
        elif element.kind in _BEAT_KINDS:
            self.beats(element)
        for name, value in _directives(element):
            self.directive(name, value, element)

    def directive(self, name: str, value: str, element: Element) -> None:
        if name == "branch":
            self.declare_branch(value, element.line)
        elif name == "title" and self.scenes and value:
            self.scenes[-1].title = value
        elif name == "character":
            cue, display, description = ([part.strip() for part in value.split("|")] + ["", ""])[:3]
            if not cue:
                raise ImportFailed(f"line {element.line}: write [[character: CUE | Full Name | description]]")
            self.character_notes[self.character_id(cue)] = (cue, display, description)
        elif name == "tags":
            self.retag(value, element)

    def retag(self, value: str, element: Element) -> None:
        """A tags note tags the beats of its element, or of the element just before it when it stands alone.
        On an '# Ending:' section, its synopsis, or alone before the ending's first beat, it tags the ending."""
        ending = self.endings.get(self.part or "")
        if element.kind in _BEAT_KINDS or (element.kind == "note" and self.last_beats):
            for beat in self.last_beats:
                beat.tags = _apply_tags(beat.tags, value, element.line)
        elif ending is not None and element.kind in ("section", "synopsis", "note") and \
                not self.scenes_of(self.part):
            ending.overrides.append(value)
        else:
            raise ImportFailed(f"line {element.line}: a [[tags: ...]] note must be inside or just after the "
                               "beat it tags")

    def character_id(self, cue: str) -> str:
        """One id per character, whatever extensions or case the cue had; non-Latin names get a numbered id."""
        key = slug(cue) or cue.casefold()
        if key not in self.ids:
            self.ids[key] = slug(cue) or f"character-{len(self.ids) + 1}"
        return self.ids[key]

    def declare_branch(self, value: str, line: int) -> None:
        parts = [part.strip() for part in value.split("|")]
        question, labels = parts[0], [label for label in parts[1:] if label]
        if self.branch:
            raise ImportFailed(f"line {line}: a second branch note; a film has one branch point")
        if not question or len(labels) < 2:
            raise ImportFailed(f"line {line}: write the branch as [[branch: Question? | First choice | Second choice]]")
        for label in labels:
            if len(label) >= 40:
                raise ImportFailed(f"line {line}: the choice {label!r} is {len(label)} characters; keep it under 40")
        if len({label.casefold() for label in labels}) < len(labels):
            raise ImportFailed(f"line {line}: two choices have the same label; give each its own")
        if not self.scenes:
            raise ImportFailed(f"line {line}: the branch note comes before any scene; put it after the main film")
        self.branch = (question, labels, line)
        self.part = ""

    def section(self, element: Element) -> None:
        match = _ENDING_SECTION.match(element.text)
        if not match:
            return  # acts and sequences only organise the writing
        label = match.group(1).strip()
        if self.branch is None:
            raise ImportFailed(f"line {element.line}: an '# Ending:' section needs a [[branch: ...]] note before it")
        key = label.casefold()
        if key not in {choice.casefold() for choice in self.branch[1]}:
            choices = ", ".join(self.branch[1])
            raise ImportFailed(f"line {element.line}: the branch offers no choice {label!r}; use one of: {choices}")
        if key in self.endings:
            raise ImportFailed(f"line {element.line}: a second '# Ending: {label}' section; write each ending once")
        label = next(choice for choice in self.branch[1] if choice.casefold() == key)
        self.endings[key] = _Ending(label=label, line=element.line)
        self.part = key
        self.last_beats = []

    def synopsis(self, text: str) -> None:
        ending = self.endings.get(self.part or "")
        if ending is not None and not ending.summary and not self.scenes_of(self.part):
            ending.summary = text  # the synopsis under '# Ending:' is the ending's summary
        elif not self.scenes and self.part is None:
            self.synopses.append(text)  # synopses before the first scene describe the film

    def scenes_of(self, part: str | None) -> list[_Scene]:
        return [scene for scene in self.scenes if scene.ending == part]

    def new_scene(self, heading: str, line: int) -> _Scene:
        if self.part == "":
            raise ImportFailed(f"line {line}: a scene after the branch note; put '# Ending: <choice>' before it")
        self.scenes.append(_Scene(heading=heading, ending=self.part))
        self.last_beats = []
        return self.scenes[-1]

    def beats(self, element: Element) -> None:
        if self.part == "":
            raise ImportFailed(f"line {element.line}: text after the branch note; start an '# Ending:' section")
        if self.part and not self.scenes_of(self.part):  # an ending may start without a heading of its own
            self.new_scene("", element.line).title = self.endings[self.part].label
        made = self.make_beats(element)
        (self.scenes[-1].beats if self.scenes else self.prelude).extend(made)
        self.last_beats = made

    def make_beats(self, element: Element) -> list[_Beat]:
        if element.kind == "dialogue":
            return self.speech(element)
        if element.kind == "action":
            return [_Beat("action", text, infer_tags(text)) for text in split_beats(element.text)]
        text = element.text.replace("\n", " / ")
        if element.kind == "lyrics":
            text = f"♪ {text} ♪"
        return [_Beat("caption", piece, infer_tags(piece, "caption")) for piece in split_beats(text)]

    def speech(self, element: Element) -> list[_Beat]:
        speaker = self.character_id(element.character)
        self.cues.setdefault(speaker, element.character)
        voices = [extension for extension in element.extensions if not _CONTINUED.match(extension)]
        made = []
        for number, stretch in enumerate(element.speech):
            asides = (voices if number == 0 else []) + ([stretch.parenthetical] if stretch.parenthetical else [])
            for piece_number, piece in enumerate(split_beats(stretch.text)):
                aside = ", ".join(asides) if piece_number == 0 and asides else None
                made.append(_Beat("dialogue", piece, infer_tags(piece, "dialogue"), speaker, aside))
        if made:
            self.first_lines.setdefault(speaker, made[0].text)
        return made


def _place(heading: str) -> tuple[str, str]:
    """A slug line's scene title and place: EXT. RED MESA - COMPANY STORE - DAWN -> Company Store,
    Red Mesa, Company Store, dawn."""
    parts = [part for part in _TIME_SPLIT.split(SCENE_PREFIX.sub("", heading).strip()) if part]
    if not parts:
        return "", ""
    where = [title_case(part) for part in (parts[:-1] if len(parts) > 1 else parts)]
    when = [parts[-1].lower() if parts[-1] == parts[-1].upper() else parts[-1]] if len(parts) > 1 else []
    return where[-1], ", ".join(where + when)


def _introduction(cue: str, actions: list[str]) -> tuple[str, str]:
    """Find where the action first introduces a character in capitals (ROSA QUINTERO, forties, ...), and return
    the full name and that sentence, which makes the best description a screenplay has to offer."""
    pattern = re.compile(rf"(?<!\w){re.escape(cue)}(?!\w)")
    for text in actions:
        for sentence in _sentences(text):
            match = pattern.search(sentence)
            if match:
                words = [cue]
                for word in sentence[match.end():].split(" ")[1:3]:  # at most two more words: the surname
                    if not _shouted(word):
                        break
                    words.append(word)
                    if word[-1] in ",.;:":
                        break
                written = " ".join(words).rstrip(".,;:")
                name = title_case(written)
                return name, sentence.replace(written, name, 1)
    return "", ""


def _shouted(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _characters(builder: _Builder, title: str, actions: list[str]) -> dict[str, tuple[str, str]]:
    """Characters in the order of the author's cast notes, then in the order they first speak."""
    characters = {}
    for key in [key for key in builder.character_notes if key in builder.cues] + list(builder.cues):
        if key in characters:
            continue
        cue = builder.cues[key]
        _, display, description = builder.character_notes.get(key, ("", "", ""))
        found_name, found_sentence = _introduction(cue, actions) if cue == cue.upper() else ("", "")
        name = display or found_name or title_case(cue)
        if not description:
            first = builder.first_lines.get(key, "")
            description = found_sentence or f"{name}, a character in {title}, who first says: “{first}”"
        characters[key] = (name, description)
    for key, (cue, display, description) in builder.character_notes.items():
        if key not in characters:  # a character who never speaks, described for the ending's writer
            characters[key] = (display or title_case(cue), description or f"{display or cue}, in {title}.")
    return characters


def _ending_tags(ending: _Ending, scenes: list[_Scene]) -> tuple[str, ...]:
    """An ending's tone: the two tags its beats carry most (all talk, if they carry nothing but dialogue)."""
    counts = Counter(tag for scene in scenes for beat in scene.beats for tag in beat.tags if tag != "dialogue")
    tags = tuple(ranked(counts)[:2]) or ("dialogue",)
    for override in ending.overrides:
        tags = _apply_tags(tags, override, ending.line)
    return tags


_GENRES = {"action": "action", "romance": "romance", "suspense": "thriller", "humor": "comedy",
           "mystery": "mystery", "dark": "drama", "spectacle": "adventure"}


def _film_fields(page: dict[str, str], builder: _Builder, source_name: str, year: int | None) -> dict:
    def value(*keys: str) -> str:  # a title-page value on one line
        return " ".join(next((page[key] for key in keys if key in page), "").split())

    stem = re.sub(r"[-_]+", " ", Path(source_name).stem)
    title = ": ".join(title_case(line) for line in page.get("title", "").split("\n") if line.strip()) \
        or title_case(stem.upper()) or "Untitled"
    author, credit = value("authors", "author"), value("credit")
    dates = " ".join(value(key) for key in ("year", "draft date", "date", "copyright"))
    found_year = re.search(r"\b(1[89]\d\d|2\d\d\d)\b", dates)
    genres = [g for g in re.split(r"[,;/]\s*|\s+and\s+", value("genres", "genre").lower()) if g.strip()]
    if not genres:
        counts = Counter(tag for scene in builder.scenes for beat in scene.beats for tag in beat.tags)
        genres = list(dict.fromkeys(_GENRES[tag] for tag in ranked(counts) if tag in _GENRES))[:2] or ["drama"]
    synopsis = value("synopsis", "logline") or "\n\n".join(builder.synopses)
    return {"title": title, "year": year or (int(found_year.group()) if found_year else datetime.date.today().year),
            "genres": [" ".join(g.split()) for g in genres], "synopsis": synopsis,
            "author": f"{credit} {author}".strip() if author else credit,
            "credits": [credit for credit in (value("source"), value("copyright")) if credit]}


def _minimal_ending() -> tuple[_Ending, list[_Scene]]:
    """Without a branch note the screenplay has one ending; the catalog wants two. The second is honest about
    being nothing more than the film stopping before its last scene (the player adds the personalised one)."""
    scene = _Scene(heading="", ending=MINIMAL_ENDING_ID, title="The Story Stops Here", beats=[
        _Beat("caption", "THE STORY STOPS HERE, BEFORE ITS LAST SCENE.", ("quiet", "mystery")),
        _Beat("caption", "What happens next is yours to imagine.", ("mystery", "hopeful"))])
    ending = _Ending(label="Stop before the last scene", line=0, id=MINIMAL_ENDING_ID, tags=("quiet", "mystery"),
                     summary="The film stops before its last scene and leaves the ending open.")
    return ending, [scene]


def convert(text: str, title_id: str | None = None, source_name: str = "screenplay.fountain",
            year: int | None = None) -> Conversion:
    """Convert Fountain text into a film.toml and its frames, without writing anything. Raises ImportFailed."""
    if title_id is not None and not _ID.match(title_id):
        raise ImportFailed(f"{title_id!r} is not a valid title id; use lower-case letters, digits and -")
    if not text.strip():
        raise ImportFailed("the screenplay is empty")
    screenplay = parse(text)
    builder = _Builder()
    for element in screenplay.elements:
        builder.element(element)
    if not builder.scenes:
        raise ImportFailed("no scene headings found; start each scene with a line such as INT. KITCHEN - NIGHT "
                           "(or force one with a leading period: .THE DREAM)")
    if builder.prelude:
        builder.scenes[0].beats[:0] = builder.prelude
    film = _film_fields(screenplay.title_page, builder, source_name, year)
    question, endings = _endings(builder)
    main = [scene for scene in builder.scenes if scene.ending is None]
    empty = [scene for scene in main + [s for _, scenes in endings for s in scenes] if not scene.beats]
    for scene in empty:  # a heading with nothing under it still plays, as its heading
        scene.beats.append(_Beat("caption", scene.heading or "…", ("quiet",)))
    taken: set[str] = set()
    for scene in main + [s for _, scenes in endings for s in scenes]:
        scene.title = scene.title or _place(scene.heading)[0] or "Untitled Scene"
        scene.id = _unique(slug(re.sub(r"^(the|a|an)\s+", "", scene.title, flags=re.I)), taken, "scene")
    actions = [beat.text for scene in builder.scenes for beat in scene.beats if beat.kind == "action"]
    characters = _characters(builder, film["title"], actions)
    if not characters:
        raise ImportFailed("no character speaks; a film needs at least one line of dialogue")
    film_id = title_id or slug(film["title"]) or slug(Path(source_name).stem) or "imported"
    film_toml = _render(film, characters, main, question, endings, source_name)
    frames = _frames(main, endings, characters)
    return Conversion(film_id, film_toml, frames)


def _endings(builder: _Builder) -> tuple[str, list[tuple[_Ending, list[_Scene]]]]:
    """The branch question and its authored endings, each with its scenes."""
    if builder.branch is None:
        main = [scene for scene in builder.scenes if scene.ending is None]
        if len(main) < 2:
            raise ImportFailed("there is only one scene, so no branch can go before the last one; add a scene "
                               "or declare the branch with [[branch: Question? | Choice | Choice]]")
        last = main[-1]
        last.ending = "written"
        first = next((beat.text for beat in last.beats), last.heading)
        written = _Ending(label="The ending as written", line=0, id="written",
                          summary=_shorten(f"The screenplay's own ending: {first}", 160))
        written.tags = _ending_tags(written, [last])
        return "How should it end?", [(written, [last]), _minimal_ending()]
    question, labels, line = builder.branch
    result = []
    taken: set[str] = set()
    for label in labels:
        ending = builder.endings.get(label.casefold())
        scenes = builder.scenes_of(label.casefold())
        if ending is None or not scenes:
            raise ImportFailed(f"line {line}: the branch offers {label!r} but no '# Ending: {label}' section with "
                               "scenes follows; write one for each choice")
        first = next((beat.text for scene in scenes for beat in scene.beats), label)
        ending.summary = ending.summary or _shorten(first, 160)
        ending.id = _unique(slug(label), taken, "ending")
        ending.tags = _ending_tags(ending, scenes)
        result.append((ending, scenes))
    return question, result


# ── film.toml and frames ──────────────────────────────────────────────────────────────────────────────────


def _string(value: str) -> str:
    """A TOML basic string. JSON's escapes are all valid TOML; TOML also wants DEL escaped."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _strings(values) -> str:
    return "[" + ", ".join(_string(value) for value in values) + "]"


def _scene_toml(scene: _Scene, prefix: str) -> list[str]:
    lines = ["", f"[[{prefix}]]", f"id = {_string(scene.id)}", f"title = {_string(scene.title)}"]
    place = _place(scene.heading)[1]
    if place:
        lines.append(f"place = {_string(place)}")
    lines.append(f"storyboard = {_string(f'frames/{scene.id}.txt')}")
    for beat in scene.beats:
        lines += ["", f"[[{prefix}.beats]]", f"kind = {_string(beat.kind)}"]
        if beat.speaker:
            lines.append(f"speaker = {_string(beat.speaker)}")
        if beat.parenthetical:
            lines.append(f"parenthetical = {_string(beat.parenthetical)}")
        lines += [f"text = {_string(beat.text)}", f"tags = {_strings(beat.tags)}"]
    return lines


def _render(film: dict, characters: dict[str, tuple[str, str]], main: list[_Scene], question: str,
            endings: list[tuple[_Ending, list[_Scene]]], source_name: str) -> str:
    lines = [f"# Made by `watch import` from {source_name}. Edit the screenplay and import it again, or edit",
             "# this file by hand (docs/catalog-format.md). Durations come from reading speed.",
             f"title = {_string(film['title'])}", f"year = {film['year']}", f"genres = {_strings(film['genres'])}"]
    synopsis = film["synopsis"] or _generated_synopsis(film["title"], main, characters)
    lines.append(f"synopsis = {_string(synopsis)}")
    if film["author"]:
        lines.append(f"author = {_string(film['author'])}")
    if film["credits"]:
        lines.append(f"credits = {_strings(film['credits'])}")
    for key, (name, description) in characters.items():
        lines += ["", f"[characters.{key}]", f"name = {_string(name)}", f"description = {_string(description)}"]
    for scene in main:
        lines += _scene_toml(scene, "scenes")
    lines += ["", "[branch]", f"question = {_string(question)}"]
    for ending, scenes in endings:
        lines += ["", "[[branch.endings]]", f"id = {_string(ending.id)}", f"label = {_string(ending.label)}",
                  f"summary = {_string(' '.join(ending.summary.split()))}", f"tags = {_strings(ending.tags)}"]
        for scene in scenes:
            lines += _scene_toml(scene, "branch.endings.scenes")
    return "\n".join(lines) + "\n"


def _generated_synopsis(title: str, main: list[_Scene], characters: dict[str, tuple[str, str]]) -> str:
    names = [name for name, _ in characters.values()]
    cast = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    opening = next((beat.text for beat in main[0].beats if beat.kind == "action"), "")
    return f"{title}, imported from a screenplay: {len(main)} scenes with {cast}. {opening}".strip()


def _card(top_left: str, top_right: str, heading: str, excerpt: str, cast: str) -> str:
    """A storyboard card: the scene's heading, its first image and who is in it, boxed to fit any frame rule."""
    inner = FRAME_COLUMNS - 4
    left = _shorten(top_left, inner - cell_len(top_right) - 2)
    body = [left + " " * (inner - cell_len(left) - cell_len(top_right)) + top_right, ""]
    heading_lines = wrap(heading, inner)[:2] or ["—"]
    body += heading_lines + ["─" * max(cell_len(line) for line in heading_lines), ""]
    excerpt_lines = wrap(excerpt, inner)
    if len(excerpt_lines) > 3:
        excerpt_lines = excerpt_lines[:2] + [_shorten(" ".join(excerpt_lines[2:]), inner)]
    body += excerpt_lines
    if cast:
        body += ([""] if len(body) < FRAME_ROWS - 3 else []) + [_shorten(cast, inner)]
    body = (body + [""] * FRAME_ROWS)[:FRAME_ROWS - 2]
    rows = ["╭" + "─" * (FRAME_COLUMNS - 2) + "╮"]
    rows += ["│ " + line + " " * (inner - cell_len(line)) + " │" for line in body]
    rows.append("╰" + "─" * (FRAME_COLUMNS - 2) + "╯")
    return "\n".join(rows) + "\n"


def _frames(main: list[_Scene], endings: list[tuple[_Ending, list[_Scene]]],
            characters: dict[str, tuple[str, str]]) -> dict[str, str]:
    frames = {}
    groups = [("", main)] + [(ending.label, scenes) for ending, scenes in endings]
    for label, scenes in groups:
        for number, scene in enumerate(scenes, 1):
            where = f"ENDING: {label.upper()} · {number} OF {len(scenes)}" if label else \
                f"SCENE {number} OF {len(scenes)}"
            counts = Counter(tag for beat in scene.beats for tag in beat.tags if tag != "dialogue")
            mood = " · ".join(ranked(counts)[:2])
            first = next((beat for beat in scene.beats if beat.kind == "action"), scene.beats[0])
            excerpt = first.text if first.kind != "dialogue" else \
                f"{characters[first.speaker or ''][0].upper()}: “{first.text}”"
            speakers = list(dict.fromkeys(characters[b.speaker][0] for b in scene.beats if b.speaker))
            cast = "with " + ", ".join(speakers) if speakers else ""
            frames[f"frames/{scene.id}.txt"] = _card(where, mood, scene.heading or scene.title, excerpt, cast)
    return frames


# ── reading and writing ───────────────────────────────────────────────────────────────────────────────────


def read_screenplay(path: Path) -> str:
    """The screenplay's text, or a one-line ImportFailed for a missing, empty, binary or non-UTF-8 file."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFailed(f"{path} is a folder; give the path of a .fountain file") from None
    except OSError as error:
        raise ImportFailed(f"{path}: cannot read it ({error.strerror or error})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed(f"{path} is UTF-16 text; save it as UTF-8 and import it again")
    if b"\x00" in data:
        raise ImportFailed(f"{path} is a binary file, not a Fountain screenplay (which is plain text)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(f"{path} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
                           "save it as UTF-8 and import it again") from None
    if not text.strip():
        raise ImportFailed(f"{path} is empty; there is no screenplay to import")
    return text


def import_fountain(source: Path, into: Path, title_id: str | None = None, force: bool = False) -> Path:
    """Import a Fountain file as a title in the catalog folder `into`; return the new title's folder.

    Raises ImportFailed (nothing written) for bad input, and TitleExists if the title is there and not `force`.
    """
    source = Path(source)
    text = read_screenplay(source)
    try:
        conversion = convert(text, title_id=title_id, source_name=source.name)
    except ImportFailed as error:
        raise ImportFailed(f"{source.name}: {error}") from None
    return write_title(conversion, Path(into), force=force)


def _write_files(folder: Path, conversion: Conversion) -> None:
    (folder / "frames").mkdir(parents=True)
    for relative, art in conversion.frames.items():
        (folder / relative).write_text(art, encoding="utf-8")
    (folder / "film.toml").write_text(conversion.film_toml, encoding="utf-8")


def write_title(conversion: Conversion, into: Path, force: bool = False) -> Path:
    """Write the title in one step: build and validate it in a hidden staging folder inside `into`, then rename it
    into place. With `force`, the old title is moved aside only once the new one is complete, then deleted."""
    target = into / conversion.title_id
    if (target.exists() or target.is_symlink()) and not force:
        raise TitleExists(target)
    try:
        into.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".importing-", dir=into))
    except OSError as error:
        raise ImportFailed(f"cannot write to {into} ({error.strerror or error})") from None
    try:
        # The title sits one level down, so a catalog scan never sees a half-written film.toml in `into`.
        folder = staging / conversion.title_id
        _write_files(folder, conversion)
        load_title(folder)
        if target.exists() or target.is_symlink():
            if not force:
                raise TitleExists(target)
            os.replace(target, staging / "replaced")
            try:
                os.replace(folder, target)
            except OSError:
                os.replace(staging / "replaced", target)
                raise
        else:
            os.rename(folder, target)
    except CatalogError as error:
        raise ImportFailed(f"the converted title does not validate ({error.problems[0]}); please report this") \
            from None
    except OSError as error:
        raise ImportFailed(f"could not write {target} ({error.strerror or error}); nothing was changed") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
