"""Fountain notes for the personalised endings' material: an ending's decision and what follows, `# Way:`
sections (other decisions the film makes possible) and the world notes (cast, props, places, never, state)."""

import tomllib

import pytest

from player.engine.catalog.films import State, load_title
from player.engine.base.errors import ImportFailed
from player.engine.importing.importer import convert, write_title

MAIN = """Title: The Door

INT. HALL - NIGHT

MARA stands by the door with the key. BEN waits on the stair.

MARA
Somebody's knocking.

BEN
Then open it.

[[watch: branch: Does she open the door? | Open it | Walk away]]
"""

ENDINGS = """
# Ending: Open it
= Mara opens the door and finds her father on the step.
[[watch: tags: hopeful]]
[[watch: decision: Mara turns the key and opens the door]]
[[watch: follows: Her father stands on the step in the rain | Ben puts the kettle on | Mara lets him in]]

INT. HALL - NIGHT

Mara opens the door.

# Ending: Walk away
= Mara leaves by the back stairs.
[[watch: tags: dark]]

EXT. BACK STAIRS - NIGHT

Mara goes down the back stairs. Ben follows.
"""

WAY = """
# Way: window
= Mara looks out of the window instead, and sees who it is.
[[watch: tags: mystery, quiet]]
[[watch: decision: Mara climbs onto the sill and looks down from the window]]
[[watch: follows: The street lamp shows a man in a wet coat | Ben asks who it is | Mara says nothing and draws the curtain]]
"""

WORLD = """
[[watch: cast: MARA, BEN]]
[[watch: props: the key | the kettle]]
[[watch: places: the hall | the back stairs]]
[[watch: never: car, phone]]
"""

STATE = """
[[watch: state: Ben | his  ankle is twisted from the stair, and he cannot stand | run, runs, Climbs]]
"""


def film_of(tmp_path, text):
    folder = write_title(convert(text, title_id="door"), tmp_path)
    return load_title(folder)


def test_decisions_ways_and_world_reach_the_film(tmp_path):
    film = film_of(tmp_path, MAIN + WORLD + WAY + ENDINGS)
    opened, walked = film.branch.endings
    assert opened.decision == "Mara turns the key and opens the door"
    assert opened.follows == ("Her father stands on the step in the rain", "Ben puts the kettle on", "Mara lets him in")
    assert walked.decision == "" and walked.follows == ()
    (way,) = film.branch.ways
    assert (way.id, way.tags) == ("window", ("mystery", "quiet"))
    assert way.summary == "Mara looks out of the window instead, and sees who it is."
    assert way.decision.startswith("Mara climbs onto the sill") and len(way.follows) == 3
    world = film.branch.world
    assert world.cast == ("mara", "ben") and world.props == ("the key", "the kettle")
    assert world.places == ("the hall", "the back stairs") and world.never == ("car", "phone")
    assert world.state == ()


def test_a_state_note_reaches_the_film_as_its_characters_state(tmp_path):
    conversion = convert(MAIN + ENDINGS + STATE, title_id="door")
    assert tomllib.loads(conversion.film_toml)["branch"]["world"] == {"state": {"ben": {
        "now": "his ankle is twisted from the stair, and he cannot stand", "cannot": ["run", "runs", "Climbs"]}}}
    film = load_title(write_title(conversion, tmp_path))
    assert film.branch.world.state == (
        State("ben", "his ankle is twisted from the stair, and he cannot stand", ("run", "runs", "climbs")),)


def test_state_tables_follow_the_world_lists(tmp_path):
    film = film_of(tmp_path, MAIN + STATE + WORLD + STATE.replace("Ben | his", "MARA | her") + ENDINGS)
    assert [state.character for state in film.branch.world.state] == ["ben", "mara"]
    assert film.branch.world.cast == ("mara", "ben")
    text = (tmp_path / "door" / "film.toml").read_text()
    assert text.index("[branch.world]") < text.index("[branch.world.state.ben]") < \
        text.index("[branch.world.state.mara]")


def test_a_way_may_also_come_after_the_endings_and_leaves_their_beats_alone(tmp_path):
    film = film_of(tmp_path, MAIN + ENDINGS + WAY)
    assert [way.id for way in film.branch.ways] == ["window"]
    assert film.branch.endings[1].scenes[-1].beats[-1].text == "Mara goes down the back stairs. Ben follows."
    assert film.branch.endings[1].tags == ("dark",)


@pytest.mark.parametrize("text, message", [
    (MAIN.replace("[[watch: branch", "[[watch: decision: Mara opens it]]\n\n[[watch: branch") + ENDINGS,
     "belongs in an '# Ending:'"),
    (MAIN + ENDINGS + WAY.replace("[[watch: tags: mystery, quiet]]", ""), "has no tags"),
    (MAIN + ENDINGS + WAY.replace("[[watch: follows:", "[[nothing:"), "has no follows"),
    (MAIN + ENDINGS + WAY + "\nINT. HALL - DAY\n\nMara waits.\n", "a scene in a '# Way:' section"),
    (MAIN + ENDINGS + WAY + "\nMara waits by the window.\n", "text in a '# Way:' section"),
    (MAIN + ENDINGS + WAY.replace("# Way: window", "# Way: Open It"), "is not a way id"),
    (MAIN + ENDINGS + WAY.replace("# Way: window", "# Way: open-it"), "has the id of an ending"),
    (MAIN + ENDINGS + WAY + WAY, "a second '# Way: window'"),
    (MAIN + WORLD.replace("MARA, BEN", "MARA, ZED") + ENDINGS, "'ZED', who is not a character"),
    (MAIN + WORLD + WORLD + ENDINGS, "a second [[watch: cast: ...]] note"),
    (MAIN + ENDINGS + STATE.replace("Ben", "ZED"), "the state note names 'ZED', who is not a character"),
    (MAIN + ENDINGS + STATE + STATE.replace("Ben", "BEN"), "line 35: a second state note for BEN"),
    (MAIN + ENDINGS + STATE.replace(" | run,", ""), "a state note has 2 parts, not 3"),
    (MAIN + ENDINGS + STATE.replace("run, runs", "run | runs"), "a state note has 4 parts, not 3"),
    (MAIN + ENDINGS + STATE.replace("Ben", " "), "the state note has no cue"),
    (MAIN + ENDINGS + STATE.replace("his  ankle is twisted from the stair, and he cannot stand", ""),
     "the state note has no clause for how they are now"),
    (MAIN + ENDINGS + STATE.replace("run, runs, Climbs", " , "), "the state note has no words it rules out"),
    (MAIN + ENDINGS + STATE.replace("run, runs", "run away, runs"), "rules out 'run away'; list single words"),
    (MAIN + ENDINGS + STATE.replace("stand", "stand " + "x" * 70), "clause is 127 characters; keep it under 120"),
])
def test_bad_notes_are_one_line_errors(text, message):
    with pytest.raises(ImportFailed) as failed:
        convert(text, title_id="door")
    assert message in str(failed.value) and "\n" not in str(failed.value)
