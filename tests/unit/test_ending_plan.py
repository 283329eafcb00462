"""The plan, the prompt, the cleaning of beats and the writer, with a fake backend (no model)."""

import pytest

from player.engine.ending import beat_text
from player.engine.ending import endings_store
from player.engine.ending import writer
from player.engine.catalog.films import YOURS, Catalog, load_title
from player.engine.history.store import History
from player.engine.base.locations import bundled_catalog
from player.engine.ending.plan import OPENERS, Plan, cast, decisions, make_plan, names_of, predict, short_name
from player.engine.ending.prompt import ENDING_HEADING, story_prefix
from tests.conftest import TEST_CATALOG
from tests.fakes.backend import FakeBackend
from tests.profiles import ACTION, DARK, HOPEFUL, ROMANCE, profile

FILMS = Catalog.load([bundled_catalog()]).films


def filled_openers(film) -> set[str]:
    """Every opener of openers.toml with {a} and {b} filled in by the short names of the film's characters."""
    names = [short_name(film, character) for character in film.characters]
    return {template.format(a=a, b=b) for kinds in OPENERS.values() for templates in kinds.values()
            for template in templates for a in names for b in names}


@pytest.mark.parametrize("film_id", sorted(FILMS))
def test_opposite_viewers_get_opposite_plans(film_id):
    film = FILMS[film_id]
    action, romance = make_plan(film, ACTION, 1), make_plan(film, ROMANCE, 1)
    assert action.emphasis[0] == "action" and "romance" in action.avoid
    assert romance.emphasis[0] == "romance" and "action" in romance.avoid
    assert make_plan(film, DARK, 1).tone == "dark" and make_plan(film, HOPEFUL, 1).tone == "hopeful"
    openers = filled_openers(film)
    for beat in action.beats + romance.beats:  # after the film's own clause, if any, an opener of this film's people
        said = beat.opener.removeprefix(f"{beat.material.rstrip('.,;')}, ") if beat.material else beat.opener
        assert said in openers, beat.opener
    action_tags = [t for beat in action.beats for t in beat.tags]
    assert action_tags.count("action") >= len(action.beats) / 2 and "romance" not in action_tags
    dark = make_plan(film, DARK, 1)
    assert dark.beats[-1].tags[0] == "dark" and "dark" in dark.tags


def test_a_favourite_character_gets_the_spotlight():
    film = FILMS["lighthouse"]
    fan = profile(action=0.5, characters={"Bridie Hask (The Last Lighthouse)": {
        "title": "lighthouse", "id": "bridie", "score": 0.8, "rewound": 4, "skipped": 0}})
    plan = make_plan(film, fan, 2)
    assert plan.focus[0] == "bridie"
    assert sum("Bridie" in beat.opener or beat.speaker == "bridie" for beat in plan.beats) >= len(plan.beats) / 2
    assert any("Bridie Hask in the spotlight" in reason for reason in plan.reasons)
    assert make_plan(film, ACTION, 2).focus[0] == "mara"  # without one, the protagonist


def test_a_neutral_profile_follows_the_films_own_mix_and_says_so():
    plan = make_plan(FILMS["tallow"], profile(known=False), 5)
    assert plan.tone == "bittersweet" and plan.emphasis and not plan.avoid
    assert any("your profile does not say yet" in reason for reason in plan.reasons)


def test_pace_sets_the_length():
    film = FILMS["deli"]
    assert len(make_plan(film, profile(pace={"skip_rate": 0.6}), 1).beats) < \
        len(make_plan(film, profile(), 1).beats) < \
        len(make_plan(film, profile(quiet=0.4, pace={"patience": 0.95}), 1).beats)


def test_plans_are_reproducible_and_vary_with_the_seed():
    film = FILMS["lighthouse"]
    assert make_plan(film, ACTION, 9) == make_plan(film, ACTION, 9)
    assert make_plan(film, ACTION, 9).beats != make_plan(film, ACTION, 10).beats
    plan = make_plan(film, ACTION, 9)
    assert Plan.from_dict(plan.as_dict()) == plan


def test_the_prediction_follows_the_profile():
    film = FILMS["lighthouse"]  # endings: truth (hopeful, romance, dialogue), ash (dark, quiet)
    assert predict(film, profile(known=False), yours=True) is None  # no history: nothing is predicted
    assert predict(film, DARK, yours=False) == "ash"
    assert predict(film, HOPEFUL, yours=False) == "truth"
    assert predict(film, ACTION, yours=True) == YOURS


def test_the_story_prefix_is_the_film_and_ends_where_the_ending_begins():
    film = FILMS["lighthouse"]
    prefix = story_prefix(film)
    assert prefix.startswith("The Last Lighthouse\n") and prefix.endswith(f"{ENDING_HEADING}\n\n")
    for character in film.characters.values():
        assert character.name in prefix
    assert film.branch.question in prefix and 'Mara: "' in prefix
    assert short_name(film, "dunmore") == "Dunmore" and short_name(film, "mara") == "Mara"
    elias = next(line for line in prefix.splitlines() if line.startswith("Elias Quell: "))
    assert elias.endswith(" Now his leg is splinted from the fall into the Kettle, and he cannot stand or walk "
                          "without help.")  # the state at the branch point, so that the ending keeps to it


@pytest.mark.parametrize("kind, opener, generated, expected", [
    ("action", "Mara grabs the", " lamp and runs.\nMORE", "Mara grabs the lamp and runs."),
    ("action", "Mara grabs the", " lamp and runs for the door, and then she", "Mara grabs the lamp and runs for "
                                                                               "the door, and then she."),
    ("action", "Callum is waiting when Mara", "'s ferry docks.", "Callum is waiting when Mara's ferry docks."),
    ("action", "Mara turns and", ' says, "We go now. Tonight', "Mara turns and says."),
    ("action", "Mara turns and", " <em>smiles</em> at **him**.", "Mara turns and smiles at him."),
    ("dialogue", "Run! ", '20 metres, run!" she', "Run! 20 metres, run!"),
])
def test_cleaning_keeps_the_beat_readable(kind, opener, generated, expected):
    assert beat_text.clean(kind, opener, generated) == expected


def test_long_beats_are_cut_at_a_sentence_or_a_word_and_fit_the_caption():
    long = beat_text.clean("action", "Mara runs", " far. " + "And on and on the road goes " * 12)
    assert len(long) <= beat_text.MAX_CHARS and long.endswith(" on and on…")
    sentences = beat_text.clean("action", "Mara runs", " far. " + "The road goes on. " * 14)
    assert len(sentences) <= beat_text.MAX_CHARS and sentences.endswith("The road goes on.")


@pytest.mark.parametrize("text, reason", [
    ("Mara runs on.", "too short"),
    ("Mara runs to the door, to the door, to the door, to the door.", "repeats itself"),
    ('Run! Run! Run.', "repeats itself"),
    ("Mara sees the lamp burning over the dark water again.", "repeats an earlier beat"),
    ("Then we light the old one by hand tonight, Mara says.", "copies the film"),
    ("Mara laughs at last, and the gulls wheel over the quay.", None),
])
def test_loops_and_copies_are_refused(text, reason):
    earlier = ["Callum sees the lamp burning over the dark water."]
    film_text = 'Mara: "Then we light the old one. By hand."\nThen we light the old one by hand tonight.'
    assert beat_text.refusal(text, "Mara runs" if reason == "too short" else "Mara", earlier, film_text) == reason


def test_the_writer_writes_every_planned_beat_in_order_and_reuses_the_prefix():
    film, fake = FILMS["lighthouse"], FakeBackend()
    plan = make_plan(film, ACTION, 4)
    events = []
    result = writer.write(film, plan, fake, on_event=events.append)
    assert [b.tags for b in result.beats] == [b.tags for b in plan.beats]
    assert all(b.text.startswith(p.opener.strip()) for b, p in zip(result.beats, plan.beats))
    prefix = story_prefix(film)
    assert all(prompt.startswith(prefix) for prompt in fake.prompts)
    assert fake.prompts[1].startswith(prefix + result.beats[0].text)  # each beat sees the ones before it
    assert result.prompt.startswith(prefix) and result.beats[-1].text in result.prompt
    assert [type(e).__name__ for e in events[:2]] == ["Started", "Piece"]
    assert sum(isinstance(e, writer.Written) for e in events) == len(plan.beats)
    assert result.tokens > 0 and result.first_token_seconds is not None


def test_a_beat_the_model_keeps_looping_on_is_retried_then_told_by_the_film_or_dropped():
    class Looping(FakeBackend):
        def stream(self, request):
            self.prompts.append(request.prompt)
            yield " and the door and the door and the door and the door"
            return None

    film = FILMS["lighthouse"]
    plan = make_plan(film, ACTION, 4)
    fake = Looping()
    result = writer.write(film, plan, fake)
    tries = writer.RETRIES + 1, writer.CANDIDATES + writer.RETRIES  # the first beat, then each later one
    assert len(fake.prompts) == tries[0] + (len(plan.beats) - 1) * tries[1]
    assert len(set(fake.prompts)) == len(plan.beats)  # same prompt, new seeds
    assert result.refused[0] == "beat 1: repeats itself"
    # what the film authored still gets told, whole: the decision is made, what follows from it happens
    material = [p for p in plan.beats if p.material]
    assert [b.text for b in result.beats] == [p.material + "." for p in material]
    assert result.beats[0].text.startswith(plan.decision)


def test_endings_are_saved_and_found_by_prefix(private_home):
    history = History(private_home, "ann")
    first = endings_store.save(history, {"title": "tiny", "seed": 1, "beats": [], "generator": {}})
    endings_store.save(history, {"title": "tiny", "seed": 2, "beats": [], "generator": {}})
    assert [r["seed"] for r in endings_store.all_endings(history)] == [1, 2]
    assert endings_store.find(history, first[:5]).record["seed"] == 1
    with pytest.raises(endings_store.EndingNotFound, match="no saved ending"):
        endings_store.find(history, "zzzz")


WITH_DECISIONS = sorted(f for f in FILMS if FILMS[f].branch.endings[0].decision)
VIEWERS = (ACTION, ROMANCE, DARK, HOPEFUL, profile(known=False))


@pytest.mark.parametrize("film_id", WITH_DECISIONS)
def test_the_ending_makes_one_of_the_films_decisions_first_and_plays_out_what_follows(film_id):
    film = FILMS[film_id]
    answers = {d.id: d for d in decisions(film)}
    for viewer in VIEWERS:
        for seed in (1, 2, 3):
            plan = make_plan(film, viewer, seed)
            chosen = answers[plan.way]
            assert plan.decision == chosen.text
            first = plan.beats[0]
            assert first.role == "decision" and first.opener.startswith(chosen.text + ", and ")
            told = [beat.material for beat in plan.beats if beat.role == "follows"]
            assert told and all(clause in chosen.follows for clause in told)
            assert told == sorted(told, key=chosen.follows.index)  # in story order
            assert plan.beats[-1].role == "close"
            assert any(reason.startswith(f"the decision: {chosen.text}") for reason in plan.reasons)


@pytest.mark.parametrize("film_id", WITH_DECISIONS)
def test_every_character_at_stake_takes_part(film_id):
    film = FILMS[film_id]
    for viewer in VIEWERS:
        for length in ({}, {"skip_rate": 0.6}):
            plan = make_plan(film, {**viewer, "pace": length}, 4)
            for cid in cast(film):
                assert any(any(name in beat.opener for name in names_of(film, cid)) or beat.speaker == cid
                           for beat in plan.beats), (cid, plan.way)


def test_the_decision_follows_the_taste():
    film = FILMS["lighthouse"]  # truth: hopeful romance dialogue; ash: dark quiet; sea: dark spectacle; keeper
    assert make_plan(film, ROMANCE, 1).way == "truth"
    assert make_plan(film, ACTION, 1).way == "sea"  # spectacle, and none of the romance the viewer skips
    assert make_plan(film, DARK, 1).way in {"ash", "sea"}
    assert make_plan(film, HOPEFUL, 1).way in {"truth", "keeper"}


@pytest.mark.parametrize("film_id", WITH_DECISIONS)
def test_opposite_viewers_differ_from_the_first_beat_on(film_id):
    film = FILMS[film_id]
    for one, other in ((ACTION, ROMANCE), (DARK, HOPEFUL)):
        for seed in (1, 2, 3):
            mine, theirs = make_plan(film, one, seed), make_plan(film, other, seed)
            assert mine.beats[0].opener != theirs.beats[0].opener
            assert mine.beats[0].tags != theirs.beats[0].tags


def test_a_neutral_viewer_closes_on_the_tone_of_the_decision():
    film = FILMS["lighthouse"]
    plan = make_plan(film, profile(known=False), 1)
    tones = [tag for tag in decisions(film)[[d.id for d in decisions(film)].index(plan.way)].tags
             if tag in ("hopeful", "dark")]
    assert plan.tone == tones[0] and plan.beats[-1].tags[0] == tones[0]


def test_a_film_without_decisions_still_gets_a_personal_ending():
    film = load_title(TEST_CATALOG / "tiny")
    plan = make_plan(film, ACTION, 1)
    assert plan.way == "" and plan.decision == "" and len(plan.beats) == 10
    assert all(beat.role == "taste" and not beat.material for beat in plan.beats)
    result = writer.write(film, plan, FakeBackend())
    assert len(result.beats) == len(plan.beats)
    authored = {b.text for e in film.branch.endings for s in e.scenes for b in s.beats}
    assert writer.closing_beat(film, plan).text in authored


def test_an_old_saved_plan_without_a_decision_still_loads():
    data = make_plan(FILMS["lighthouse"], ACTION, 1).as_dict()
    for key in ("way", "decision"):
        del data[key]
    for beat in data["beats"]:
        del beat["material"], beat["role"]
    assert Plan.from_dict(data).decision == ""


def test_the_closing_beat_is_the_films_own_words_in_the_plans_tone():
    film = FILMS["lighthouse"]
    truth = make_plan(film, ROMANCE, 1)
    assert writer.closing_beat(film, truth).text == film.branch.ending("truth").scenes[-1].beats[-1].text
    sea = make_plan(film, ACTION, 1)
    way = next(w for w in film.branch.ways if w.id == "sea")
    closing = writer.closing_beat(film, sea)
    assert closing.text == way.follows[-1] + "." and closing.kind == "action"
    assert closing.tags == sea.beats[-1].tags and closing.duration > 0


def test_a_partial_ending_is_continued_from_where_it_stopped():
    film, fake = FILMS["lighthouse"], FakeBackend()
    plan = make_plan(film, ROMANCE, 4)
    whole = writer.write(film, plan, FakeBackend())
    done = whole.beats[:3]
    events = []
    rest = writer.write(film, plan, fake, done=done, start=3, on_event=events.append)
    assert rest.beats[:3] == done and len(rest.beats) == len(plan.beats)
    assert [e.index for e in events if isinstance(e, writer.Started)] == list(range(3, len(plan.beats)))
    assert all(prompt.startswith(story_prefix(film) + "".join(writer.beat_line(film, b) + "\n" for b in done))
               for prompt in fake.prompts)
    assert rest.prompt.startswith(story_prefix(film)) and done[0].text in rest.prompt


def test_only_the_candidate_that_may_be_shown_streams():
    film, fake = FILMS["lighthouse"], FakeBackend()
    plan = make_plan(film, ACTION, 4)
    events = []
    result = writer.write(film, plan, fake, on_event=events.append)
    by_beat = {}
    for event in events:
        by_beat.setdefault(event.index, []).append(event)
    for index, beat_events in by_beat.items():
        shown = ""
        for event in beat_events:
            if isinstance(event, writer.Started):
                shown = event.shown
            elif isinstance(event, writer.Refused):
                shown = plan.beats[index].opener
            elif isinstance(event, writer.Piece):
                shown += event.text
        assert beat_events[0] == writer.Started(index, plan.beats[index].opener)
        assert isinstance(beat_events[-1], writer.Written)
        if index == 0:  # the first beat shows exactly what it writes, as it writes it
            planned = plan.beats[0]
            assert beat_text.clean(planned.kind, planned.opener, shown[len(planned.opener):]) == result.beats[0].text
    assert len(fake.prompts) == 1 + (len(plan.beats) - 1) * writer.CANDIDATES


@pytest.mark.parametrize("film_id", sorted(FILMS))
def test_no_two_beats_of_a_plan_open_with_the_same_phrase(film_id):
    """An opener said twice makes the model say the same thing twice: a loop across beats."""
    film = FILMS[film_id]
    long = profile(action=0.5, quiet=0.4, pace={"patience": 0.95})
    for viewer in VIEWERS + (long,):
        for seed in range(1, 6):
            plan = make_plan(film, viewer, seed)
            seen: set = set()
            for beat in plan.beats:
                grams = beat_text.ngrams(beat.opener, beat_text.COPY_NGRAM)
                assert not grams & seen, (plan.way, beat.opener)
                seen |= grams
