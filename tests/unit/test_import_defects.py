"""Defects seen importing real screenplays ("Any real screenplay plays well"): each is a case a real script had."""

from pathlib import Path

import pytest

from player.engine.base.errors import ImportFailed
from player.engine.catalog.films import load_title
from player.engine.ending import writer
from player.engine.ending.plan import OPENERS, make_plan
from player.engine.ending.prompt import story_prefix
from player.engine.importing.fountain import parse
from player.engine.importing.importer import convert, write_title
from player.engine.importing.names import place, title_case
from player.engine.playback.session import BRANCH, FINISHED, Playback
from tests.clocks import ManualTime
from tests.fakes.backend import FakeBackend
from tests.profiles import ACTION, ROMANCE


def film_of(tmp_path: Path, text: str, title_id: str = "script"):
    return load_title(write_title(convert(text, title_id=title_id), tmp_path))


def plays_to_the_end(film) -> None:
    """The film plays to its branch and through its first ending, as the player does."""
    now = ManualTime()
    playback = Playback(film, viewer="ann", record=lambda event: None, time_source=now)
    playback.start()
    now.advance(film.main_seconds + 1)
    assert playback.tick() == BRANCH
    ending = film.branch.endings[0]
    playback.choose(ending.id, ending.scenes, tags=ending.tags)
    now.advance(ending.seconds + 1)
    assert playback.tick() == FINISHED


# ── 1. short and silent screenplays ──────────────────────────────────────────────────────────────────────


def test_a_one_scene_short_imports_and_plays(tmp_path):
    film = film_of(tmp_path, "INT. DINER - NIGHT\n\nMARA\nCoffee.\n")
    written = film.branch.endings[0]
    assert written.label == "The ending as written"
    assert [beat.text for scene in written.scenes for beat in scene.beats] == ["Coffee."]
    assert [scene.title for scene in film.scenes] == ["Diner"]  # the heading plays before the branch
    plays_to_the_end(film)


def test_a_single_scene_is_split_before_its_last_part(tmp_path):
    film = film_of(tmp_path, "INT. DINER - NIGHT\n\nMara sits down.\n\nMARA\nCoffee.\n\nJOE\nSure.\n\n"
                             "Joe pours.\n\nMARA\nThanks.\n\nShe drinks it all.\n")
    main = [beat.text for scene in film.scenes for beat in scene.beats]
    written = [beat.text for scene in film.branch.endings[0].scenes for beat in scene.beats]
    assert main == ["Mara sits down.", "Coffee.", "Sure.", "Joe pours."]
    assert written == ["Thanks.", "She drinks it all."]
    assert "BEFORE THE END OF ITS SCENE" in film.branch.endings[1].scenes[0].beats[0].text


SILENT = """INT. DINER - NIGHT

A neon sign flickers. Rain runs down the glass.

EXT. ROAD - DAWN

A car drives away into the fog.
"""


def test_a_silent_film_imports_and_plays_with_no_characters(tmp_path):
    film = film_of(tmp_path, SILENT)
    assert film.characters == {}
    assert "The people in it" not in story_prefix(film)
    plays_to_the_end(film)


@pytest.mark.parametrize("profile", [ACTION, ROMANCE])
def test_a_silent_film_gets_a_personal_ending_written_from_action(tmp_path, profile):
    film = film_of(tmp_path, SILENT)
    plan = make_plan(film, profile, 3)
    assert plan.beats and all(beat.kind == "action" and beat.speaker is None for beat in plan.beats)
    assert all(beat.opener[:1].isupper() and "{" not in beat.opener for beat in plan.beats)
    result = writer.write(film, plan, FakeBackend())
    assert len(result.beats) == len(plan.beats)


# ── 2. emphasis across a line break; forced action that looks like a transition ─────────────────────────────


@pytest.mark.parametrize("written, shown", [
    ("*Sometimes a girl can feel so alone\nthat she wants to tear off his clothes.*",
     "Sometimes a girl can feel so alone\nthat she wants to tear off his clothes."),
    ("**Note: the rhythms are yours\nto change as you wish.**", "Note: the rhythms are yours\nto change as you wish."),
    ("It's *\"every character\nhas someone or something\".*", "It's \"every character\nhas someone or something\"."),
])
def test_emphasis_running_across_lines_of_action_is_removed(written, shown):
    action = [e for e in parse(f"INT. A - DAY\n\n{written}\n").elements if e.kind == "action"]
    assert [e.text for e in action] == [shown]


def test_emphasis_running_across_lines_of_a_speech_is_removed():
    speech = [e for e in parse("INT. A - DAY\n\nBEA\n*I never\nsaid that.*\n").elements if e.kind == "dialogue"]
    assert speech[0].text == "I never said that."


def test_forced_action_that_looks_like_a_transition_is_action_without_its_mark():
    elements = parse("INT. A - DAY\n\n!FLASH TO:\n\n!!WIDE SHOT OF THE HIVE\n").elements
    assert [(e.kind, e.text) for e in elements[1:]] == [("action", "FLASH TO:"), ("action", "WIDE SHOT OF THE HIVE")]


# ── 3. speaker names and the surname guess ────────────────────────────────────────────────────────────────


def test_names_in_a_list_are_not_surnames(tmp_path):
    film = film_of(tmp_path, "INT. CAVE - NIGHT\n\nThree weirdos, CHALF, NAR, and YOR, squat by the fire.\n\n"
                             "CHALF\nMeat.\n\nNAR\nMore meat.\n\nEXT. CAVE - DAWN\n\nYOR\nNo meat.\n")
    assert {key: c.name for key, c in film.characters.items()} == {"chalf": "Chalf", "nar": "Nar", "yor": "Yor"}


def test_a_title_after_a_comma_is_not_a_surname(tmp_path):
    film = film_of(tmp_path, "INT. OFFICE - DAY\n\nGAVIN BELSON, CIO (Chief Innovation Officer), strides in.\n\n"
                             "GAVIN BELSON\nHello.\n\nINT. HALL - DAY\n\nGAVIN BELSON\nBye.\n")
    assert film.characters["gavin-belson"].name == "Gavin Belson"


def test_another_speakers_cue_is_not_a_surname(tmp_path):
    film = film_of(tmp_path, "INT. CAVE - NIGHT\n\nCHALF NAR and YOR squat by the fire.\n\nCHALF\nMeat.\n\n"
                             "NAR\nMore meat.\n\nEXT. CAVE - DAWN\n\nYOR\nNo meat.\n")
    assert film.characters["chalf"].name == "Chalf"


# ── 4. scripts without case ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("paragraph", ["雨が降っている。\n男が走ってくる。", "הגשם יורד.\nאיש רץ ברחוב.",
                                       "المطر يهطل.\nرجل يركض."])
def test_a_caseless_action_paragraph_is_action_and_only_the_at_sign_makes_a_cue(paragraph):
    elements = parse(f"INT. A - DAY\n\n{paragraph}\n\n@{paragraph}\n").elements
    assert [(e.kind, e.character, e.text) for e in elements[1:]] == [
        ("action", "", paragraph), ("dialogue", paragraph.split("\n")[0], paragraph.split("\n")[1])]


# ── 5. lesser defects ───────────────────────────────────────────────────────────────────────────────────


def test_a_parenthetical_over_two_lines_is_not_spoken():
    speech = parse("INT. A - DAY\n\nMARGOT\n(peering at him through\nthe magnifier)\nHello Mister Alistair.\n"
                   ).elements[1].speech
    assert [(s.parenthetical, s.text) for s in speech] == [("peering at him through the magnifier",
                                                            "Hello Mister Alistair.")]


def test_words_after_a_parenthetical_on_its_line_are_spoken():
    speech = parse("INT. A - DAY\n\nMARGOT\n(quietly) Hello.\n").elements[1].speech
    assert [(s.parenthetical, s.text) for s in speech] == [("quietly", "Hello.")]


def test_a_scene_is_titled_by_its_place_wherever_the_time_sits():
    headings = ["INT. FORD - MORNING - CONTINUOUS", "INT. LIBRARY--DAY", "INT. DINER - NIGHT - LATER",
                "EXT. RED MESA - COMPANY STORE - DAWN"]
    assert [place(heading) for heading in headings] == [
        ("Ford", "Ford, morning, continuous"), ("Library", "Library, day"), ("Diner", "Diner, night, later"),
        ("Company Store", "Red Mesa, Company Store, dawn")]


MAIN = "INT. A - DAY\n\nBO sits.\n\nBO\nYo.\n\nEXT. B - DAY\n\nBo waves.\n\nBO\nBye.\n"


def test_ordinary_writer_notes_are_not_instructions_but_valid_old_form_notes_are(tmp_path):
    film = film_of(tmp_path, MAIN.replace("Yo.", "Yo. [[Tags: fix this later]]")
                   + "\n[[Character: she needs more depth here]]\n")
    assert list(film.characters) == ["bo"]
    assert film.scenes[0].beats[1].tags == ("dialogue",)
    film = film_of(tmp_path, MAIN.replace("Yo.", "Yo. [[tags: +humor]]") + "\n[[branch: Stay? | Stay | Go]]\n\n"
                   "# Ending: Stay\n\nINT. C - DAY\n\nBo stays.\n\n# Ending: Go\n\nEXT. D - DAY\n\nBo goes.\n", "old")
    assert film.scenes[0].beats[1].tags == ("dialogue", "humor")
    assert [ending.label for ending in film.branch.endings] == ["Stay", "Go"]


def test_watch_notes_are_instructions_and_their_mistakes_are_errors(tmp_path):
    film = film_of(tmp_path, MAIN.replace("Yo.", "Yo. [[watch: tags: +humor]]")
                   + "\n[[watch: character: ZED | Zed Marsh | the landlord]]\n")
    assert film.scenes[0].beats[1].tags == ("dialogue", "humor")
    assert film.characters["zed"].name == "Zed Marsh"
    for note, message in (("[[watch: tags: fix this later]]", "'fix' is not a tag"),
                          ("[[watch: nonsense here]]", "is not an instruction")):
        with pytest.raises(ImportFailed, match=message):
            convert(MAIN.replace("Yo.", f"Yo. {note}"))


def test_plain_scenes_after_a_branch_note_are_the_screenplays_own_ending(tmp_path):
    film = film_of(tmp_path, MAIN + "\n[[watch: branch: Does Bo leave? | Leave | Stay]]\n\n"
                                    "EXT. ROAD - NIGHT\n\nBo walks off.\n\nINT. C - NIGHT\n\nBO\nHome.\n")
    assert film.branch.question == "Does Bo leave?"
    assert [scene.title for scene in film.scenes] == ["A", "B"]
    written = film.branch.endings[0]
    assert written.label == "The ending as written" and [s.title for s in written.scenes] == ["Road", "C"]
    plays_to_the_end(film)


def test_centred_text_and_song_lines_stay_lines_of_their_own(tmp_path):
    film = film_of(tmp_path, MAIN + "\n>THE END<\n>OF PART ONE<\n\n~Row, row, row your boat\n~gently down the stream\n")
    written = [beat.text for scene in film.branch.endings[0].scenes for beat in scene.beats]
    assert written[-4:] == ["THE END", "OF PART ONE", "♪ Row, row, row your boat ♪", "♪ gently down the stream ♪"]


def test_a_banner_between_equals_signs_is_a_title_card_without_them():
    elements = parse("INT. A - DAY\n\n== 2 - தமிழகம் ==\n\n===\n\nBo waits.\n").elements
    assert [(e.kind, e.text) for e in elements[1:]] == [("centered", "2 - தமிழகம்"), ("action", "Bo waits.")]


def test_a_genre_is_guessed_only_on_real_evidence(tmp_path):
    talk = "".join(f"INT. ROOM {n} - DAY\n\nAnn sits with Bo.\n\nANN\nHow was the day?\n\nBO\nLong.\n\n"
                   for n in range(6))
    assert film_of(tmp_path, talk + "EXT. YARD - DAY\n\nBo runs to the gate.\n").genres == ("drama",)
    jokes = "".join(f"INT. ROOM {n} - DAY\n\nAnn laughs and giggles at the joke.\n\nBO\nStill funny.\n\n"
                    for n in range(6))
    assert film_of(tmp_path, jokes, "jokes").genres == ("comedy",)


def test_the_generated_synopsis_names_the_main_few(tmp_path):
    cast = ["ANN", "BO", "CY", "DEE", "ED", "FLO"]
    lines = "".join(f"{cue}\nLine {n}.\n\n" for n, cue in enumerate(cast) for _ in range(len(cast) - n))
    film = film_of(tmp_path, f"INT. A - DAY\n\nThey wait.\n\n{lines}EXT. B - DAY\n\nANN\nBye.\n")
    assert "with Ann, Bo, Cy and others." in film.synopsis and "Dee" not in film.synopsis


def test_abbreviations_keep_their_capitals():
    shouted = ["P.A. SYSTEM", "SNIPER SCOPE POV", "THE FBI'S TV ROOM", "GAVIN BELSON CIO", "HENRY VIII",
               "MR. SMITH'S CAR", '"ASCENT TO GURU PEAK"']
    assert [title_case(text) for text in shouted] == ["P.A. System", "Sniper Scope POV", "The FBI's TV Room",
                                                      "Gavin Belson CIO", "Henry VIII", "Mr. Smith's Car",
                                                      '"Ascent to Guru Peak"']


def test_without_a_date_the_year_is_unknown(tmp_path):
    assert film_of(tmp_path, MAIN).year == 0
    assert film_of(tmp_path, "Title: Dated\nDraft date: 3 May 1998\n\n" + MAIN, "dated").year == 1998


# ── 6. songs set apart by tildes ────────────────────────────────────────────────────────────────────────


def test_a_line_of_tildes_sets_a_song_apart_and_shows_nothing():
    elements = parse("INT. A - DAY\n\n~~~\n\n~Buzz, the hive hums\n\n~~~\n\nBo waits.\n").elements
    assert [(e.kind, e.text) for e in elements[1:]] == [("lyrics", "Buzz, the hive hums"), ("action", "Bo waits.")]


def test_a_line_of_tildes_inside_a_song_is_not_a_line_of_it(tmp_path):
    film = film_of(tmp_path, MAIN + "\n~~~\n~Row, row, row your boat\n~~~\n")
    written = [beat.text for scene in film.branch.endings[0].scenes for beat in scene.beats]
    assert written[-1] == "♪ Row, row, row your boat ♪" and "♪ ~~ ♪" not in written


def test_a_closing_tilde_ends_a_song_line_and_is_not_shown(tmp_path):
    film = film_of(tmp_path, MAIN + "\n~Buzz buzz buzz, the hive still hums~\n~Under a thousand suns~\n")
    written = [beat.text for scene in film.branch.endings[0].scenes for beat in scene.beats]
    assert written[-2:] == ["♪ Buzz buzz buzz, the hive still hums ♪", "♪ Under a thousand suns ♪"]


def test_a_sung_line_in_a_speech_loses_its_closing_tilde_and_a_line_of_tildes():
    speech = parse("INT. A - DAY\n\nBO\n~~~\n~La la la~\n").elements[1]
    assert speech.kind == "dialogue" and speech.text == "♪ La la la ♪"


def test_a_note_on_a_line_of_tildes_is_kept():
    elements = parse("INT. A - DAY\n\n~~~ [[watch: title: The Song]]\n\nBo waits.\n").elements
    assert [(e.kind, e.text) for e in elements[1:]] == [("note", "watch: title: The Song"), ("action", "Bo waits.")]


INTRODUCED = """INT. HALL - DAY

NOB, 42, white, male, stands at a pulpit.

NOB
And then, fire.

EXT. STEPS - NIGHT

He leaves.
"""


def test_a_description_that_starts_with_the_name_is_listed_once_in_the_prompt(tmp_path):
    film = film_of(tmp_path, INTRODUCED)
    assert film.characters["nob"].description.startswith("Nob, 42")
    people = story_prefix(film).split("The people in it:\n")[1].split("\n")[0]
    assert people == "Nob, 42, white, male, stands at a pulpit."  # not "Nob: Nob, 42, ...", a line he seems to say


@pytest.mark.parametrize("profile", [ACTION, ROMANCE])
def test_a_film_with_one_person_never_plans_a_beat_for_two(tmp_path, profile):
    film = film_of(tmp_path, INTRODUCED)
    two = {template.format(a="Nob", b="Nob") for lists in OPENERS.values() for kinds in lists.values()
           for template in kinds if "{b}" in template}
    two |= {opener[:1].upper() + opener[1:] for opener in two}
    openers = [beat.opener for seed in range(40) for beat in make_plan(film, profile, seed).beats]
    assert openers and not two & set(openers)  # "Nob kisses Nob, and", "Now, Nob, " said by Nob
