"""A parsed screenplay's elements, walked in order into draft scenes, beats and endings.

This is where the importer's conventions live (docs/catalog-format.md, "Importing Fountain screenplays"): notes
such as [[watch: branch: ...]], [[watch: tags: ...]], [[watch: title: ...]], [[watch: character: ...]],
[[watch: decision: ...]], [[watch: follows: ...]] and the world notes ([[watch: cast: ...]], props, places, never,
state), and `# Ending:` and `# Way:` sections.

A note without the `watch:` prefix ([[tags: ...]], the first form of these notes) is followed only when it is a
valid instruction: writers leave notes such as [[Tags: fix this later]], and those are theirs, not ours.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from player.engine.importing.beat_split import shorten, split_beats
from player.engine.catalog.films import MAX_CLAUSE, TAGS
from player.engine.base.errors import ImportFailed
from player.engine.importing.fountain import Element
from player.engine.catalog.lexicon import infer_tags, ranked
from player.engine.importing.names import slug
from player.engine.base.text import folded

DIRECTIVES = ("branch", "tags", "title", "character", "decision", "follows", "cast", "props", "places", "never",
              "state")
_DIRECTIVE = re.compile(rf"^\s*({'|'.join(DIRECTIVES)})\s*:\s*(.*)$", re.I | re.S)
_WATCH_NOTE = re.compile(r"^\s*watch\s*:\s*(.*)$", re.I | re.S)
_ENDING_SECTION = re.compile(r"^ending\s*:\s*(.+)$", re.I)
_WAY_SECTION = re.compile(r"^way\s*:\s*(.+)$", re.I)
WORLD_NOTES = ("cast", "props", "places", "never")  # the lists; [[state: ...]] notes come one per character
_CONTINUED = re.compile(r"^cont", re.I)  # CONT'D, CONT’D, CONTD, cont.: a continuation, not a voice
_BEAT_KINDS = ("action", "dialogue", "transition", "centered", "lyrics")
STATE_NOTE = "[[watch: state: CUE | how they are now | word, word]]"
WRITTEN = "written"  # the part and id of the screenplay's own ending, when it declares no '# Ending:' sections
WRITTEN_LABEL = "The ending as written"


@dataclass(slots=True)  # slots: a long screenplay makes beats by the ten thousand
class DraftBeat:
    kind: str
    text: str
    tags: tuple[str, ...]
    speaker: str | None = None
    parenthetical: str | None = None


@dataclass(slots=True)
class DraftScene:
    heading: str
    ending: str | None                    # the ending's key, or None in the main film
    beats: list[DraftBeat] = field(default_factory=list)
    title: str = ""
    id: str = ""


@dataclass
class DraftEnding:
    label: str
    line: int
    id: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    overrides: list[str] = field(default_factory=list)
    decision: str = ""
    follows: tuple[str, ...] = ()


@dataclass
class DraftWay:
    """Another decision the film makes possible (a `# Way:` section): it has no scenes of its own."""

    id: str
    line: int
    summary: str = ""
    tags: tuple[str, ...] = ()
    decision: str = ""
    follows: tuple[str, ...] = ()


@dataclass
class DraftState:
    """How one character is at the branch point, and which words that rules out: a `[[state: ...]]` note."""

    cue: str
    now: str
    cannot: tuple[str, ...]
    line: int


@dataclass
class DraftFilm:
    """A converted screenplay, not yet written: what film_toml and storyboard_cards render."""

    fields: dict  # title, year, genres, synopsis, author, credits (title_page.film_fields)
    characters: dict[str, tuple[str, str]]  # id -> (name, description)
    main: list[DraftScene]
    question: str
    endings: list[tuple[DraftEnding, list[DraftScene]]]
    ways: list[DraftWay]
    world: dict[str, tuple] | None
    source_name: str


def tone(beats: Iterable[DraftBeat]) -> list[str]:
    """The two tags these beats carry most, dialogue aside (every line of talk carries it)."""
    return ranked(Counter(tag for beat in beats for tag in beat.tags if tag != "dialogue"))[:2]


def _directives(element: Element) -> list[tuple[str, str, bool]]:
    """The instructions in an element's notes: (name, value, strict). A [[watch: ...]] note is strict: it is an
    instruction, and a mistake in it is an error. A note in the first form is one only if it is a valid one."""
    found = []
    for note in element.notes:
        watch = _WATCH_NOTE.match(note)
        match = _DIRECTIVE.match(watch.group(1) if watch else note)
        if watch and not match:
            raise ImportFailed(f"line {element.line}: [[watch: {shorten(watch.group(1), 30)}]] is not an instruction; "
                               f"start it with one of: {', '.join(DIRECTIVES)}")
        if match:
            found.append((match.group(1).lower(), match.group(2).strip(), bool(watch)))
    return found


def _fields(value: str) -> list[str]:
    """The parts of a note written as `a | b | c`."""
    return [part.strip() for part in value.split("|")]


def _items(value: str, commas: bool) -> tuple[str, ...]:
    """A list note's items: split at `|`, and also at commas for lists of single words (cast, never)."""
    parts = re.split(r"[|,]" if commas else r"\|", value)
    return tuple(folded(part) for part in parts if part.strip())


def _tag_words(override: str, line: int) -> list[str]:
    """The words of a tags note, each a tag with an optional + or -."""
    words = [word.strip().lower() for word in re.split(r"[,\s]+", override) if word.strip()]
    if not words:
        raise ImportFailed(f"line {line}: a tags note names no tags; write [[watch: tags: action, humor]]")
    for word in words:
        if word.lstrip("+-") not in TAGS:
            raise ImportFailed(f"line {line}: {word.lstrip('+-')!r} is not a tag; use one of {', '.join(TAGS)}")
    return words


def apply_tags(tags: tuple[str, ...], override: str, line: int) -> tuple[str, ...]:
    """`[[watch: tags: action, humor]]` replaces the inferred tags; `[[watch: tags: +humor, -quiet]]` adjusts
    them."""
    words = _tag_words(override, line)
    result = list(tags) if all(word[0] in "+-" for word in words) else []
    for word in words:
        name = word.lstrip("+-")
        if word.startswith("-"):
            result = [tag for tag in result if tag != name]
        elif name not in result:
            result.append(name)
    if not result:
        raise ImportFailed(f"line {line}: the tags note leaves no tags; keep at least one")
    return tuple(result)


class Builder:
    """Walks the screenplay's elements in order and collects scenes, characters, the branch and its endings."""

    def __init__(self) -> None:
        self.scenes: list[DraftScene] = []
        self.prelude: list[DraftBeat] = []      # beats before the first scene heading
        self.ids: dict[str, str] = {}           # slug or folded cue -> character id
        self.cues: dict[str, str] = {}          # character id -> the cue as written
        self.first_lines: dict[str, str] = {}   # character id -> the first thing they say
        self.character_notes: dict[str, tuple[str, str, str]] = {}
        self.synopses: list[str] = []
        self.branch: tuple[str, list[str], int] | None = None
        self.endings: dict[str, DraftEnding] = {}
        self.ways: list[DraftWay] = []
        self.way: DraftWay | None = None        # the `# Way:` section being read
        self.world: dict[str, tuple[str, ...]] = {}  # cast (as cues), props, places, never
        self.states: list[DraftState] = []      # by cue: the cues are checked once the characters are known
        self.part: str | None = None            # None: the main film; "": after the branch note; else an ending
        self.last_beats: list[DraftBeat] = []

    def element(self, element: Element) -> None:
        if element.kind == "heading":
            self.new_scene(element.text, element.line)
        elif element.kind == "section":
            self.section(element)
        elif element.kind == "synopsis":
            self.synopsis(element.text)
        elif element.kind in _BEAT_KINDS:
            self.beats(element)
        for name, value, strict in _directives(element):
            try:
                self.directive(name, value, element, strict)
            except ImportFailed:
                if strict:
                    raise  # else it was a writer's note that happens to start like an instruction

    def directive(self, name: str, value: str, element: Element, strict: bool = True) -> None:
        """Follow one instruction. Each checks its note before it changes anything, so that a note in the first
        form that turns out not to be an instruction leaves no trace."""
        if name == "branch":
            self.declare_branch(value, element.line)
        elif name == "title" and self.scenes and value:
            self.scenes[-1].title = value
        elif name == "character":
            cue, display, description = (_fields(value) + ["", ""])[:3]
            if not cue or not strict and (cue != cue.upper() or not any(c.isupper() for c in cue)):
                raise ImportFailed(f"line {element.line}: write [[watch: character: CUE | Full Name | description]]")
            self.character_notes[self.character_id(cue)] = (cue, display, description)
        elif name == "tags":
            self.retag(value, element)
        elif name in ("decision", "follows"):
            self.decision_note(name, value, element.line)
        elif name == "state":
            self.state_note(value, element.line)
        elif name in WORLD_NOTES:
            if name in self.world:
                raise ImportFailed(f"line {element.line}: a second [[watch: {name}: ...]] note; list them all in one")
            items = _items(value, commas=name in ("cast", "never"))
            if not items:
                raise ImportFailed(f"line {element.line}: the {name} note lists nothing")
            self.world[name] = items

    def decision_note(self, name: str, value: str, line: int) -> None:
        """`[[watch: decision: ...]]` and `[[watch: follows: a | b | c]]` belong to the `# Ending:` or `# Way:`
        they are in."""
        target = self.way or self.current_ending()
        if target is None:
            raise ImportFailed(f"line {line}: a [[watch: {name}: ...]] note belongs in an '# Ending:' or '# Way:' "
                               "section")
        if getattr(target, name):
            raise ImportFailed(f"line {line}: a second [[watch: {name}: ...]] note in the same section")
        if name == "decision":
            target.decision = folded(value)
        else:
            target.follows = _items(value, commas=False)

    def state_note(self, value: str, line: int) -> None:
        """`[[watch: state: ELIAS | his leg is splinted | run, runs, ran]]`: a cue, a clause, and single words."""
        fields = _fields(value)
        if len(fields) != 3:
            raise ImportFailed(f"line {line}: a state note has {len(fields)} parts, not 3; write {STATE_NOTE}, "
                               "the words separated by commas")
        cue, now, cannot = fields[0], folded(fields[1]), _items(fields[2], commas=True)
        for part, what in ((cue, "cue"), (now, "clause for how they are now"), (cannot, "words it rules out")):
            if not part:
                raise ImportFailed(f"line {line}: the state note has no {what}; write {STATE_NOTE}")
        # The catalog checks these too, but its error would blame the importer rather than the note.
        if len(now) > MAX_CLAUSE:
            raise ImportFailed(f"line {line}: the state note's clause is {len(now)} characters; keep it under "
                               f"{MAX_CLAUSE}")
        for word in cannot:
            if not word.isalpha():
                raise ImportFailed(f"line {line}: the state note rules out {word!r}; list single words, like run, "
                                   "runs, ran")
        self.states.append(DraftState(cue, now, cannot, line))

    def current_ending(self) -> DraftEnding | None:
        return self.endings.get(self.part or "")

    def retag(self, value: str, element: Element) -> None:
        """A tags note tags the beats of its element, or of the element just before it when it stands alone.
        On an '# Ending:' section, its synopsis, or alone before the ending's first beat, it tags the ending."""
        ending = self.current_ending()
        _tag_words(value, element.line)  # a note that names no tag changes nothing
        if self.way is not None and element.kind in ("section", "synopsis", "note"):
            self.way.tags = apply_tags(self.way.tags, value, element.line)
        elif element.kind in _BEAT_KINDS or (element.kind == "note" and self.last_beats):
            retagged = [apply_tags(beat.tags, value, element.line) for beat in self.last_beats]
            for beat, tags in zip(self.last_beats, retagged):
                beat.tags = tags
        elif ending is not None and element.kind in ("section", "synopsis", "note") and \
                not self.scenes_of(self.part):
            ending.overrides.append(value)
        else:
            raise ImportFailed(f"line {element.line}: a [[watch: tags: ...]] note must be inside or just after the "
                               "beat it tags")

    def character_id(self, cue: str) -> str:
        """One id per character, whatever extensions or case the cue had; non-Latin names get a numbered id."""
        key = slug(cue) or cue.casefold()
        if key not in self.ids:
            self.ids[key] = slug(cue) or f"character-{len(self.ids) + 1}"
        return self.ids[key]

    def declare_branch(self, value: str, line: int) -> None:
        parts = _fields(value)
        question, labels = parts[0], [label for label in parts[1:] if label]
        if self.branch:
            raise ImportFailed(f"line {line}: a second branch note; a film has one branch point")
        if not question or len(labels) < 2:
            raise ImportFailed(f"line {line}: write the branch as [[watch: branch: Question? | First choice | "
                               "Second choice]]")
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
        way = _WAY_SECTION.match(element.text)
        if way:
            return self.way_section(way.group(1).strip(), element.line)
        match = _ENDING_SECTION.match(element.text)
        if not match:
            return  # acts and sequences only organise the writing
        self.way = None
        label = match.group(1).strip()
        if self.branch is None:
            raise ImportFailed(f"line {element.line}: an '# Ending:' section needs a [[watch: branch: ...]] note "
                               "before it")
        if not self.endings and self.scenes_of(WRITTEN):
            raise ImportFailed(f"line {element.line}: an '# Ending:' section after scenes that follow the branch note "
                               "without one; put each choice's '# Ending:' before its scenes")
        key = label.casefold()
        if key not in {choice.casefold() for choice in self.branch[1]}:
            choices = ", ".join(self.branch[1])
            raise ImportFailed(f"line {element.line}: the branch offers no choice {label!r}; use one of: {choices}")
        if key in self.endings:
            raise ImportFailed(f"line {element.line}: a second '# Ending: {label}' section; write each ending once")
        label = next(choice for choice in self.branch[1] if choice.casefold() == key)
        self.endings[key] = DraftEnding(label=label, line=element.line)
        self.part = key
        self.last_beats = []

    def way_section(self, way_id: str, line: int) -> None:
        if self.branch is None:
            raise ImportFailed(f"line {line}: a '# Way:' section needs a [[watch: branch: ...]] note before it")
        if slug(way_id) != way_id:
            raise ImportFailed(f"line {line}: {way_id!r} is not a way id; write it in lower-case letters, digits "
                               "and -, like '# Way: sea'")
        if any(way.id == way_id for way in self.ways):
            raise ImportFailed(f"line {line}: a second '# Way: {way_id}' section; write each way once")
        self.way = DraftWay(id=way_id, line=line)
        self.ways.append(self.way)
        self.part = ""  # a way has no scenes: what follows it until the next '# Ending:' is notes only
        self.last_beats = []

    def synopsis(self, text: str) -> None:
        ending = self.current_ending()
        if self.way is not None and not self.way.summary:
            self.way.summary = text  # the synopsis under '# Way:' is the way's summary
        elif ending is not None and not ending.summary and not self.scenes_of(self.part):
            ending.summary = text  # the synopsis under '# Ending:' is the ending's summary
        elif not self.scenes and self.part is None:
            self.synopses.append(text)  # synopses before the first scene describe the film

    def scenes_of(self, part: str | None) -> list[DraftScene]:
        """The scenes of one ending, by its key; None gives the main film's."""
        return [scene for scene in self.scenes if scene.ending == part]

    def new_scene(self, heading: str, line: int) -> DraftScene:
        if self.way is not None:
            raise ImportFailed(f"line {line}: a scene in a '# Way:' section; a way has no scenes, only notes")
        if self.part == "":  # scenes straight after the branch note: the screenplay's own ending
            self.part = WRITTEN
        self.scenes.append(DraftScene(heading=heading, ending=self.part))
        self.last_beats = []
        return self.scenes[-1]

    def beats(self, element: Element) -> None:
        if self.way is not None:
            raise ImportFailed(f"line {element.line}: text in a '# Way:' section; a way holds only its "
                               "= summary and notes")
        if self.part == "":  # text straight after the branch note: the screenplay's own ending, in a scene
            self.new_scene("", element.line).title = WRITTEN_LABEL
        if self.part and not self.scenes_of(self.part):  # an ending may start without a heading of its own
            self.new_scene("", element.line).title = self.endings[self.part].label
        made = self.make_beats(element)
        (self.scenes[-1].beats if self.scenes else self.prelude).extend(made)
        self.last_beats = made

    def make_beats(self, element: Element) -> list[DraftBeat]:
        if element.kind == "dialogue":
            return self.speech(element)
        if element.kind == "action":
            return [DraftBeat("action", text, infer_tags(text)) for text in split_beats(element.text)]
        # Each line of centred text or of a song is a caption of its own, as the writer set them apart.
        lines = [f"♪ {line} ♪" if element.kind == "lyrics" else line for line in element.text.split("\n") if line]
        return [DraftBeat("caption", piece, infer_tags(piece, "caption"))
                for line in lines for piece in split_beats(line)]

    def speech(self, element: Element) -> list[DraftBeat]:
        speaker = self.character_id(element.character)
        self.cues.setdefault(speaker, element.character)
        voices = [extension for extension in element.extensions if not _CONTINUED.match(extension)]
        made = []
        for number, stretch in enumerate(element.speech):
            asides = (voices if number == 0 else []) + ([stretch.parenthetical] if stretch.parenthetical else [])
            for piece_number, piece in enumerate(split_beats(stretch.text)):
                aside = ", ".join(asides) if piece_number == 0 and asides else None
                made.append(DraftBeat("dialogue", piece, infer_tags(piece, "dialogue"), speaker, aside))
        if made:
            self.first_lines.setdefault(speaker, made[0].text)
        return made
