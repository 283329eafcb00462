"""Titles on disk: load and validate a `film.toml`, and find titles across catalog folders.

The format is documented in docs/catalog-format.md. Loading reports every problem at once, each naming the
file, the field and the fix, so an author can repair a title in one pass.
"""

from __future__ import annotations

import difflib
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, NamedTuple

from rich.cells import cell_len

from player.engine.base.errors import CatalogError, TitleNotFound
from player.engine.base.text import folded

TAGS = ("action", "romance", "dialogue", "suspense", "humor", "mystery", "dark", "hopeful", "quiet", "spectacle")
KINDS = ("action", "dialogue", "caption")
MAIN = "main"  # the part id of the film up to its branch point, in events and in playback
YOURS = "yours"  # the ending id of a personalised ending: in events, in playback, on the branch screen
DEFAULT_WPM = 180
DEFAULT_TIMER = 10
FRAME_COLUMNS = 72
FRAME_ROWS = 12
MIN_BEAT_SECONDS = 2.5
BEAT_PAUSE_SECONDS = 1.5
FOLLOWS = (3, 5)  # how many things follow from a decision
MAX_CLAUSE = 120  # characters in a decision or a follows clause
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")  # title and scene ids


def valid_id(text: str) -> bool:
    return ID_PATTERN.fullmatch(text) is not None  # fullmatch: no trailing newline slips through


def reading_seconds(text: str, wpm: float = DEFAULT_WPM) -> float:
    """How long a beat stays on screen when the author gave no duration."""
    words = len(text.split())
    return round(max(MIN_BEAT_SECONDS, words * 60.0 / wpm + BEAT_PAUSE_SECONDS), 2)


def runtime_seconds(main_seconds: float, ending_seconds: Iterable[float]) -> float:
    """A film's running time: its main scenes plus its longest authored ending."""
    return main_seconds + max(ending_seconds)


def in_minutes(seconds: float) -> float:
    return round(seconds / 60.0, 1)


@dataclass(frozen=True)
class Character:
    id: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)  # slots: a long film has beats by the ten thousand
class Beat:
    kind: str
    text: str
    tags: tuple[str, ...]
    duration: float
    speaker: str | None = None
    parenthetical: str | None = None


@dataclass(frozen=True)
class Scene:
    id: str
    title: str
    storyboard: str
    beats: tuple[Beat, ...]
    place: str = ""

    @property
    def seconds(self) -> float:
        return sum(beat.duration for beat in self.beats)


@dataclass(frozen=True)
class Ending:
    id: str
    label: str
    summary: str
    tags: tuple[str, ...]
    scenes: tuple[Scene, ...]
    decision: str = ""  # the decision it makes, a present-tense clause ("Mara hands the red book to ...")
    follows: tuple[str, ...] = ()  # what follows from it, in story order

    @property
    def seconds(self) -> float:
        return sum(scene.seconds for scene in self.scenes)


@dataclass(frozen=True)
class Way:
    """Another decision the film makes possible: only personalised endings take it."""

    id: str
    decision: str
    summary: str
    tags: tuple[str, ...]
    follows: tuple[str, ...]


@dataclass(frozen=True)
class State:
    """How one character is when the film reaches its branch point, and what that rules out."""

    character: str  # a character id
    now: str  # a clause: "his leg is splinted from the fall and he cannot walk unaided"
    cannot: tuple[str, ...]  # words that contradict it in a sentence naming them ("runs", "climbs")


@dataclass(frozen=True)
class World:
    """What personalised endings draw on and must keep to."""

    cast: tuple[str, ...] = ()  # character ids at stake: each takes part in every personalised ending
    props: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    never: tuple[str, ...] = ()  # things that do not exist in the film's world
    state: tuple[State, ...] = ()


@dataclass(frozen=True)
class Branch:
    question: str
    timer: int
    endings: tuple[Ending, ...]
    ways: tuple[Way, ...] = ()
    world: World = field(default_factory=World)

    def ending(self, ending_id: str) -> Ending:
        for ending in self.endings:
            if ending.id == ending_id:
                return ending
        raise KeyError(ending_id)


@dataclass(frozen=True)
class Film:
    id: str
    title: str
    year: int
    genres: tuple[str, ...]
    synopsis: str
    characters: dict[str, Character]
    scenes: tuple[Scene, ...]
    branch: Branch
    path: Path
    author: str = ""
    credits: tuple[str, ...] = ()
    reading_wpm: float = DEFAULT_WPM

    @property
    def main_seconds(self) -> float:
        return sum(scene.seconds for scene in self.scenes)

    @property
    def runtime_seconds(self) -> float:
        return runtime_seconds(self.main_seconds, [ending.seconds for ending in self.branch.endings])

    @property
    def minutes(self) -> float:
        return in_minutes(self.runtime_seconds)

    @property
    def known_year(self) -> int | None:
        """The year, or None when it is not known: year = 0, as for a screenplay imported without a date."""
        return self.year or None

    def tag_counts(self) -> dict[str, int]:
        """How many beats of the main part carry each tag, most first (ties in vocabulary order): what the film
        is like up to its branch point, the same for every viewer."""
        counts = dict.fromkeys(TAGS, 0)
        for scene in self.scenes:
            for beat in scene.beats:
                for tag in beat.tags:
                    counts[tag] += 1
        return dict(sorted(((tag, n) for tag, n in counts.items() if n), key=lambda item: -item[1]))

    def leading_tags(self, count: int = 3) -> tuple[str, ...]:
        """The film's most frequent beat tags in its main part (a "details" event carries them)."""
        return tuple(self.tag_counts())[:count]

    def speaker_name(self, beat: Beat) -> str:
        character = self.characters.get(beat.speaker or "")
        return character.name if character else (beat.speaker or "")


class _Checker:
    """Walks a parsed film.toml, collecting problems instead of stopping at the first one."""

    def __init__(self, folder: Path, toml_path: Path):
        self.folder = folder
        self.toml_path = toml_path
        self.problems: list[str] = []

    def problem(self, where: str, message: str, path: Path | None = None) -> None:
        location = f"{path or self.toml_path}"
        self.problems.append(f"{location}: {where}: {message}" if where else f"{location}: {message}")

    def text(self, table: dict, key: str, where: str, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(f"{where}{key}", f"missing; add {key} = \"...\"")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(f"{where}{key}", "must be a non-empty string")
            return ""
        return value.strip()

    def tags(self, table: dict, where: str) -> tuple[str, ...]:
        value = table.get("tags")
        if not isinstance(value, list) or not value:
            self.problem(f"{where}tags", f"missing or empty; add tags = [\"...\"] from: {', '.join(TAGS)}")
            return ()
        good = []
        for tag in value:
            if tag in TAGS:
                good.append(sys.intern(tag))  # one string per tag, not one per beat that carries it
            else:
                self.problem(f"{where}tags", f"{tag!r} is not a tag; use one of {', '.join(TAGS)}")
        return tuple(dict.fromkeys(good))

    def strings(self, table: dict, key: str, where: str, counts: tuple[int, int] | None = None,
                longest: int = MAX_CLAUSE) -> tuple[str, ...]:
        """An optional list of short non-empty strings; `counts` bounds its length when it is given."""
        value = table.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            self.problem(f"{where}{key}", "must be a list of non-empty strings")
            return ()
        if counts and not counts[0] <= len(value) <= counts[1]:
            self.problem(f"{where}{key}", f"has {len(value)} items; give {counts[0]} to {counts[1]}")
        for item in value:
            if len(item.strip()) > longest:
                self.problem(f"{where}{key}", f"{item[:30]!r}... is {len(item.strip())} characters; keep each "
                                              f"under {longest}")
        return tuple(folded(item) for item in value)

    def decision(self, table: dict, where: str, characters: dict[str, Character],
                 required: bool) -> tuple[str, tuple[str, ...]]:
        """An ending's or a way's decision and what follows from it."""
        decision = self.text(table, "decision", where, required=required)
        names = {word for character in characters.values() for word in character.name.split()}
        if decision and decision.split()[0] not in names:
            self.problem(f"{where}decision", f"{decision[:30]!r} must start with a character's name, "
                                             "like \"Mara hands the red book to the sergeant\"")
        if len(decision) > MAX_CLAUSE:
            self.problem(f"{where}decision", f"is {len(decision)} characters; keep it under {MAX_CLAUSE}")
        follows = self.strings(table, "follows", where, FOLLOWS)
        if required and "follows" not in table:
            self.problem(f"{where}follows", f"missing; add follows = [\"...\"] with {FOLLOWS[0]} to {FOLLOWS[1]} "
                                            "things that follow from the decision")
        if follows and not decision:
            self.problem(f"{where}decision", "follows needs a decision; add decision = \"...\"")
        return folded(decision), follows

    def world(self, raw: dict, characters: dict[str, Character]) -> World:
        world = raw.get("world", {})
        if not isinstance(world, dict):
            self.problem("branch.world", "must be a table with cast, props, places, never and state")
            return World()
        cast = self.strings(world, "cast", "branch.world.", longest=40)
        for character_id in cast:
            if character_id not in characters:
                known = ", ".join(characters) or "none defined"
                self.problem("branch.world.cast", f"{character_id!r} is not a character; use ids from: {known}")
        props, places = self.strings(world, "props", "branch.world."), self.strings(world, "places", "branch.world.")
        never = self.strings(world, "never", "branch.world.", longest=40)
        for key in sorted(set(world) - {"cast", "props", "places", "never", "state"}):
            self.problem(f"branch.world.{key}", "is not a world field; use cast, props, places, never or state")
        return World(cast=tuple(c for c in cast if c in characters), props=props, places=places,
                     never=tuple(word.lower() for word in never), state=self.states(world, characters))

    def states(self, world: dict, characters: dict[str, Character]) -> tuple[State, ...]:
        """`[branch.world.state.<id>]` tables: `now`, a clause, and `cannot`, single words."""
        value = world.get("state", {})
        if not isinstance(value, dict) or not all(isinstance(item, dict) for item in value.values()):
            self.problem("branch.world.state", "must hold [branch.world.state.<character id>] tables")
            return ()
        states = []
        for character_id, table in value.items():
            where = f"branch.world.state.{character_id}."
            if character_id not in characters:
                known = ", ".join(characters) or "none defined"
                self.problem(where[:-1], f"{character_id!r} is not a character; use ids from: {known}")
            for key in sorted(set(table) - {"now", "cannot"}):
                self.problem(f"{where}{key}", "is not a state field; use now and cannot")
            now = self.text(table, "now", where)
            if len(now) > MAX_CLAUSE:
                self.problem(f"{where}now", f"is {len(now)} characters; keep it under {MAX_CLAUSE}")
            cannot = self.strings(table, "cannot", where, longest=40)
            if not cannot and "cannot" not in table:
                self.problem(f"{where}cannot", 'missing; add cannot = ["runs", "ran"]: the words it rules out')
            for word in cannot:
                if not word.isalpha():
                    self.problem(f"{where}cannot", f"{word!r} is not a single word")
            states.append(State(character_id, folded(now).rstrip("."),
                                tuple(word.lower() for word in cannot)))
        return tuple(state for state in states if state.character in characters)

    def ways(self, raw: dict, characters: dict[str, Character], ending_ids: set[str]) -> tuple[Way, ...]:
        value = raw.get("ways", [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problem("branch.ways", "must be [[branch.ways]] tables with id, decision, summary, tags, follows")
            return ()
        ways = []
        for number, way in enumerate(value):
            here = f"branch.ways[{number}]."
            way_id = self.own_id(way, here, ending_ids, "ways and endings each need their own id")
            decision, follows = self.decision(way, here, characters, required=True)
            for key in sorted(set(way) - {"id", "decision", "summary", "tags", "follows"}):
                self.problem(f"{here}{key}", "is not a way field; use id, decision, summary, tags, follows")
            ways.append(Way(id=way_id, decision=decision, summary=self.text(way, "summary", here),
                            tags=self.tags(way, here), follows=follows))
        return tuple(ways)

    def own_id(self, raw: dict, here: str, seen: set[str], twice: str) -> str:
        """The table's id, which must be a valid id not in `seen`; added to `seen`."""
        value = self.text(raw, "id", here)
        if value and not valid_id(value):
            self.problem(f"{here}id", f"{value!r} must be lower-case letters, digits and -")
        elif value in seen:
            self.problem(f"{here}id", f"{value!r} is used twice; {twice}")
        seen.add(value)
        return value

    def table_list(self, table: dict, key: str, where: str, what: str) -> list[dict]:
        value = table.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(item, dict) for item in value):
            self.problem(f"{where}{key}", f"missing; add at least one [[{where}{key}]] table with {what}")
            return []
        return value

    def frame(self, scene: dict, where: str) -> str:
        relative = self.text(scene, "storyboard", where)
        if not relative:
            return ""
        path = (self.folder / relative).resolve()
        if not path.is_relative_to(self.folder.resolve()):
            self.problem(f"{where}storyboard", f"{relative} is outside the title folder; keep frames inside it")
            return ""
        if not path.is_file():
            self.problem(f"{where}storyboard", f"{relative} does not exist; create it or fix the path")
            return ""
        try:
            art = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as error:
            self.problem("", f"cannot read the frame as UTF-8 text ({error.__class__.__name__}); save it as UTF-8",
                         path)
            return ""
        lines = art.rstrip("\n").split("\n")
        if len(lines) > FRAME_ROWS:
            self.problem("", f"the frame is {len(lines)} rows tall; frames are at most {FRAME_ROWS} rows", path)
        for number, line in enumerate(lines, 1):
            if "\t" in line:
                self.problem("", f"line {number} has a tab; use spaces", path)
            width = cell_len(line.rstrip())
            if width > FRAME_COLUMNS:
                self.problem("", f"line {number} is {width} cells wide; frames are at most {FRAME_COLUMNS} wide",
                             path)
        return "\n".join(line.rstrip() for line in lines)

    def beat(self, raw: dict, where: str, characters: dict[str, Character], wpm: float) -> Beat | None:
        kind = raw.get("kind")
        if kind not in KINDS:
            self.problem(f"{where}kind", f"{kind!r} is not a beat kind; use one of {', '.join(KINDS)}")
        text = self.text(raw, "text", where)
        tags = self.tags(raw, where)
        speaker = raw.get("speaker")
        if kind == "dialogue":
            if not speaker:
                self.problem(f"{where}speaker", "dialogue needs a speaker; add speaker = \"<character id>\"")
            elif speaker not in characters:
                known = ", ".join(characters) or "none defined"
                self.problem(f"{where}speaker", f"{speaker!r} is not a character; use one of: {known}")
        elif speaker is not None:
            self.problem(f"{where}speaker", "only dialogue beats have a speaker; remove it or use kind = \"dialogue\"")
        parenthetical = raw.get("parenthetical")
        if parenthetical is not None and not isinstance(parenthetical, str):
            self.problem(f"{where}parenthetical", "must be a string")
            parenthetical = None
        duration = raw.get("duration")
        if duration is None:
            duration = reading_seconds(text, wpm)
        elif isinstance(duration, bool) or not isinstance(duration, (int, float)) or not 0.5 <= duration <= 120:
            self.problem(f"{where}duration", f"{duration!r} is not a number of seconds between 0.5 and 120")
            duration = MIN_BEAT_SECONDS
        unknown = set(raw) - {"kind", "text", "tags", "speaker", "parenthetical", "duration"}
        for key in sorted(unknown):
            self.problem(f"{where}{key}", "is not a beat field; remove it (see docs/catalog-format.md)")
        if kind not in KINDS or not text:
            return None
        return Beat(kind=sys.intern(kind), text=text, tags=tags, duration=float(duration),
                    speaker=speaker if kind == "dialogue" else None,
                    parenthetical=(parenthetical or "").strip() or None)

    def scenes(self, table: dict, where: str, characters: dict[str, Character], wpm: float,
               seen_ids: set[str]) -> tuple[Scene, ...]:
        return tuple(self.scene(raw, f"{where}scenes[{number}].", characters, wpm, seen_ids) for number, raw
                     in enumerate(self.table_list(table, "scenes", where, "id, title, storyboard and beats")))

    def scene(self, raw: dict, here: str, characters: dict[str, Character], wpm: float,
              seen_ids: set[str]) -> Scene:
        scene_id = self.own_id(raw, here, seen_ids, "give each scene its own id")
        title = self.text(raw, "title", here)
        place = self.text(raw, "place", here, required=False)
        frame = self.frame(raw, here)
        return Scene(id=scene_id, title=title, place=place, storyboard=frame,
                     beats=self.beats(raw, here, characters, wpm))

    def beats(self, raw: dict, here: str, characters: dict[str, Character], wpm: float,
              first: int = 0) -> tuple[Beat, ...]:
        """A scene's beats; `first` is the number of the first, when they go on from an earlier part."""
        beats = []
        for number, raw_beat in enumerate(self.table_list(raw, "beats", here, "kind, text and tags"), first):
            beat = self.beat(raw_beat, f"{here}beats[{number}].", characters, wpm)
            if beat:
                beats.append(beat)
        return tuple(beats)

    def characters(self, data: dict) -> dict[str, Character]:
        raw = data.get("characters", {})  # a silent film has none
        if not isinstance(raw, dict):
            self.problem("characters", "must be [characters.<id>] tables with name and description")
            return {}
        result = {}
        for key, value in raw.items():
            if not isinstance(value, dict):
                self.problem(f"characters.{key}", "must be a table with name and description")
                continue
            here = f"characters.{key}."
            result[key] = Character(id=key, name=self.text(value, "name", here),
                                    description=self.text(value, "description", here))
        return result

    def branch(self, data: dict, characters: dict[str, Character], wpm: float, seen: set[str]) -> Branch:
        raw = data.get("branch")
        if not isinstance(raw, dict):
            self.problem("branch", "missing; add a [branch] table with question and [[branch.endings]]")
            return Branch(question="", timer=DEFAULT_TIMER, endings=())
        question = self.text(raw, "question", "branch.")
        timer = raw.get("timer", DEFAULT_TIMER)
        if isinstance(timer, bool) or not isinstance(timer, int) or not 0 <= timer <= 600:
            self.problem("branch.timer", f"{timer!r} is not a whole number of seconds from 0 to 600")
            timer = DEFAULT_TIMER
        endings = []
        ending_ids: set[str] = set()
        raw_endings = self.table_list(raw, "endings", "branch.", "id, label, summary, tags and scenes")
        if len(raw_endings) == 1:
            self.problem("branch.endings", "a branch needs two or more endings; add another [[branch.endings]]")
        for number, ending in enumerate(raw_endings):
            here = f"branch.endings[{number}]."
            ending_id = self.text(ending, "id", here)
            if ending_id in ending_ids:
                self.problem(f"{here}id", f"{ending_id!r} is used twice; give each ending its own id")
            ending_ids.add(ending_id)
            label = self.text(ending, "label", here)
            if len(label) > 40:
                self.problem(f"{here}label", f"is {len(label)} characters; keep it under 40")
            decision, follows = self.decision(ending, here, characters, required=False)
            endings.append(Ending(id=ending_id, label=label, summary=self.text(ending, "summary", here),
                                  tags=self.tags(ending, here),
                                  scenes=self.scenes(ending, here, characters, wpm, seen),
                                  decision=decision, follows=follows))
        ways = self.ways(raw, characters, ending_ids)
        return Branch(question=question, timer=timer, endings=tuple(endings), ways=ways,
                      world=self.world(raw, characters))

    def fields(self, data: dict) -> dict:
        """The film's own fields and its characters: everything of a Film but its id, scenes, branch and path."""
        title = self.text(data, "title", "")
        year = data.get("year")
        if isinstance(year, bool) or not isinstance(year, int):
            self.problem("year", "missing or not a whole number; add year = 2026")
            year = 0
        genres = data.get("genres")
        if not isinstance(genres, list) or not genres or not all(isinstance(g, str) and g for g in genres):
            self.problem("genres", "missing; add genres = [\"mystery\", \"drama\"]")
            genres = []
        wpm = data.get("reading_wpm", DEFAULT_WPM)
        if isinstance(wpm, bool) or not isinstance(wpm, (int, float)) or not 60 <= wpm <= 600:
            self.problem("reading_wpm", f"{wpm!r} is not a reading speed between 60 and 600 words a minute")
            wpm = DEFAULT_WPM
        credits = data.get("credits", [])
        if not isinstance(credits, list) or not all(isinstance(c, str) for c in credits):
            self.problem("credits", "must be a list of strings")
            credits = []
        return dict(title=title, year=year, genres=tuple(genres), synopsis=self.text(data, "synopsis", ""),
                    author=self.text(data, "author", "", required=False), credits=tuple(credits),
                    characters=self.characters(data), reading_wpm=float(wpm))

    def film(self, data: dict) -> Film:
        fields = self.fields(data)
        characters, wpm, seen = fields["characters"], fields["reading_wpm"], set()
        scenes = self.scenes(data, "", characters, wpm, seen)
        branch = self.branch(data, characters, wpm, seen)
        return Film(id=self.folder.name, scenes=scenes, branch=branch, path=self.folder, **fields)


def load_title(folder: Path) -> Film:
    """Load and validate one title folder. Raises CatalogError listing every problem."""
    folder = Path(folder)
    toml_path = folder / "film.toml"
    if not toml_path.is_file():
        raise CatalogError([f"{toml_path}: missing; a title folder needs a film.toml (see docs/catalog-format.md)"])
    try:
        text = toml_path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CatalogError([f"{toml_path}: not UTF-8 text; save it as UTF-8"]) from None
    checker = _Checker(folder, toml_path)
    film = checker.film(_parsed(text, toml_path))
    if checker.problems:
        raise CatalogError(checker.problems)
    return film


def _parsed(text: str, toml_path: Path) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError([f"{toml_path}: not valid TOML: {error}; fix the syntax there"]) from None


class Checked(NamedTuple):
    """What `watch import` says of a title it wrote."""

    path: Path
    title: str
    scenes: int  # main scenes
    endings: int  # authored endings
    minutes: float


class TitleParts:
    """Validates a film.toml part by part, in the order `watch import` writes it, so that a long film is never
    held whole, neither as text nor as tables: first the film's fields and characters, then the main scenes, each
    a [[scenes]] table with its first beats and then parts of more [[scenes.beats]], then the branch with its
    endings. Each part after the first starts with its own table header, so the parts parse alone to what the
    whole file parses to (more beats alone parse as a `scenes` table holding only beats). The same checks as
    load_title; `check` raises CatalogError at the first part with a problem."""

    def __init__(self, folder: Path):
        self._checker = _Checker(folder, folder / "film.toml")
        self._fields: dict | None = None
        self._seen: set[str] = set()
        self._scenes = 0
        self._beats = 0  # in the last main scene so far
        self._main_seconds = 0.0
        self._done: Checked | None = None

    def check(self, part: str) -> None:
        checker, data = self._checker, _parsed(part, self._checker.toml_path)
        if self._done is not None:
            checker.problem("", "there is more after the branch; the [branch] table comes last")
        elif self._fields is None:
            self._fields = checker.fields(data)
        elif self._scenes and _more_beats(data):
            beats = checker.beats(data["scenes"], f"scenes[{self._scenes - 1}].", self._fields["characters"],
                                  self._fields["reading_wpm"], first=self._beats)
            self._beats += len(beats)
            self._main_seconds += sum(beat.duration for beat in beats)
        elif set(data) == {"scenes"}:
            for raw in checker.table_list(data, "scenes", "", "id, title, storyboard and beats"):
                scene = checker.scene(raw, f"scenes[{self._scenes}].", self._fields["characters"],
                                      self._fields["reading_wpm"], self._seen)
                self._scenes += 1
                self._beats = len(scene.beats)
                self._main_seconds += scene.seconds
        elif set(data) == {"branch"}:
            if not self._scenes:
                checker.table_list({}, "scenes", "", "id, title, storyboard and beats")
            branch = checker.branch(data, self._fields["characters"], self._fields["reading_wpm"], self._seen)
            runtime = runtime_seconds(self._main_seconds, [ending.seconds for ending in branch.endings] or [0.0])
            self._done = Checked(checker.folder, self._fields["title"], self._scenes, len(branch.endings),
                                 in_minutes(runtime))
        else:
            checker.problem("", f"a part with {', '.join(sorted(data)) or 'nothing'}; expected one [[scenes]] "
                                "table or the [branch] table")
        if checker.problems:
            raise CatalogError(checker.problems)

    def checked(self) -> Checked:
        """The title, once every part is checked."""
        if self._done is None:
            raise CatalogError([f"{self._checker.toml_path}: the [branch] table is missing"])
        return self._done


def _more_beats(data: dict) -> bool:
    """Whether a part holds only more beats of the scene before it: [[scenes.beats]] tables alone."""
    return set(data) == {"scenes"} and isinstance(data["scenes"], dict) and set(data["scenes"]) == {"beats"}


@dataclass
class Catalog:
    """Every title in a list of catalog folders. Invalid titles are kept aside with their problems."""

    folders: list[Path]
    films: dict[str, Film] = field(default_factory=dict)
    broken: dict[Path, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, folders: Iterable[Path]) -> "Catalog":
        catalog = cls(folders=[Path(f) for f in folders])
        for folder in catalog.folders:
            if not folder.is_dir():
                continue
            # A dot-folder is hidden (an import's staging folder, a tool's cache), never a title.
            titles = (p for p in folder.iterdir() if not p.name.startswith(".") and (p / "film.toml").is_file())
            for title_dir in sorted(titles):
                if title_dir.name in catalog.films:
                    continue  # an earlier catalog folder wins, so a user's title can shadow a sample
                try:
                    catalog.films[title_dir.name] = load_title(title_dir)
                except CatalogError as error:
                    catalog.broken[title_dir] = error.problems
        return catalog

    def find(self, query: str) -> Film:
        """Match a folder id, a title, "Title (year)" or "Title year", a unique prefix of an id or a title, or
        else a word of a title, ignoring case."""
        wanted = query.strip().casefold()
        if not wanted:
            raise TitleNotFound("no title given; run `watch list` to see the titles")
        for exact in (lambda f: f.id.casefold() == wanted, lambda f: f.title.casefold() == wanted):
            hits = [film for film in self.films.values() if exact(film)]
            if len(hits) == 1:
                return hits[0]
        hits = self._with_year(wanted) or self._starting(wanted)
        if not hits:  # a word from the middle of a title ("vacuum"), but at a word's start, not any letters
            word = re.compile(rf"\b{re.escape(wanted)}")
            hits = [film for film in self.films.values() if word.search(film.title.casefold())]
        if len(hits) == 1:
            return hits[0]
        if hits:
            names = ", ".join(f"{film.id} ({film.title}{f', {film.year}' if film.year else ''})" for film in hits)
            typed = ", ".join(f"watch {film.id}" for film in hits)  # an id is never shared, and never needs quotes
            raise TitleNotFound(f"{query!r} matches more than one title: {names}; type one of: {typed}")
        broken = [path for path in self.broken if path.name.casefold() == wanted]
        if broken:
            raise CatalogError(self.broken[broken[0]])
        names = {film.id: film for film in self.films.values()}
        names.update({film.title.casefold(): film for film in self.films.values()})
        close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.4)
        suggestion = ", ".join(dict.fromkeys(f"{names[c].id} ({names[c].title})" for c in close))
        hint = f"; did you mean: {suggestion}?" if suggestion else "; run `watch list` to see the titles"
        raise TitleNotFound(f"no title matches {query!r}{hint}")

    def _starting(self, wanted: str) -> list[Film]:
        return [film for film in self.films.values()
                if film.id.casefold().startswith(wanted) or film.title.casefold().startswith(wanted)
                or without_article(film.title).casefold().startswith(wanted)]

    def _with_year(self, wanted: str) -> list[Film]:
        """"Dead Man's Wages (2019)" or "dead man's wages 2019": a title (or its prefix) and its year, which tell
        apart two titles of one name."""
        match = re.fullmatch(r"(.+?) ?\(?(\d{4})\)?", wanted)
        if not match:
            return []
        year = int(match.group(2))
        return [film for film in self._starting(match.group(1)) if film.year == year]


def without_article(title: str) -> str:
    """"The Last Lighthouse" -> "Last Lighthouse": how people shorten titles, and how ids are made from them."""
    return re.sub(r"^(the|a|an)\s+", "", title, flags=re.I)

