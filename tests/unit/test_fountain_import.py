"""`watch import`: Fountain screenplays become titles that load, play and keep nothing of the Fountain syntax."""

import os
import tomllib
from pathlib import Path

import pytest
from rich.cells import cell_len

from player.engine.importing import film_toml, importer
from player.engine.importing.beat_split import BEAT_CELLS, split_beats
from player.engine.catalog.films import FRAME_COLUMNS, FRAME_ROWS, TAGS, Catalog, load_title
from tests.clocks import ManualTime
from player.engine.base.errors import CatalogError, ImportFailed, WatchError
from player.engine.importing.importer import TitleExists, convert, import_fountain
from player.engine.base.locations import user_catalog
from player.engine.playback.session import BRANCH, FINISHED, Playback

FOUNTAIN = Path(__file__).parent.parent / "fixtures" / "fountain"
SCREENPLAYS = ["elements.fountain", "branching.fountain", "long.fountain", "untitled-draft.fountain"]


def imported(tmp_path: Path, name: str, **options):
    folder = import_fountain(FOUNTAIN / name, tmp_path / "catalog", **options)
    return load_title(folder)


def every_scene(film):
    return film.scenes + tuple(scene for ending in film.branch.endings for scene in ending.scenes)


def every_beat(film):
    return [beat for scene in every_scene(film) for beat in scene.beats]


@pytest.mark.parametrize("name", SCREENPLAYS)
def test_every_test_screenplay_becomes_a_valid_title_with_readable_beats_and_frames(tmp_path, name):
    film = imported(tmp_path, name)
    assert len(film.branch.endings) >= 2
    for beat in every_beat(film):
        assert 0 < cell_len(beat.text) <= BEAT_CELLS, beat.text
        assert beat.tags and set(beat.tags) <= set(TAGS)
    for scene in every_scene(film):
        lines = scene.storyboard.split("\n")
        assert len(lines) <= FRAME_ROWS and max(cell_len(line) for line in lines) <= FRAME_COLUMNS
        assert "\t" not in scene.storyboard


def test_no_fountain_syntax_leaks_into_the_film(tmp_path):
    film = imported(tmp_path, "elements.fountain")
    texts = [beat.text for beat in every_beat(film)] + [beat.parenthetical or "" for beat in every_beat(film)]
    texts += [film.title, film.author, film.synopsis, *film.credits]
    texts += [c.name for c in film.characters.values()] + [c.description for c in film.characters.values()]
    everything = "\n".join(texts)
    for raw in ("[[", "]]", "/*", "*/", "**", "^", "===", "\t", "\\", "~", "#1#", "must not be seen",
                "for the writer", "BONEYARD", "inline note", "spans a blank line"):
        assert raw not in everything, raw
    for text in texts:
        assert not text.startswith(("!", "@", ">", "#", "=", ".")), text
    # Escaped characters stay, as the writer asked; emphasis markers go.
    assert "A small kitchen in the café. The kettle whistles. A price tag says 5*, and a sign says _closed_." \
        in everything
    assert "Joe drops the brass key into a very hot pan. It hisses." in everything


def test_title_page_gives_title_author_credits_year_and_synopsis(tmp_path):
    film = imported(tmp_path, "elements.fountain")
    assert film.id == "the-brass-key-a-kitchen-drama"
    assert film.title == "The Brass Key: A kitchen drama"
    assert film.author == "Written by Zoë Ångström and Ray Quist"
    assert film.credits == ("Based on a story told at a wedding",)
    assert film.year == 2019
    assert film.synopsis == "A café owner and her brother argue over a brass key, all night long."


def test_scenes_take_their_title_and_place_from_the_slug_line(tmp_path):
    film = imported(tmp_path, "elements.fountain")
    places = [(scene.id, scene.title, scene.place) for scene in every_scene(film)]
    assert places[:3] == [("kitchen", "Kitchen", "Kitchen, night"), ("garden", "Garden", "Garden, day"),
                          ("dream", "The Dream", "The Dream")]
    assert ("car", "Car", "Car, moving") in places
    assert film.scenes[0].storyboard.split("\n")[3].strip("│ ") == "INT. KITCHEN - NIGHT"


def test_dialogue_characters_extensions_and_parentheticals(tmp_path):
    film = imported(tmp_path, "elements.fountain")
    assert set(film.characters) == {"joe", "zoe", "mcclane"}  # JOE (V.O.) and JOE (CONT'D) are one Joe
    assert film.characters["zoe"].name == "Zoë" and film.characters["mcclane"].name == "McCLANE"
    lines = [(b.speaker, b.parenthetical, b.text) for b in every_beat(film) if b.kind == "dialogue"]
    assert lines[:5] == [("joe", "V.O., quietly", "It is late, Zoë."), ("zoe", None, "Not that late."),
                         ("joe", None, "It is."), ("joe", "beat", "It really is."),
                         ("joe", None, "After a forced blank line, still Joe.")]
    assert ("mcclane", None, "Yippee. ♪ I sang it once ♪ (shrugs)") in lines
    assert ("zoe", "O.S.", "Joe? The key!") in lines
    assert ("zoe", None, "Naïve, he said. 鍵 means key.") in lines


def test_transitions_centered_text_and_lyrics_are_captions(tmp_path):
    film = imported(tmp_path, "elements.fountain")
    captions = [beat.text for beat in every_beat(film) if beat.kind == "caption"]
    assert captions[:6] == ["CUT TO:", "THE END OF THE START", "♪ La la la, the garden song ♪",
                            "♪ and its second line ♪", "SMASH TO BLACK.", "FADE OUT."]


def test_without_a_branch_note_the_last_scene_is_the_written_ending_and_the_second_is_honest(tmp_path):
    film = imported(tmp_path, "untitled-draft.fountain")
    assert film.id == "untitled-draft" and film.title == "Untitled Draft"
    assert [scene.title for scene in film.scenes] == ["First Room"]
    written, stop = film.branch.endings
    assert film.branch.question == "How should it end?"
    assert (written.id, written.label, [s.title for s in written.scenes]) == ("written", "The ending as written",
                                                                               ["Yard"])
    assert written.summary.startswith("The screenplay's own ending: Ben runs in from the yard")
    assert stop.id == "stop" and all(beat.kind == "caption" for s in stop.scenes for beat in s.beats)
    assert "STOPS HERE" in stop.scenes[0].beats[0].text


def test_a_declared_branch_with_ending_sections_summaries_and_tones(tmp_path):
    film = imported(tmp_path, "branching.fountain")
    assert film.branch.question == "Who is at the door?"
    assert [(e.id, e.label) for e in film.branch.endings] == [
        ("open-it", "Open it"), ("walk-away", "Walk away"), ("call-otto", "Call Otto")]
    open_it, walk_away, call_otto = film.branch.endings
    assert open_it.summary == "Mara opens the door and finds her father on the step."
    assert open_it.tags == ("hopeful",)                       # a tags note under the section
    assert walk_away.tags == ("quiet", "dark")                # a tags note on the section line
    assert walk_away.scenes[0].title == "Walk away"           # an ending that starts without a heading
    assert call_otto.summary == "I'll get it. I always get it."  # no synopsis: its first line
    assert [scene.title for scene in film.scenes] == ["The Hallway", "Kitchen"]
    assert film.genres == ("mystery", "drama") and film.year == 2024
    assert film.synopsis == "Mara comes home to a house that should be empty, and somebody knocks at the door."


def test_characters_from_notes_and_from_their_introduction_in_capitals(tmp_path):
    film = imported(tmp_path, "branching.fountain")
    assert list(film.characters) == ["mara", "otto", "ghost"]  # the cast notes first, then by first line
    assert film.characters["mara"].name == "Mara Vell"
    assert film.characters["mara"].description.startswith("A locksmith")
    assert film.characters["otto"].name == "Otto Brand"
    assert film.characters["otto"].description.startswith("Otto Brand, the neighbour, stands at the stove")
    assert film.characters["ghost"].name == "The Lodger"  # never speaks, but the ending's writer may use him


def test_tag_notes_replace_adjust_or_follow_their_beat(tmp_path):
    beats = {beat.text: beat.tags for beat in every_beat(imported(tmp_path, "branching.fountain"))}
    assert beats["Hello? I know someone's here."] == ("dialogue", "suspense")           # replace, inline
    assert beats["A kettle clicks off in the kitchen. Nobody is there."] == ("mystery",)  # +mystery, -quiet
    assert beats["Mara laughs, and then she cries, and then she sits down."] == ("humor", "dark")  # note after


@pytest.mark.parametrize("text, message", [
    ("INT. A - DAY\n\nHi. [[watch: tags: sad]]\n\nEXT. B - DAY\n\nBo.\n\nBO\nYo.\n", "'sad' is not a tag"),
    ("INT. A - DAY\n\nHi. [[watch: tags: -quiet]]\n\nEXT. B - DAY\n\nBO\nYo.\n", "leaves no tags"),
    ("INT. A - DAY [[watch: tags: dark]]\n\nHi.\n\nEXT. B\n\nBO\nYo.\n", "must be inside or just after the beat"),
    ("INT. A - DAY\n\nBO\nYo.\n\n[[watch: branch: Q? | Only one]]\n", "write the branch as"),
    ("INT. A - DAY\n\nBO\nYo.\n\n[[watch: branch: Q? | A | B]]\n\n# Ending: A\n\nAh.\n", "no '# Ending: B' section"),
    ("INT. A - DAY\n\nBO\nYo.\n\n[[watch: branch: Q? | A | B]]\n\n# Ending: C\n\nAh.\n", "no choice 'C'"),
    ("[[watch: branch: Q? | A | B]]\n\nINT. A - DAY\n\nBO\nYo.\n", "before any scene"),
    ("INT. A - DAY\n\nBO\nYo.\n\n# Ending: A\n\nAh.\n", "needs a [[watch: branch: ...]] note"),
    ("INT. A - DAY\n\nBO\nYo.\n\n[[watch: branch: Q? | " + "x" * 40 + " | B]]\n", "keep it under 40"),
    ("INT. A - DAY\n\nBO\nYo.\n\n[[watch: branch: Q? | A | B]]\n\n[[watch: branch: R? | C | D]]\n", "a second branch"),
    ("Title: Nothing\n\nJust action.\n\nJOE\nAnd talk.\n", "no scene headings"),
])
def test_broken_conventions_get_one_clear_line(text, message):
    with pytest.raises(ImportFailed) as caught:
        convert(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_every_beat_is_short_enough_for_the_caption_box():
    text = (FOUNTAIN / "long.fountain").read_text()
    conversion = convert(text)
    film = tomllib.loads(conversion.film_toml)
    beats = [beat["text"] for scene in film["scenes"] for beat in scene["beats"]]
    assert all(cell_len(beat) <= BEAT_CELLS for beat in beats)
    assert beats[0] == "The room is long. It is very long indeed. Somebody has painted it green, then blue, " \
                       "then green again. A clock ticks on the far wall."
    assert "Mr. Holloway, Dr. Prentiss and St. John all agree." in beats  # abbreviations don't end sentences
    assert any(beat.startswith("雨が降っている。雨が降っている。") for beat in beats)


def test_split_beats_keeps_every_word_in_order():
    text = " ".join(f"word{n}" for n in range(300)) + ". Short one. Another; with a clause, and more."
    pieces = split_beats(text)
    assert " ".join(pieces).split() == text.split()
    assert all(cell_len(piece) <= BEAT_CELLS for piece in pieces) and len(pieces) >= 3


# ── bad input, and what is written ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"  \n\n\t \n", "is empty"),
    (b"\xef\xbb\xbf\n", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "is a binary file"),
    ("INT. CAFÉ - DAY\n\nBO\nYo.\n".encode("latin-1"), "is not UTF-8 text (byte 0xc9"),
    ("INT. A - DAY\n\nBO\nYo.\n".encode("utf-16"), "is UTF-16 text"),
    (b"Title: Nothing\n\nJust action.\n", "no scene headings"),
])
def test_bad_files_get_a_one_line_error_and_nothing_is_written(tmp_path, content, message):
    source = tmp_path / "bad.fountain"
    source.write_bytes(content)
    into = tmp_path / "catalog"
    with pytest.raises(ImportFailed) as caught:
        import_fountain(source, into)
    assert message in str(caught.value) and "bad.fountain" in str(caught.value)
    assert "\n" not in str(caught.value) and isinstance(caught.value, WatchError)
    assert not into.exists()


def test_a_missing_file_or_a_folder_is_a_clear_error(tmp_path):
    for path, message in ((tmp_path / "nope.fountain", "no such file"), (tmp_path, "is a folder")):
        with pytest.raises(ImportFailed, match=message):
            import_fountain(path, tmp_path / "catalog")


def test_a_title_id_must_be_valid(tmp_path):
    with pytest.raises(ImportFailed, match="not a valid title id"):
        import_fountain(FOUNTAIN / "branching.fountain", tmp_path, title_id="Bad Id")


def test_importing_over_a_title_needs_force_and_force_replaces_it_whole(tmp_path):
    into = tmp_path / "catalog"
    first = import_fountain(FOUNTAIN / "branching.fountain", into, title_id="door")
    (first / "frames" / "stale.txt").write_text("left over from the old title")
    before = (first / "film.toml").read_text()
    with pytest.raises(TitleExists) as caught:
        import_fountain(FOUNTAIN / "untitled-draft.fountain", into, title_id="door")
    assert caught.value.path == first and "--force" in str(caught.value)
    assert (first / "film.toml").read_text() == before
    again = import_fountain(FOUNTAIN / "untitled-draft.fountain", into, title_id="door", force=True)
    assert again == first and load_title(again).title == "Untitled Draft"
    assert not (again / "frames" / "stale.txt").exists()
    assert sorted(p.name for p in into.iterdir()) == ["door"]  # no staging folder or old copy left behind


def test_a_failure_halfway_leaves_no_half_written_title(tmp_path, monkeypatch):
    into = tmp_path / "catalog"
    real_write = importer.atomic_write
    written = []

    def fail_on_third_file(path, payload):
        written.append(path)
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        return real_write(path, payload)

    monkeypatch.setattr(importer, "atomic_write", fail_on_third_file)
    with pytest.raises(ImportFailed, match="No space left on device"):
        import_fountain(FOUNTAIN / "branching.fountain", into)
    assert len(written) == 3  # it really stopped halfway
    assert list(into.iterdir()) == []


def test_a_failure_while_replacing_keeps_the_old_title(tmp_path, monkeypatch):
    into = tmp_path / "catalog"
    old = import_fountain(FOUNTAIN / "branching.fountain", into, title_id="door")
    before = (old / "film.toml").read_text()
    real_replace = os.replace
    calls = []

    def fail_second_move(source, target):
        if not Path(source).is_dir():
            return real_replace(source, target)  # a file written into place in the staging folder
        calls.append((source, target))
        if len(calls) == 2:  # the old title was moved aside; moving the new one in fails
            raise OSError(5, "Input/output error")
        return real_replace(source, target)

    monkeypatch.setattr(importer.os, "replace", fail_second_move)
    with pytest.raises(ImportFailed, match="nothing was changed"):
        import_fountain(FOUNTAIN / "untitled-draft.fountain", into, title_id="door", force=True)
    assert (old / "film.toml").read_text() == before
    assert sorted(p.name for p in into.iterdir()) == ["door"]


def test_a_title_that_would_not_validate_is_never_installed(tmp_path, monkeypatch):
    def reject_the_branch(checker, part):
        if "[branch]" in part:
            raise CatalogError(["film.toml: branch: something the importer got wrong"])

    monkeypatch.setattr(importer.TitleParts, "check", reject_the_branch)
    with pytest.raises(ImportFailed, match="does not validate"):
        import_fountain(FOUNTAIN / "branching.fountain", tmp_path / "catalog")
    assert list((tmp_path / "catalog").iterdir()) == []


def test_a_renderer_mistake_in_one_scene_is_caught_by_the_check_of_its_part(tmp_path, monkeypatch):
    render = importer.parts

    def with_a_stray_field(draft):
        for part in render(draft):
            yield part.replace("[[scenes.beats]]", "[[scenes.beats]]\nvolume = 11", 1)

    monkeypatch.setattr(importer, "parts", with_a_stray_field)
    with pytest.raises(ImportFailed, match=r"does not validate .*scenes\[0\]\.beats\[0\]\.volume"):
        import_fountain(FOUNTAIN / "branching.fountain", tmp_path / "catalog")
    assert list((tmp_path / "catalog").iterdir()) == []


def test_a_long_scene_is_written_and_checked_in_parts_that_make_the_same_title(tmp_path, monkeypatch):
    whole = import_title_and_text(tmp_path / "whole")
    checked, check = [], importer.TitleParts.check

    def recording(checker, part):
        checked.append(tomllib.loads(part))
        check(checker, part)

    monkeypatch.setattr(film_toml, "BEATS_PER_PART", 2)
    monkeypatch.setattr(importer.TitleParts, "check", recording)
    in_parts = import_title_and_text(tmp_path / "parts")
    more = [data["scenes"]["beats"] for data in checked if isinstance(data.get("scenes"), dict)]
    assert more and all(len(beats) <= 2 for beats in more)
    assert all(len(data["scenes"][0]["beats"]) <= 2 for data in checked if isinstance(data.get("scenes"), list))
    assert in_parts == whole  # the same file, the same scenes, beats and running time


def test_the_progress_of_writing_a_long_scene_in_parts_stays_in_order_and_under_one(tmp_path, monkeypatch):
    source = tmp_path / "long-scene.fountain"
    long_action = " ".join(f"She counts the bottles on shelf {number} and writes the number down." for number in
                           range(300))
    source.write_text(f"INT. CELLAR - NIGHT\n\n{long_action}\n\nMARA\nDone.\n\nEXT. YARD - DAWN\n\nShe leaves.\n",
                      encoding="utf-8")
    monkeypatch.setattr(film_toml, "BEATS_PER_PART", 1)
    fractions: list[float] = []
    importer.import_title(source, tmp_path / "catalog", progress=fractions.append)
    writing = [fraction for fraction in fractions if fraction > importer._BUILT]
    assert len(writing) >= 3 and fractions == sorted(fractions) and fractions[-1] == 1.0


@pytest.mark.parametrize("per_part", [1, 2, 256])
def test_the_count_of_film_toml_parts_is_the_number_written(monkeypatch, per_part):
    monkeypatch.setattr(film_toml, "BEATS_PER_PART", per_part)
    draft = convert((FOUNTAIN / "long.fountain").read_text(encoding="utf-8")).draft
    assert len(list(film_toml.parts(draft))) == film_toml.part_count(draft)


def import_title_and_text(into: Path):
    title = importer.import_title(FOUNTAIN / "long.fountain", into)
    return title._replace(path=None), (title.path / "film.toml").read_text(encoding="utf-8")


def test_a_renderer_mistake_in_a_later_part_of_a_scene_names_its_beat(tmp_path, monkeypatch):
    render = importer.parts

    def with_a_stray_field(draft):
        parts = list(render(draft))
        later = next(index for index, part in enumerate(parts) if part.startswith("\n[[scenes.beats]]"))
        parts[later] = parts[later].replace("[[scenes.beats]]", "[[scenes.beats]]\nvolume = 11", 1)
        yield from parts

    monkeypatch.setattr(film_toml, "BEATS_PER_PART", 2)
    monkeypatch.setattr(importer, "parts", with_a_stray_field)
    with pytest.raises(ImportFailed, match=r"does not validate .*scenes\[0\]\.beats\[2\]\.volume"):
        import_fountain(FOUNTAIN / "branching.fountain", tmp_path / "catalog")
    assert list((tmp_path / "catalog").iterdir()) == []


def test_a_catalog_scan_during_an_import_never_sees_the_unfinished_title(tmp_path, monkeypatch):
    into, scans, check = tmp_path / "catalog", [], importer.TitleParts.check

    def scan_then_check(checker, part):
        catalog = Catalog.load([into])  # what `watch list` would see at this moment
        scans.append((dict(catalog.films), dict(catalog.broken)))
        check(checker, part)

    monkeypatch.setattr(importer.TitleParts, "check", scan_then_check)
    import_fountain(FOUNTAIN / "branching.fountain", into)
    assert len(scans) > 2 and all(scan == ({}, {}) for scan in scans)


def test_an_imported_title_is_found_in_the_user_catalog(private_home):
    folder = import_fountain(FOUNTAIN / "branching.fountain", user_catalog(private_home))
    catalog = Catalog.load([user_catalog(private_home)])
    assert catalog.find("the door").path == folder and not catalog.broken


def test_an_imported_film_plays_to_its_branch_and_through_an_ending(tmp_path):
    film = imported(tmp_path, "branching.fountain")
    now, events = ManualTime(), []
    playback = Playback(film, viewer="ann", record=events.append, time_source=now)
    playback.start()
    now.advance(film.main_seconds + 1)
    assert playback.tick() == BRANCH
    ending = film.branch.endings[0]
    playback.choose(ending.id, ending.scenes, tags=ending.tags)
    now.advance(ending.seconds + 1)
    assert playback.tick() == FINISHED
    completed = [event["scene"] for event in events if event["kind"] == "complete"]
    assert completed == [scene.id for scene in film.scenes + ending.scenes]
    assert events[-1]["kind"] == "finish" and events[-1]["ending"] == "open-it"
