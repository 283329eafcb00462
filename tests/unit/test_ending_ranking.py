"""The judge of written beats (ranking.py): what the film does not have is refused, the rest ranked."""

import pytest

from player.engine.ending import ranking
from player.engine.ending import writer
from player.engine.llm.backend import Generated
from player.engine.catalog.films import Catalog
from player.engine.base.locations import bundled_catalog
from player.engine.ending.plan import BeatPlan, make_plan
from tests.fakes.backend import FakeBackend
from tests.profiles import ACTION, DARK, HOPEFUL, ROMANCE

FILMS = Catalog.load([bundled_catalog()]).films
OPENER = "Mara hands the red book to the sergeant, and Callum takes Mara's hand because"


@pytest.fixture(scope="module")
def world():
    return ranking.World.of(FILMS["lighthouse"])


@pytest.mark.parametrize("added, reason", [
    (" Sarah is waiting in London.", "names someone or somewhere the film does not have (Sarah)"),
    (" the car is running outside.", "has something this film's world does not (car)"),
    (" her brother is bleeding.", "brings in a person the film does not have (a brother)"),
    (" the door and the door and the door and the door.", "repeats itself"),
    (" Dunmore's boat is gone and Nora Kerrigan will not look at Elias.", None),
    (" Bridie says we'll all hang together.", None),  # contractions and the film's own names are fine
    (" her father is free at last.", None),  # Elias is Mara's father: the film says "her father"
    (" Dunmore's father is in jail.", "brings in a person the film does not have (dunmore's father)"),
])
def test_what_the_film_does_not_have_is_refused(world, added, reason):
    assert ranking.refusal(OPENER + added, OPENER, [], world) == reason


@pytest.mark.parametrize("text, reason", [
    ("Elias sprints for the door as the launch ties up.", "has Elias do what the film rules out (sprints)"),
    ("Mara waits, listening, as Dunmore's body lies in the sea.", "has Dunmore do what the film rules out (body)"),
    ("Mara runs down the stair. Elias waits by the lens.", None),  # the running is Mara's, in another sentence
    ("Mara Quell runs down the stair.", None),  # Quell is Mara's name too: it says nothing about Elias
    ("Elias pulls himself up by the lens rail and says it was him.", None),
])
def test_a_sentence_that_breaks_a_characters_state_is_refused(world, text, reason):
    assert world.rules.contradiction(text) == reason


@pytest.mark.parametrize("film", sorted(FILMS), ids=str)
def test_every_sample_films_own_ending_material_keeps_to_its_rules(film):
    """The authored endings and ways are what the film established: a `never` or a state that refuses them is
    wrong."""
    world, branch = ranking.World.of(FILMS[film]), FILMS[film].branch
    texts = [text for e in branch.endings for text in (e.decision, *e.follows)]
    texts += [beat.text for e in branch.endings for scene in e.scenes for beat in scene.beats]
    texts += [text for way in branch.ways for text in (way.decision, *way.follows)]
    assert [text for text in texts if not world.rules.allow(text)] == []


@pytest.mark.parametrize("seed", range(40))
def test_the_plan_never_opens_a_beat_with_what_the_film_rules_out(seed):
    """The openers are ours, not the model's: one that names a thing of `never` or breaks a state would make
    every candidate of its beat be refused."""
    for film in FILMS.values():
        rules = ranking.World.of(film).rules
        for viewer in (ACTION, DARK, HOPEFUL, ROMANCE):
            plan = make_plan(film, viewer, seed)
            assert [b.opener for b in plan.beats if not rules.allow(b.opener)] == []


def test_a_copy_of_an_earlier_beat_is_refused_but_the_plans_own_words_are_not(world):
    earlier = [OPENER + " the launch is waiting at the quay below."]
    assert ranking.refusal(OPENER + " the launch is waiting at the quay below.", OPENER, earlier, world) \
        == "repeats an earlier beat"
    assert ranking.refusal(OPENER + " she is shaking.", OPENER, earlier, world) is None


def test_candidates_are_ranked_by_fluency_and_taste():
    planned = BeatPlan(kind="action", tags=("action",), opener="Mara")
    fluent = Generated("x", 3, 0.0, 0.0, "stop")
    object.__setattr__(fluent, "logprobs", [-0.5, -0.7, -0.6])
    halting = Generated("x", 3, 0.0, 0.0, "stop")
    object.__setattr__(halting, "logprobs", [-3.0, -4.0, -3.5])
    text = "Mara walks to the window and looks out."
    assert ranking.score(text, planned, fluent) > ranking.score(text, planned, halting)
    action = "Mara sprints, grabs the rope and kicks the door as they fight."
    assert ranking.score(action, planned, None) > ranking.score(text, planned, None)
    assert ranking.fluency(None) == 0.0


def test_the_writer_keeps_the_best_candidate_and_never_an_invented_name():
    class Inventive(FakeBackend):
        """Writes a stranger's name on one seed in three, action on another, a stroll on the third."""

        def stream(self, request):
            self.prompts.append(request.prompt)
            who = ("she", "the crew", "everyone", "the sergeant", "he", "they", "the men", "nobody", "we", "all")
            action = f" {who[request.seed // 31 % len(who)]} fights and kicks."  # different for every beat
            piece = (" Sarah smiles.", action, " she walks on.")[request.seed % 3]
            yield piece
            return Generated(piece, 3, 0.01, 0.02, "stop")

    film = FILMS["lighthouse"]
    plan = make_plan(film, ACTION, 4)
    result = writer.write(film, plan, Inventive())
    assert len(result.beats) == len(plan.beats)
    assert not any("Sarah" in beat.text for beat in result.beats)
    later = [beat for beat, planned in zip(result.beats, plan.beats) if planned.tags[0] == "action"][1:]
    assert later and all(beat.text.endswith(" fights and kicks.") for beat in later)
    assert any("Sarah" in reason for reason in result.refused)


def test_a_slow_model_gets_one_candidate_per_beat_so_the_film_never_waits():
    now = [0.0]

    class Slow(FakeBackend):
        def stream(self, request):
            now[0] += 30.0  # far longer than any beat plays
            return (yield from super().stream(request))

    film = FILMS["lighthouse"]
    plan = make_plan(film, ACTION, 4)
    slow = Slow()
    result = writer.write(film, plan, slow, clock=lambda: now[0])
    assert len(result.beats) == len(plan.beats)
    assert len(slow.prompts) == len(plan.beats) + len(result.refused)  # one try per beat, more only if refused
    fast = FakeBackend()
    writer.write(film, plan, fast, clock=lambda: 0.0)
    assert len(fast.prompts) == 1 + (len(plan.beats) - 1) * writer.CANDIDATES


def test_a_candidate_full_of_what_the_viewer_avoids_ranks_lower():
    planned = BeatPlan(kind="action", tags=("action",), opener="Mara")
    plain = "Mara runs for the stair and grabs the rope."
    talky = "Mara runs for the stair and says, and asks, and tells him she argued."
    assert ranking.score(talky, planned, None, ("dialogue",)) < ranking.score(plain, planned, None, ("dialogue",))
    spoken = BeatPlan(kind="dialogue", tags=("action", "dialogue"), opener="Run! ", speaker="mara")
    assert ranking.score("Run! Get to the stair!", spoken, None, ("dialogue",)) == \
        ranking.score("Run! Get to the stair!", spoken, None, ())  # a line of dialogue is dialogue anyway
