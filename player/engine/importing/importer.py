"""`watch import`: turn a Fountain screenplay into a title folder (film.toml and frames) and write it in one step.

The conventions (branch note, `# Ending:` sections, tag overrides) are documented in docs/catalog-format.md,
"Importing Fountain screenplays". Everything in the screenplay is checked before anything is written. The title is
built in a hidden staging folder next to its destination, film.toml a part at a time, each part validated as it
is written (films.TitleParts, the checks of load_title), then the folder is renamed into place. A long film is
never held whole as text: memory stays under ten times the screenplay's size (docs/measurements.md).

The conversion is in parts: screenplay (elements to draft scenes, beats and endings), beat_split (prose into
beats), names (ids and titles), authored_endings (the branch), cast (characters), title_page (the film's fields),
film_toml and storyboard_cards (the files written).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from player.engine.importing.authored_endings import branch_endings, branch_ways
from player.engine.importing.cast import find_characters
from player.engine.catalog.films import Checked, TitleParts, valid_id, without_article
from player.engine.base.errors import CatalogError, ImportFailed
from player.engine.importing.film_toml import part_count, parts
from player.engine.importing.fountain import Screenplay, parse
from player.engine.base.files import atomic_write, fsync_dir
from player.engine.importing.names import UniqueIds, place, slug
from player.engine.importing.screenplay import Builder, DraftBeat, DraftFilm
from player.engine.importing.storyboard_cards import frames
from player.engine.importing.title_page import film_fields


MAX_SCREENPLAY_BYTES = 20_000_000  # a feature is about 0.2 MB; a larger file is refused before it is read
Progress = Callable[[float], None]  # told the fraction of the import done, from 0 to 1
# What part of an import's time parsing, and parsing with building, take, measured on generated screenplays
# (benchmarks/bench_import.py); writing and checking the title take the rest
_PARSED, _BUILT = 0.1, 0.35


def _no_progress(fraction: float) -> None:
    pass


# Final Draft's XML: an optional BOM, XML declaration and comments, then the root element <FinalDraft ...>
_FINAL_DRAFT = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<FinalDraft[\s>]", re.S)


class TitleExists(ImportFailed):
    """The catalog already holds a title with this id. Import again with force=True to replace it."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"a title {path.name!r} already exists in {path.parent}; use --force to replace it")


@dataclass(frozen=True)
class Conversion:
    title_id: str
    draft: DraftFilm

    @property
    def film_toml(self) -> str:
        return "".join(parts(self.draft))

    @property
    def frames(self) -> dict[str, str]:
        """Each frame's text, by its path relative to the title folder."""
        return dict(frames(self.draft))


def convert(text: str, title_id: str | None = None, source_name: str = "screenplay.fountain",
            year: int | None = None, progress: Progress = _no_progress) -> Conversion:
    """Convert Fountain text into a title, without writing anything. Raises ImportFailed.

    `progress` is told the fraction done as the lines are parsed, and every few hundred elements as they are
    built (beats are split and tagged there); convert ends at 0.35 of an import, the rest is writing the title
    and checking it."""
    _check_id(title_id)
    if not text.strip():
        raise ImportFailed("the screenplay is empty")
    return _built(_parsed(text, progress), title_id, source_name, year, progress)


def _check_id(title_id: str | None) -> None:
    if title_id is not None and not valid_id(title_id):
        raise ImportFailed(f"{title_id!r} is not a valid title id; use lower-case letters, digits and -")


def _parsed(text: str, progress: Progress) -> Screenplay:
    screenplay = parse(text, progress=lambda fraction: progress(_PARSED * fraction))
    progress(_PARSED)
    return screenplay


def _built(screenplay: Screenplay, title_id: str | None, source_name: str, year: int | None,
           progress: Progress) -> Conversion:
    """The title, from the parsed screenplay, whose elements it takes out: each is freed once built."""
    builder = Builder()
    title_page, pending = screenplay.title_page, screenplay.elements[::-1]
    screenplay.elements.clear()
    total = len(pending)
    while pending:
        builder.element(pending.pop())
        if pending and len(pending) % 256 == 0:
            progress(_PARSED + (_BUILT - _PARSED) * (total - len(pending)) / total)
    if not builder.scenes:
        raise ImportFailed("no scene headings found; start each scene with a line such as INT. KITCHEN - NIGHT "
                           "(or force one with a leading period: .THE DREAM)")
    if builder.prelude:
        builder.scenes[0].beats[:0] = builder.prelude
    film = film_fields(title_page, builder, source_name, year)
    question, endings = branch_endings(builder)
    main = builder.scenes_of(None)
    scene_ids = UniqueIds()
    for scene in main + [scene for _, scenes in endings for scene in scenes]:
        if not scene.beats:  # a heading with nothing under it still plays, as its heading
            scene.beats.append(DraftBeat("caption", scene.heading or "…", ("quiet",)))
        scene.title = scene.title or place(scene.heading)[0] or "Untitled Scene"
        scene.id = scene_ids.new(slug(without_article(scene.title)), "scene")
    actions = [beat.text for scene in builder.scenes for beat in scene.beats if beat.kind == "action"]
    characters = find_characters(builder, film["title"], actions)  # none in a silent film
    ways, world = branch_ways(builder, characters)
    film_id = title_id or slug(film["title"]) or slug(Path(source_name).stem) or "imported"
    progress(_BUILT)
    return Conversion(film_id, DraftFilm(film, characters, main, question, endings, ways, world, source_name))


def read_screenplay(path: Path) -> str:
    """The screenplay's text, or a one-line ImportFailed for a missing, empty, binary, too large or non-UTF-8
    file, or one from Final Draft. A file over MAX_SCREENPLAY_BYTES is refused before it is read."""
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            data = b"" if size > MAX_SCREENPLAY_BYTES else file.read(MAX_SCREENPLAY_BYTES + 1)
        if max(size, len(data)) > MAX_SCREENPLAY_BYTES:  # len: a pipe or device has no size to stat
            raise ImportFailed(f"{path} is over {MAX_SCREENPLAY_BYTES / 1e6:g} MB, the most `watch import` "
                               "reads (a feature-length screenplay is about 0.2 MB)")
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFailed(f"{path} is a folder; give the path of a .fountain file") from None
    except OSError as error:
        raise ImportFailed(f"{path}: cannot read it ({error.strerror or error})") from None
    if _FINAL_DRAFT.match(data[:1024]):
        raise ImportFailed(f"{path} is a Final Draft file (.fdx), not Fountain; in Final Draft, choose File > "
                           "Export > Fountain, then import the .fountain file")
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


def import_title(source: Path, into: Path, title_id: str | None = None, force: bool = False,
                 progress: Progress = _no_progress) -> Checked:
    """Import a Fountain file as a title in the catalog folder `into`; return what was checked of it.

    Raises ImportFailed (nothing written) for bad input, and TitleExists if the title is there and not `force`.
    `progress` is told the fraction done as the import goes (see convert), and 1.0 once the title is in place.
    """
    source = Path(source)
    checked = _place(_converted(source, title_id, progress), Path(into), force, progress)
    progress(1.0)
    return checked


def import_fountain(source: Path, into: Path, title_id: str | None = None, force: bool = False,
                    progress: Progress = _no_progress) -> Path:
    """import_title, returning the new title's folder."""
    return import_title(source, into, title_id, force, progress).path


def _converted(source: Path, title_id: str | None, progress: Progress) -> Conversion:
    _check_id(title_id)
    screenplay = _parsed(read_screenplay(source), progress)  # the text is freed once parsed
    try:
        return _built(screenplay, title_id, source.name, None, progress)
    except ImportFailed as error:
        raise ImportFailed(f"{source.name}: {error}") from None


def _write_files(folder: Path, conversion: Conversion, progress: Progress) -> Checked:
    """The frames, then film.toml part by part, each part checked before it is written. Every file fsynced, and
    its folder, so that the title renamed into place is whole after a power cut."""
    draft, done = conversion.draft, 0
    steps = len(draft.main) + sum(len(scenes) for _, scenes in draft.endings) + part_count(draft)

    def advance() -> None:  # each scene's frame, then each part of film.toml
        nonlocal done
        done += 1
        if done % 32 == 0:
            progress(_BUILT + (1 - _BUILT) * done / (steps + 1))

    folder.mkdir()
    for relative, art in frames(draft):
        atomic_write(folder / relative, art.encode())
        advance()
    checker = TitleParts(folder)
    # Not atomic_write: the file is in the staging folder, which is renamed into place only once it is whole
    with open(folder / "film.toml", "w", encoding="utf-8") as file:
        for part in parts(draft):
            checker.check(part)
            file.write(part)
            advance()
        file.flush()
        os.fsync(file.fileno())
    fsync_dir(folder)
    return checker.checked()


def write_title(conversion: Conversion, into: Path, force: bool = False) -> Path:
    """Write the title in one step: build and validate it in a hidden staging folder inside `into`, then rename it
    into place. With `force`, the old title is moved aside only once the new one is complete, then deleted."""
    return _place(conversion, into, force, _no_progress).path


def _place(conversion: Conversion, into: Path, force: bool, progress: Progress) -> Checked:
    """write_title, returning what was checked of the title."""
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
        checked = _write_files(folder, conversion, progress)
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
        fsync_dir(into)  # the rename is only durable once the catalog folder holding it is
    except CatalogError as error:
        raise ImportFailed(f"the converted title does not validate ({error.problems[0]}); please report this") \
            from None
    except OSError as error:
        raise ImportFailed(f"could not write {target} ({error.strerror or error}); nothing was changed") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return checked._replace(path=target)
