"""The sample film written in Fountain: its source and the title in sample_catalog stay in sync."""

from pathlib import Path

from player.engine.catalog.films import TAGS, load_title
from player.engine.importing.importer import convert, import_fountain
from player.engine.base.locations import bundled_catalog

SOURCE = Path(__file__).parent.parent.parent / "fountain" / "wages.fountain"
TITLE = bundled_catalog() / "wages"
REIMPORT = "watch import fountain/wages.fountain --into sample_catalog --id wages --force"


def files(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): path.read_text(encoding="utf-8")
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_sample_title_is_exactly_what_its_screenplay_imports_to(tmp_path):
    fresh = import_fountain(SOURCE, tmp_path, title_id="wages")
    assert files(fresh) == files(TITLE), f"the sample is out of date; run: {REIMPORT}"


def test_convert_gives_the_same_files_without_writing():
    conversion = convert(SOURCE.read_text(encoding="utf-8"), title_id="wages", source_name=SOURCE.name)
    assert {"film.toml": conversion.film_toml, **conversion.frames} == files(TITLE)


def test_the_sample_is_a_western_with_its_own_cast_and_a_real_choice():
    film = load_title(TITLE)
    assert film.genres[0] == "western"
    assert 3 <= len(film.characters) <= 5
    others = {"mara", "elias", "callum", "bridie", "dunmore", "ines", "teo", "aurel", "pim", "wren", "dov", "kit",
              "fenn", "brask"}
    first_names = {c.name.split()[0].lower() for c in film.characters.values()}
    assert not first_names & others
    speakers = {beat.speaker for scene in film.scenes for beat in scene.beats if beat.speaker}
    assert speakers == set(film.characters)
    for tag in TAGS:
        beats = [beat for scene in film.scenes for beat in scene.beats if tag in beat.tags]
        assert len(beats) >= 3, f"{tag} is on {len(beats)} beats of the main film"
    tones = [set(ending.tags) for ending in film.branch.endings]
    assert len(tones) == 2 and not tones[0] & tones[1]
    for ending in film.branch.endings:
        assert 6 * 60 <= film.main_seconds + ending.seconds <= 9 * 60, ending.id
