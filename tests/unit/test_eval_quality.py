"""The judges of benchmarks/eval_quality.py on fixed texts, without any model."""

from benchmarks.eval_quality import (Material, decisions_made, invented_names, loop, state_breaks, trigram_overlap,
                                     world_breaks)
from player.engine.base.locations import bundled_catalog

# A stand-in for wordfreq: (frequency in English, in other languages). Names are as frequent elsewhere.
ZIPF = {"the": (7.7, 3.0), "she": (6.3, 2.0), "slowly": (4.5, 2.0), "footsteps": (3.7, 1.5),
        "sarah": (4.5, 4.4), "london": (5.3, 4.6)}


def zipf(word: str) -> tuple[float, float]:
    return ZIPF.get(word, (2.0, 2.0))


LIGHTHOUSE = Material(bundled_catalog() / "lighthouse")


def made(text: str) -> list[str]:
    return decisions_made(text, LIGHTHOUSE.decisions, LIGHTHOUSE.names, LIGHTHOUSE.world)


def test_an_invented_person_or_place_is_caught_and_the_films_own_are_not():
    text = "Mara climbs to the lamp room. Sarah waits for her on the quay, and they sail for London."
    assert invented_names(text, LIGHTHOUSE.text, zipf) == ["Sarah", "London"]
    assert invented_names("Mara climbs to the lamp room. Callum follows Dunmore to Skerrow harbour.",
                          LIGHTHOUSE.text, zipf) == []


def test_a_common_word_opening_a_sentence_is_not_a_name_but_the_same_word_inside_one_is():
    assert invented_names("Slowly, Mara turns. Footsteps on the stair. Later she sleeps.", LIGHTHOUSE.text,
                          zipf) == []
    assert invented_names("Mara meets Slowly by the door.", LIGHTHOUSE.text, zipf) == ["Slowly"]
    assert invented_names("Mara turns. Sarah waits.", LIGHTHOUSE.text, zipf) == ["Sarah"]
    assert invented_names('Mara: "She\'ll come back."', LIGHTHOUSE.text, zipf) == []


def test_kin_the_film_never_has_are_invented():
    assert invented_names("Dunmore's father waits in the rain.", LIGHTHOUSE.text, zipf) == ["dunmore father"]
    assert invented_names("Mara holds her father's hand.", LIGHTHOUSE.text, zipf) == []


def test_things_the_world_never_has_are_named():
    assert world_breaks("Mara starts the car and calls on her phone.", LIGHTHOUSE.never) == ["car", "phone"]
    assert world_breaks("Mara rows to the police launch.", LIGHTHOUSE.never) == []


def test_what_a_characters_state_rules_out_is_found_sentence_by_sentence():
    text = "Elias runs for the stair. Mara runs too. Dunmore's body lies in the sea."
    assert state_breaks(text, LIGHTHOUSE.states) == ["elias: runs", "dunmore: body"]
    assert state_breaks("Mara runs down the stair. Elias kneels by the lens.", LIGHTHOUSE.states) == []
    assert "corpse" not in LIGHTHOUSE.text.split()  # a word the film rules out is not a word it has


def test_a_loop_within_a_beat_and_across_beats_is_caught():
    assert loop(["Mara counts forty meters and forty meters and forty meters more."]) is not None
    assert loop(["Callum reaches for the handle of the door.", "Then Callum reaches for the handle of the door."])
    assert loop(["Mara climbs the stair.", "Callum waits below with the lamp."]) is None


def test_an_ending_that_never_decides_fails_and_one_that_decides_passes():
    drifting = ("Mara freezes when she's gone. Callum reaches for the handle, and she stops. Inside, Mara finds the "
                "red book. By morning, Callum is gone and the police launch rounds the point.")
    assert made(drifting) == []
    assert made("Mara walks down to the quay and hands the red book to the sergeant.") == ["truth"]
    assert made("Mara tears out the page and feeds it to the flame.") == ["ash"]
    assert made("On the gallery Mara throws the red book into the sea.") == ["sea"]


def test_what_follows_from_a_decision_counts_when_two_things_are_told():
    told = ("Dunmore is led down the quay in handcuffs. Elias kneels on the wet stones before Nora Kerrigan.")
    assert made(told) == ["truth"]
    assert made("Dunmore is led down the quay in handcuffs.") == []


def test_overlap_is_the_share_of_the_shorter_endings_trigrams():
    assert trigram_overlap("Mara hands over the book", "Mara hands over the book") == 1.0
    assert trigram_overlap("Mara hands over the book", "Callum climbs the spiral stair") == 0.0
    assert trigram_overlap("a b c d", "a b c x y z w") == 0.5
