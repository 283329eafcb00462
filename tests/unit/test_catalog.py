import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len

from player.engine.catalog.films import (FRAME_COLUMNS, FRAME_ROWS, TAGS, Catalog, State, load_title, reading_seconds)
from player.engine.base.errors import CatalogError, TitleNotFound
from player.engine.base.locations import bundled_catalog
from tests.conftest import TEST_CATALOG

SAMPLES = sorted(p for p in bundled_catalog().iterdir() if (p / "film.toml").is_file())


def test_there_are_at_least_three_samples_of_different_genres():
    films = [load_title(path) for path in SAMPLES]
    assert len(films) >= 3
    assert len({film.genres[0] for film in films}) >= 3


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_is_a_complete_film(path):
    film = load_title(path)
    assert len(film.scenes) >= 6
    assert len(film.branch.endings) >= 2
    for ending in film.branch.endings:
        assert 5 * 60 <= film.main_seconds + ending.seconds <= 10 * 60, ending.id
    kinds = {beat.kind for scene in film.scenes for beat in scene.beats}
    assert kinds == {"action", "dialogue", "caption"}
    used = {tag for scene in film.scenes for beat in scene.beats for tag in beat.tags}
    assert set(TAGS) <= used, f"tags never used: {set(TAGS) - used}"
    for scene in film.scenes + tuple(s for e in film.branch.endings for s in e.scenes):
        assert scene.storyboard.strip(), scene.id
        lines = scene.storyboard.split("\n")
        assert len(lines) <= FRAME_ROWS and max(cell_len(line) for line in lines) <= FRAME_COLUMNS


def test_a_beat_without_duration_gets_one_from_its_words():
    assert reading_seconds("one two three") == 2.5  # the minimum
    assert reading_seconds(" ".join(["word"] * 30), wpm=180) == pytest.approx(30 * 60 / 180 + 1.5)
    assert reading_seconds(" ".join(["word"] * 30), wpm=90) > reading_seconds(" ".join(["word"] * 30), wpm=180)


def _broken_copy(tmp_path: Path, edits: dict[str, str]) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(TEST_CATALOG / "tiny", folder)
    toml = folder / "film.toml"
    text = toml.read_text()
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new, 1)
    toml.write_text(text)
    return folder


def test_validation_reports_every_problem_with_file_field_and_fix(tmp_path):
    folder = _broken_copy(tmp_path, {
        'tags = ["action"]': 'tags = ["sad"]',
        'speaker = "ben"': 'speaker = "zed"',
        "frames/three.txt": "frames/missing.txt",
        'kind = "caption"': 'kind = "song"',
        "timer = 10": "timer = -3",
    })
    (folder / "frames" / "one.txt").write_text("x" * 80 + "\n")
    with pytest.raises(CatalogError) as error:
        load_title(folder)
    problems = error.value.problems
    assert len(problems) >= 6
    text = "\n".join(problems)
    assert "scenes[1].beats[0].tags: 'sad' is not a tag; use one of" in text
    assert "scenes[0].beats[2].speaker: 'zed' is not a character; use one of: ada, ben" in text
    assert "scenes[2].storyboard: frames/missing.txt does not exist; create it or fix the path" in text
    assert "scenes[0].beats[0].kind: 'song' is not a beat kind" in text
    assert "branch.timer" in text
    assert f"one.txt: line 1 is 80 cells wide; frames are at most {FRAME_COLUMNS} wide" in text
    assert all(problem.startswith(str(folder)) for problem in problems)


def test_a_toml_syntax_error_names_the_line(tmp_path):
    folder = _broken_copy(tmp_path, {'title = "Tiny Test Film"': 'title = "Tiny Test Film'})
    with pytest.raises(CatalogError) as error:
        load_title(folder)
    assert "film.toml: not valid TOML" in str(error.value) and "line 2" in str(error.value)


def test_a_branch_needs_two_endings_and_a_question(tmp_path):
    folder = _broken_copy(tmp_path, {'question = "Does Ada fix the lamp?"': ""})
    text = (folder / "film.toml").read_text()
    (folder / "film.toml").write_text(text[:text.index('[[branch.endings]]\nid = "dark"')])
    with pytest.raises(CatalogError) as error:
        load_title(folder)
    assert any("branch.question: missing" in p for p in error.value.problems)
    assert any("two or more endings" in p for p in error.value.problems)


def test_frames_cannot_escape_the_title_folder(tmp_path):
    folder = _broken_copy(tmp_path, {"frames/three.txt": "../../etc/passwd"})
    with pytest.raises(CatalogError) as error:
        load_title(folder)
    assert "outside the title folder" in str(error.value)


def test_find_matches_id_title_and_unique_prefix_ignoring_case(catalog):
    assert catalog.find("TINY").id == "tiny"
    assert catalog.find("tiny test film").id == "tiny"
    assert catalog.find("Tiny T").id == "tiny"
    assert catalog.find("lighth").id == "lighthouse"
    assert catalog.find("the last").id == "lighthouse"
    assert catalog.find("last light").id == "lighthouse"  # a leading article is optional


def test_find_matches_a_word_from_the_middle_of_a_title_but_not_any_letters(catalog):
    assert catalog.find("vacuum").id == "deli"  # Hold the Vacuum
    assert catalog.find("Film").id == "tiny"  # Tiny Test Film
    with pytest.raises(TitleNotFound) as error:
        catalog.find("acuum")  # inside a word: only a suggestion
    assert "no title matches" in str(error.value) and "deli" in str(error.value)
    with pytest.raises(TitleNotFound) as error:
        catalog.find("test")  # "Tiny Test Film" and "Literal [bold]Markup[/] Test"
    assert "more than one title" in str(error.value)


def test_unknown_and_ambiguous_titles_list_the_closest(catalog, tmp_path):
    with pytest.raises(TitleNotFound) as error:
        catalog.find("lighthose")
    assert "did you mean" in str(error.value) and "lighthouse" in str(error.value)
    twin = tmp_path / "cat" / "tinier"
    shutil.copytree(TEST_CATALOG / "tiny", twin)
    both = Catalog.load([TEST_CATALOG, tmp_path / "cat"])
    with pytest.raises(TitleNotFound) as error:
        both.find("tin")
    assert "more than one title" in str(error.value) and "tiny" in str(error.value) and "tinier" in str(error.value)


def test_an_invalid_title_is_kept_aside_and_reported_when_asked_for(tmp_path):
    folder = _broken_copy(tmp_path, {'tags = ["action"]': 'tags = ["sad"]'})
    catalog = Catalog.load([tmp_path, TEST_CATALOG])
    assert "broken" not in catalog.films and folder in catalog.broken
    with pytest.raises(CatalogError):
        catalog.find("broken")


def test_a_hidden_folder_is_never_a_title_even_with_a_film_toml(tmp_path):
    shutil.copytree(TEST_CATALOG / "tiny", tmp_path / "tiny")
    shutil.copytree(TEST_CATALOG / "tiny", tmp_path / ".importing-x1y2")  # an import's staging folder, say
    (tmp_path / ".broken").mkdir()
    (tmp_path / ".broken" / "film.toml").write_text("not toml [")
    catalog = Catalog.load([tmp_path])
    assert list(catalog.films) == ["tiny"] and catalog.broken == {}


def test_ids_are_lower_case_letters_digits_and_dashes_only():
    from player.engine.catalog.films import valid_id

    assert valid_id("the-door") and valid_id("a1")
    for bad in ("door\n", "-door", "Door", "the door", "", "../x"):
        assert not valid_id(bad), bad


def _with_material(tmp_path: Path, material: str, ending: str = "") -> Path:
    """The tiny film with personalised-ending material: `ending` goes into its first ending, `material` at the
    end of the file (ways and world)."""
    folder = _broken_copy(tmp_path, {'summary = "Ada fixes the lamp and the test passes."':
                                     'summary = "Ada fixes the lamp and the test passes."\n' + ending})
    toml = folder / "film.toml"
    toml.write_text(toml.read_text() + "\n" + material)
    return folder


GOOD_MATERIAL = '''
[[branch.ways]]
id = "swap"
decision = "Ben swaps the bulb while Ada holds the ladder"
summary = "Ben fixes it, for once."
tags = ["humor", "hopeful"]
follows = ["Ada stops the clock", "Ben bows to nobody", "The lamp hums"]

[branch.world]
cast = ["ada", "ben"]
props = ["the bench lamp"]
places = ["the test bench"]
never = ["Phone"]

[branch.world.state.ben]
now = "he has sprained his wrist"
cannot = ["Lifts", "carries"]
'''
GOOD_ENDING = 'decision = "Ada fixes the lamp"\nfollows = ["Ada writes it down", "Ben claps", "The test passes"]\n'


def test_decisions_ways_and_world_load_when_given(tmp_path):
    film = load_title(_with_material(tmp_path, GOOD_MATERIAL, GOOD_ENDING))
    fix = film.branch.ending("fix")
    assert fix.decision == "Ada fixes the lamp"
    assert fix.follows == ("Ada writes it down", "Ben claps", "The test passes")
    (way,) = film.branch.ways
    assert (way.id, way.decision, way.tags) == ("swap", "Ben swaps the bulb while Ada holds the ladder",
                                                ("humor", "hopeful"))
    assert len(way.follows) == 3
    world = film.branch.world
    assert world.cast == ("ada", "ben") and world.props == ("the bench lamp",) and world.never == ("phone",)
    assert world.state == (State("ben", "he has sprained his wrist", ("lifts", "carries")),)


def test_a_film_without_the_material_still_loads_with_empty_defaults():
    film = load_title(TEST_CATALOG / "tiny")
    assert film.branch.ways == () and film.branch.world.cast == ()
    assert all(e.decision == "" and e.follows == () for e in film.branch.endings)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_has_decisions_for_each_ending_a_third_way_and_a_world(path):
    film = load_title(path)
    assert all(e.decision and 3 <= len(e.follows) <= 5 for e in film.branch.endings)
    assert film.branch.ways and film.branch.world.cast and film.branch.world.props and film.branch.world.places


def test_the_lighthouse_material_keeps_everyone_at_stake():
    film = load_title(bundled_catalog() / "lighthouse")
    assert set(film.branch.world.cast) == set(film.characters)
    assert {way.id for way in film.branch.ways} == {"sea", "keeper"}


def test_bad_material_is_reported_with_field_and_fix(tmp_path):
    material = GOOD_MATERIAL.replace('id = "swap"', 'id = "fix"').replace(
        'decision = "Ben swaps', 'decision = "Somebody swaps').replace(
        'follows = ["Ada stops the clock", "Ben bows to nobody", "The lamp hums"]', 'follows = ["Ada stops"]').replace(
        'cast = ["ada", "ben"]', 'cast = ["ada", "zed"]').replace('never = ["Phone"]', 'never = [3]\nmood = "x"')
    folder = _with_material(tmp_path, material, 'follows = ["Ada writes it down", "Ben claps", "' + "x" * 130 + '"]\n')
    with pytest.raises(CatalogError) as error:
        load_title(folder)
    text = "\n".join(error.value.problems)
    assert "branch.ways[0].id: 'fix' is used twice" in text
    assert "branch.ways[0].decision: 'Somebody swaps the bulb while ' must start with a character's name" in text
    assert "branch.ways[0].follows: has 1 items; give 3 to 5" in text
    assert "branch.world.cast: 'zed' is not a character; use ids from: ada, ben" in text
    assert "branch.world.never: must be a list of non-empty strings" in text
    assert "branch.world.mood: is not a world field" in text
    assert f"branch.endings[0].follows: '{'x' * 30}'... is 130 characters; keep each under 120" in text
    assert "branch.endings[0].decision: follows needs a decision" in text
    assert all(problem.startswith(str(folder)) for problem in error.value.problems)


@pytest.mark.parametrize("state, problem", [
    ('[branch.world.state.zed]\nnow = "gone"\ncannot = ["runs"]',
     "branch.world.state.zed: 'zed' is not a character; use ids from: ada, ben"),
    ('[branch.world.state.ben]\ncannot = ["runs"]', 'branch.world.state.ben.now: missing; add now = "..."'),
    ('[branch.world.state.ben]\nnow = "hurt"', "branch.world.state.ben.cannot: missing; add cannot"),
    ('[branch.world.state.ben]\nnow = "hurt"\ncannot = ["runs away"]',
     "branch.world.state.ben.cannot: 'runs away' is not a single word"),
    ('[branch.world.state.ben]\nnow = "hurt"\ncannot = ["runs"]\nmood = "sad"',
     "branch.world.state.ben.mood: is not a state field; use now and cannot"),
    ('[branch.world]\nstate = "hurt"', "branch.world.state: must hold [branch.world.state.<character id>] tables"),
])
def test_a_bad_state_is_reported_with_field_and_fix(tmp_path, state, problem):
    material = GOOD_MATERIAL.split("[branch.world.state.ben]")[0]
    if state.startswith("[branch.world]"):
        material, state = material.replace("[branch.world]", state, 1), ""
    with pytest.raises(CatalogError) as error:
        load_title(_with_material(tmp_path, material + state + "\n", GOOD_ENDING))
    assert any(problem in line for line in error.value.problems), error.value.problems


def _same_name_twice(tmp_path: Path, year: int | None = None) -> Catalog:
    """The sample "Dead Man's Wages" (wages) and a copy of it as w2, in a year of its own when `year` is given."""
    copy = tmp_path / "mine" / "w2"
    shutil.copytree(bundled_catalog() / "wages", copy)
    if year is not None:
        toml = copy / "film.toml"
        toml.write_text(toml.read_text().replace("year = 2026", f"year = {year}", 1))
    return Catalog.load([tmp_path / "mine", bundled_catalog()])


def test_two_titles_of_one_name_are_told_apart_by_id_and_the_error_says_what_to_type(tmp_path):
    both = _same_name_twice(tmp_path)
    assert both.films["w2"].title == both.films["wages"].title == "Dead Man's Wages"
    assert both.find("w2").id == "w2" and both.find("wages").id == "wages"
    for typed in ("Dead Man's Wages", "dead man's wages (2026)", "Dead Man's Wages 2026"):
        with pytest.raises(TitleNotFound) as error:
            both.find(typed)  # the same year too: only the id tells them apart
        message = str(error.value)
        assert "matches more than one title" in message
        assert message.endswith("type one of: watch w2, watch wages")
        assert "type more of it" not in message


def test_two_titles_of_one_name_are_told_apart_by_year(tmp_path):
    both = _same_name_twice(tmp_path, year=2019)
    assert both.find("Dead Man's Wages (2019)").id == "w2"
    assert both.find("dead man's wages 2026").id == "wages"
    assert both.find("Dead Man's (2019)").id == "w2"  # a prefix of the title, with the year
    with pytest.raises(TitleNotFound, match="type one of: watch w2, watch wages"):
        both.find("Dead Man's Wages")
    with pytest.raises(TitleNotFound, match="no title matches"):
        both.find("Dead Man's Wages (1999)")
