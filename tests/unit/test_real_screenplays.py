"""Real public screenplays (tests/fixtures/screenplays, sources and licences in its README.md) import and play,
and nothing of their Fountain syntax reaches the screen; the CLI's answers to files it cannot import; and how a
screenplay without a date (year 0, unknown) is listed."""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from player.cli import run
from player.engine.catalog.films import Catalog, Film, load_title
from player.engine.importing import importer
from player.engine.importing.importer import import_fountain
from player.engine.playback.session import BRANCH, FINISHED, Playback
from tests.clocks import ManualTime

SCREENPLAYS = Path(__file__).parent.parent / "fixtures" / "screenplays"
FIXTURES = sorted(SCREENPLAYS.glob("*.fountain"))

# Fountain markup that must never be left in what a viewer sees
_ANYWHERE = [("*", re.compile(r"\*")), ("_underline_", re.compile(r"(?<!\w)_(?=\S)[^_]*(?<=\S)_(?!\w)")),
             ("[[", re.compile(r"\[\[")), ("]]", re.compile(r"\]\]")), ("/*", re.compile(r"/\*"))]
_LEADING = ("!", "@", "~", "^", ">")


def leftover_syntax(text: str) -> list[str]:
    """The Fountain markers left in one piece of text shown to the viewer."""
    found = [name for name, pattern in _ANYWHERE if pattern.search(text)]
    for line in text.splitlines() or [""]:
        shown = line.strip().removeprefix("♪").removesuffix("♪").strip()  # lyrics are shown between ♪ marks
        if shown.startswith(_LEADING):
            found.append(f"leading {shown[0]}")
        if shown.endswith("~"):
            found.append("lyrics ~")
        if shown.endswith(" ^"):
            found.append("dual-dialogue ^")
    return found


def shown_texts(film: Film) -> list[tuple[str, str]]:
    """(where, text) for everything of the film the viewer reads: its title and synopsis, character names,
    scene titles and places, every beat (dialogue, action, caption) and parenthetical, the branch question,
    each ending's label and summary, and the storyboard frames."""
    texts = [("title", film.title), ("synopsis", film.synopsis)]
    texts += [(f"character {key}", character.name) for key, character in film.characters.items()]
    texts.append(("branch question", film.branch.question))
    parts = [("main", film.scenes)]
    for ending in film.branch.endings:
        texts += [(f"ending {ending.id} label", ending.label), (f"ending {ending.id} summary", ending.summary)]
        parts.append((f"ending {ending.id}", ending.scenes))
    for part, scenes in parts:
        for scene in scenes:
            where = f"{part} scene {scene.id}"
            texts += [(f"{where} title", scene.title), (f"{where} place", scene.place)]
            for number, beat in enumerate(scene.beats):
                texts.append((f"{where} beat {number} ({beat.kind})", beat.text))
                if beat.parenthetical:
                    texts.append((f"{where} beat {number} parenthetical", beat.parenthetical))
    return texts


def frames_of(film: Film) -> list[tuple[str, str]]:
    scenes = list(film.scenes) + [scene for ending in film.branch.endings for scene in ending.scenes]
    return [(f"frame of {scene.id}", scene.storyboard) for scene in scenes]


def leftovers(film: Film) -> list[str]:
    problems = [f"{where}: {', '.join(found)} in {text[:70]!r}" for where, text in shown_texts(film)
                if (found := leftover_syntax(text))]
    for where, art in frames_of(film):  # a card is boxed and padded: only the markers that can be anywhere
        found = [name for name, pattern in _ANYWHERE if pattern.search(art)]
        problems += [f"{where}: {', '.join(found)}"] if found else []
    return problems


def imported(tmp_path: Path, path: Path) -> Film:
    return load_title(import_fountain(path, tmp_path / "catalog", title_id="script"))


def play_through(film: Film, ending_id: str) -> list[dict]:
    """Play the film to its branch on a fake clock, choose the ending, and play it to its end."""
    now, events = ManualTime(), []
    playback = Playback(film, viewer="ann", record=events.append, time_source=now)
    playback.start()
    now.advance(film.main_seconds + 1)
    assert playback.tick() == BRANCH
    ending = film.branch.ending(ending_id)
    playback.choose(ending.id, ending.scenes, tags=ending.tags)
    now.advance(ending.seconds + 1)
    assert playback.tick() == FINISHED
    playback.quit()
    return events


def test_there_are_at_least_ten_real_screenplays_each_listed_with_its_source_and_licence():
    readme = (SCREENPLAYS / "README.md").read_text(encoding="utf-8")
    assert len(FIXTURES) >= 10
    for path in FIXTURES:
        assert f"`{path.name}`" in readme, path.name
    assert sum(path.stat().st_size for path in SCREENPLAYS.iterdir()) < 3_000_000


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_a_real_screenplay_imports_and_plays_to_the_branch_and_through_every_ending(tmp_path, path):
    film = imported(tmp_path, path)
    catalog = Catalog.load([tmp_path / "catalog"])
    assert catalog.films["script"].title == film.title and not catalog.broken  # what `watch check` checks
    assert film.scenes and all(scene.beats for scene in film.scenes)
    for ending in film.branch.endings:
        events = play_through(film, ending.id)
        completed = [event["scene"] for event in events if event["kind"] == "complete"]
        assert completed == [scene.id for scene in film.scenes + ending.scenes]
        assert [event["kind"] for event in events][-2:] == ["finish", "end"]


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_no_fountain_syntax_is_left_in_anything_a_real_screenplay_shows(tmp_path, path):
    assert leftovers(imported(tmp_path, path)) == []


@pytest.mark.parametrize("text", ["*bold*", "**Note: adapt this.**", "She walks in _slowly_.", "_Quiet._ Or out.",
                                  "[[a note]] left", "text ]] after", "/* boneyard", "!FORCED ACTION",
                                  "@McCLANE", "~la la la", "^", "> FADE OUT.", "♪ ~sung ♪", "♪ the hive still hums~ ♪", "MARY ^",
                                  "first line\n> second"])
def test_the_checker_flags_each_kind_of_leftover_syntax(text):
    assert leftover_syntax(text)


@pytest.mark.parametrize("text", ["A snake_case_name and file_name.", "He says: 'fine' -- and leaves.",
                                  "♪ la la la ♪", "5 > 3, and 2 < 4.", "Mr. Smith (V.O.)", "Wait... what?",
                                  "She asks, \"why?\"", "Rock 'n' roll!"])
def test_the_checker_leaves_ordinary_text_alone(text):
    assert leftover_syntax(text) == []


@pytest.mark.parametrize("plant", ["beat", "caption", "scene title", "ending label", "character name", "frame"])
def test_the_walker_finds_a_planted_leftover_wherever_it_is(tmp_path, plant):
    film = imported(tmp_path, SCREENPLAYS / "brick_and_steel.fountain")
    before = leftovers(film)
    scene = film.scenes[0]
    if plant == "beat":
        scene = replace(scene, beats=(replace(scene.beats[0], text="He *really* means it."),) + scene.beats[1:])
    elif plant == "caption":
        scene = replace(scene, beats=scene.beats + (replace(scene.beats[0], kind="caption", text="> CUT TO:"),))
    elif plant == "scene title":
        scene = replace(scene, title="[[title: Patio]]")
    elif plant == "frame":
        scene = replace(scene, storyboard=scene.storyboard + "\n/* cut */")
    film = replace(film, scenes=(scene,) + film.scenes[1:])
    if plant == "ending label":
        ending = replace(film.branch.endings[0], label="_Stop_")
        film = replace(film, branch=replace(film.branch, endings=(ending,) + film.branch.endings[1:]))
    elif plant == "character name":
        key, character = next(iter(film.characters.items()))
        film = replace(film, characters={**film.characters, key: replace(character, name="@Brick")})
    assert len(leftovers(film)) == len(before) + 1


# ── the CLI: files it cannot import, and what it says about those it can ──────────────────────────────────

def watch(*args: str, capsys) -> tuple[int, str, str]:
    status = run(list(args))
    out, err = capsys.readouterr()
    return status, out, err


FDX = """<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="5">
  <Content>
    <Paragraph Type="Scene Heading"><Text>INT. KITCHEN - NIGHT</Text></Paragraph>
    <Paragraph Type="Action"><Text>Mara waits.</Text></Paragraph>
    <Paragraph Type="Character"><Text>MARA</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>Well?</Text></Paragraph>
  </Content>
</FinalDraft>
"""


def test_a_final_draft_file_is_named_as_such_with_how_to_export_fountain(tmp_path, capsys):
    fdx = tmp_path / "script.fdx"
    fdx.write_text(FDX, encoding="utf-8")
    status, out, err = watch("import", str(fdx), "--into", str(tmp_path / "catalog"), capsys=capsys)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "Final Draft" in err and "File > Export > Fountain" in err and "scene heading" not in err
    assert not (tmp_path / "catalog").exists()


def test_a_file_over_the_limit_is_refused_at_once_without_being_read(tmp_path, capsys, monkeypatch):
    huge = tmp_path / "huge.fountain"
    with open(huge, "wb") as file:  # sparse: no disk is used
        file.truncate(importer.MAX_SCREENPLAY_BYTES + 1)
    status, out, err = watch("import", str(huge), "--into", str(tmp_path / "catalog"), capsys=capsys)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "over 20 MB" in err
    assert importer.MAX_SCREENPLAY_BYTES == 20_000_000  # the limit docs/catalog-format.md gives
    assert "over 20 MB" in (Path(__file__).parents[2] / "docs" / "catalog-format.md").read_text(encoding="utf-8")


def test_a_stream_longer_than_the_limit_is_refused_after_reading_no_more_than_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_SCREENPLAY_BYTES", 1000)
    fifo = tmp_path / "stream.fountain"
    os.mkfifo(fifo)  # a stream has no size to look at first
    written = []

    def write() -> None:
        try:
            with open(fifo, "wb") as stream:
                for _ in range(100_000):
                    written.append(stream.write(b"INT. A - DAY\n\n"))
                    stream.flush()
        except BrokenPipeError:
            pass  # the reader has had enough

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    with pytest.raises(importer.ImportFailed, match="over 0.001 MB"):
        importer.read_screenplay(fifo)
    writer.join(5)
    assert sum(written) < 100_000 * 14  # the reader stopped long before the end


def test_the_import_line_says_1_scene_not_1_scenes(tmp_path, capsys):
    status, out, _ = watch("import", str(SCREENPLAYS / "as_i_am_a_cat_i_eat_mice.fountain"), "--into",
                           str(tmp_path / "catalog"), capsys=capsys)
    film = Catalog.load([tmp_path / "catalog"]).films["yargo-falb-maiswith"]
    assert status == 0 and len(film.scenes) == 1
    assert ": 1 scene, " in out and "1 scenes" not in out and "2 authored endings" in out


class _AtOnce(threading.Timer):
    """A timer whose second has already passed: the import below is short, but counts as a long one."""

    def __init__(self, interval, function, *args, **kwargs):
        super().__init__(0.0, function, *args, **kwargs)

    def start(self) -> None:
        super().start()
        self.join()


@pytest.mark.parametrize("terminal", [True, False])
def test_a_long_import_shows_a_progress_bar_on_a_terminal_only(tmp_path, capsys, monkeypatch, terminal):
    monkeypatch.setenv("TTY_COMPATIBLE", "1" if terminal else "0")  # what rich takes stderr to be
    monkeypatch.setattr(threading, "Timer", _AtOnce)
    status, out, err = watch("import", str(SCREENPLAYS / "bee_detective.fountain"), "--into",
                             str(tmp_path / "catalog"), capsys=capsys)
    assert status == 0 and out.startswith("Imported ")
    assert ("Importing bee_detective.fountain" in err) is terminal
    assert ("100%" in err) is terminal


def test_the_importer_reports_its_progress_as_it_goes(tmp_path):
    fractions: list[float] = []
    import_fountain(SCREENPLAYS / "bee_detective.fountain", tmp_path, progress=fractions.append)
    assert len(fractions) >= 5 and fractions == sorted(fractions)
    assert 0 < fractions[0] <= 0.2 and fractions[-1] == 1.0
    assert any(0.1 < fraction < 0.35 for fraction in fractions)  # while beats are split and tagged
    assert any(0.45 < fraction < 0.8 for fraction in fractions)  # while frames are written


UNDATED = "Title: No Date\n\nINT. DINER - NIGHT\n\nMara sits.\n\nMARA\nCoffee.\n\nEXT. ROAD - DAWN\n\nShe leaves.\n"


def test_a_title_without_a_known_year_lists_no_year_and_null_in_json(tmp_path, capsys):
    source = tmp_path / "undated.fountain"
    source.write_text(UNDATED, encoding="utf-8")
    catalog = tmp_path / "catalog"
    assert watch("import", str(source), "--into", str(catalog), capsys=capsys)[0] == 0
    assert load_title(catalog / "no-date").year == 0
    status, out, _ = watch("list", "--catalog", str(catalog), capsys=capsys)
    row = next(line for line in out.splitlines() if line.split()[:1] == ["no-date"])
    assert status == 0 and row.split()[:4] == ["no-date", "No", "Date", "—"]
    status, out, _ = watch("list", "--json", "--catalog", str(catalog), capsys=capsys)
    assert status == 0 and next(item for item in json.loads(out) if item["id"] == "no-date")["year"] is None
    status, out, _ = watch("check", str(catalog / "no-date"), capsys=capsys)
    assert status == 0 and out.startswith("no-date: ok: 1 scene, main ")  # `check` shows no year


async def test_the_catalog_shows_a_dash_for_a_title_without_a_known_year(tmp_path, private_home):
    from player.engine.base.locations import user_catalog
    from tests.app.helpers import build

    source = tmp_path / "undated.fountain"
    source.write_text(UNDATED, encoding="utf-8")
    import_fountain(source, user_catalog(private_home))
    app = build(private_home, None)
    async with app.run_test(size=(80, 24)):
        table = app.screen.query_one("#titles")
        rows = {str(table.get_row_at(index)[0]): table.get_row_at(index) for index in range(table.row_count)}
        assert str(rows["No Date"][1]) == "—" and str(rows["Tiny Test Film"][1]) != "—"
