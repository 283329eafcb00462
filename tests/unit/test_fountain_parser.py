"""The Fountain parser: every element of the spec, and the syntax that must never reach a beat."""

from pathlib import Path

import pytest

from player.engine.importing.fountain import Speech, parse, plain

FOUNTAIN = Path(__file__).parent.parent / "fixtures" / "fountain"


def kinds(text: str) -> list[tuple[str, str]]:
    return [(element.kind, element.text) for element in parse(text).elements]


def only(text: str, kind: str):
    found = [element for element in parse(text).elements if element.kind == kind]
    assert len(found) == 1, found
    return found[0]


def test_title_page_values_continue_on_indented_lines_and_lose_their_markup():
    page = parse((FOUNTAIN / "elements.fountain").read_text()).title_page
    assert page["title"] == "THE BRASS KEY\na kitchen drama"
    assert page["author"] == "Zoë Ångström\nand Ray Quist"
    assert page["source"] == "Based on a story\ntold at a wedding"
    assert page["contact"] == "1 Long Road\nElsewhere"
    assert page["draft date"] == "3 March 2019"


def test_title_page_continuation_indented_with_spaces_and_a_key_after_it():
    page = parse("Title: X\nAuthor: Ann\n    and Bo\nDraft date: 2020\n\nINT. A - DAY\n\nHi.\n").title_page
    assert page == {"title": "X", "author": "Ann\nand Bo", "draft date": "2020"}


def test_a_first_paragraph_that_is_not_a_title_page_is_kept_as_action():
    screenplay = parse("Sunrise: the farm wakes.\n\nINT. BARN - DAY\n\nCows.\n")
    assert screenplay.title_page == {}
    assert screenplay.elements[0].kind == "action" and screenplay.elements[0].text == "Sunrise: the farm wakes."


@pytest.mark.parametrize("line, heading", [
    ("INT. KITCHEN - NIGHT", "INT. KITCHEN - NIGHT"),
    ("EXT. GARDEN - DAY #12A#", "EXT. GARDEN - DAY"),
    ("INT./EXT. CAR - MOVING", "INT./EXT. CAR - MOVING"),
    ("I/E VAN - DAY", "I/E VAN - DAY"),
    ("EST. TOWER - DUSK", "EST. TOWER - DUSK"),
    ("int. lower case - day", "int. lower case - day"),
    (".THE DREAM", "THE DREAM"),
    (".ÉGLISE - NUIT", "ÉGLISE - NUIT"),
])
def test_scene_headings_and_forced_headings(line, heading):
    assert kinds(f"{line}\n\nSomething.\n")[0] == ("heading", heading)


def test_an_ellipsis_or_a_word_is_not_a_heading():
    assert kinds("INT. A - DAY\n\n...and then.\n\nINTERIOR decorating.\n")[1:] == [
        ("action", "...and then."), ("action", "INTERIOR decorating.")]


def test_action_written_straight_under_its_heading():
    assert kinds("INT. A - DAY\nShe waits.\n") == [("heading", "INT. A - DAY"), ("action", "She waits.")]


def test_dialogue_with_extensions_parentheticals_and_a_forced_blank_line():
    element = only("INT. A - DAY\n\nJOE (V.O.) (CONT'D)\n(quietly)\nIt is late.\n(beat)\nVery.\n  \nStill Joe.\n",
                   "dialogue")
    assert element.character == "JOE" and element.extensions == ("V.O.", "CONT'D")
    assert element.speech == (Speech("It is late.", "quietly"), Speech("Very.", "beat"), Speech("Still Joe."))


def test_a_parenthetical_after_the_last_line_follows_that_line():
    element = only("INT. A - DAY\n\nANA\nFine.\n(shrugs)\n", "dialogue")
    assert element.speech == (Speech("Fine. (shrugs)"),)


@pytest.mark.parametrize("cue, name", [("ZOË", "ZOË"), ("RENÉ (O.S.)", "RENÉ"), ("ÉMILE", "ÉMILE"),
                                       ("@McCLANE", "McCLANE"), ("@van der Berg", "van der Berg"),
                                       ("MARY ^", "MARY"), ("R2D2", "R2D2"), ("MR. HOLLOWAY", "MR. HOLLOWAY")])
def test_character_cues_in_any_alphabet_forced_and_dual(cue, name):
    assert only(f"INT. A - DAY\n\n{cue}\nHello.\n", "dialogue").character == name


def test_mixed_case_or_shouted_lines_are_not_cues():
    assert [k for k, _ in kinds("INT. A - DAY\n\nJoe\nHello.\n\nBANG!\nThe door flies open.\n")[1:]] == \
        ["action", "action"]


def test_dual_dialogue_gives_both_speeches_in_order():
    found = [e.character for e in parse("INT. A - DAY\n\nJOE\nNo.\n\nMARY ^\nYes.\n").elements if e.character]
    assert found == ["JOE", "MARY"]


def test_forced_action_transition_centered_and_lyrics():
    text = "INT. A - DAY\n\n!LOUD NOISES.\nMore.\n\n>SMASH TO BLACK.\n\nCUT TO:\n\nFADE OUT.\n\n> THE END <\n\n" \
           "~Sing it\n~again\n"
    assert kinds(text)[1:] == [("action", "LOUD NOISES.\nMore."), ("transition", "SMASH TO BLACK."),
                               ("transition", "CUT TO:"), ("transition", "FADE OUT."), ("centered", "THE END"),
                               ("lyrics", "Sing it\nagain")]


def test_lyrics_inside_a_speech_are_sung():
    assert only("INT. A - DAY\n\nBEA\n~La la la\n", "dialogue").text == "♪ La la la ♪"


@pytest.mark.parametrize("marked, clean", [
    ("*italic* and **bold** and ***both***", "italic and bold and both"),
    ("_underlined_ words", "underlined words"),
    ("5 \\* 3 and \\_literal\\_", "5 * 3 and _literal_"),
    ("snake_case_name and 2 * 3 * 4", "snake_case_name and 2 * 3 * 4"),
    ("a backslash \\\\ stays", "a backslash \\ stays"),
])
def test_emphasis_markup_is_removed_and_escapes_kept(marked, clean):
    assert plain(marked) == clean


def test_notes_are_cut_out_and_kept_on_their_element():
    elements = parse("INT. A - DAY\n\nShe [[a note]] waits.\n[[tags: quiet]]\n\n[[on its own]]\n").elements
    assert [(e.kind, e.text, e.notes) for e in elements[1:]] == [
        ("action", "She waits.", ("a note", "tags: quiet")), ("note", "on its own", ("on its own",))]


def test_a_note_spanning_a_blank_line_or_left_open_does_not_leak():
    text = "INT. A - DAY\n\n[[A long\n\nnote]]\n\nAfter.\n\nBefore [[never closed\nstill note\n\nNext.\n"
    assert kinds(text)[1:] == [("note", "A long note"), ("action", "After."), ("action", "Before"),
                               ("action", "Next.")]


def test_a_note_line_inside_a_speech_does_not_split_it():
    element = only("INT. A - DAY\n\nJOE\nOne.\n[[tags: humor]]\nTwo.\n", "dialogue")
    assert element.text == "One. Two." and element.notes == ("tags: humor",)


def test_boneyard_vanishes_inline_across_lines_and_when_left_open():
    text = "INT. A - DAY\n\nA door /* cut\n\nthis */ opens.\n\nJOE\nHi.\n/* cut line */\nBye.\n\nEnd. /* open"
    assert kinds(text)[1:] == [("action", "A door\nopens."), ("dialogue", "Hi. Bye."), ("action", "End.")]


def test_sections_synopses_and_page_breaks():
    text = "# Act One\n## Sequence\n= A synopsis.\n\nINT. A - DAY\n\n===\n\nAction.\n"
    assert kinds(text) == [("section", "Act One"), ("section", "Sequence"), ("synopsis", "A synopsis."),
                           ("heading", "INT. A - DAY"), ("action", "Action.")]
    assert [e.level for e in parse(text).elements[:2]] == [1, 2]


def test_line_endings_bom_tabs_and_control_characters_are_normalised():
    text = "\ufeffTitle: Crlf\r\n\r\nINT. A - DAY\r\n\r\nTab\there,\x1b[31m no escape.\r\n"
    screenplay = parse(text)
    assert screenplay.title_page == {"title": "Crlf"}
    assert screenplay.elements[-1].text == "Tab here,[31m no escape."


def test_every_element_of_the_fixture_screenplay_comes_out_clean():
    elements = parse((FOUNTAIN / "elements.fountain").read_text()).elements
    seen = {element.kind for element in elements}
    assert seen == {"heading", "action", "dialogue", "transition", "centered", "lyrics", "section", "synopsis",
                    "note"}
    for element in elements:
        for raw in ("[[", "]]", "/*", "*/", "**", "^", "===", "\t", "\\*"):
            assert raw not in element.text, (raw, element)
        assert not element.text.startswith(("!", "@", ">", "~", "#", "=", ".")), element
