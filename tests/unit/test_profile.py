"""The taste profile: its rules, its properties (hypothesis), and incremental updates against a rebuild."""

import random
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from player.engine.taste import scoring
from player.engine.taste import profile_store
from player.engine.catalog.films import TAGS
from player.engine.history.store import History

AS_OF = date(2026, 11, 28)


def ev(kind: str, tags=(), at="2026-11-27T12:00:00.000Z", title="lighthouse", **data) -> dict:
    return {"kind": kind, "title": title, "session": data.pop("session", "s"), "scene": data.pop("scene", "a"),
            "beat": 0, "position": 0.0, "at": at, "tags": list(tags), **data}


def scores(events, as_of=AS_OF) -> dict[str, float]:
    return {s.tag: s.score for s in scoring.tag_scores(scoring.build(events), as_of)}


def test_a_viewer_with_no_history_is_neutral_and_says_so():
    described = scoring.describe(scoring.empty(), as_of=AS_OF)
    assert not described["known"] and "neutral" in described["note"]
    assert all(t["score"] == 0 and t["confidence"] == 0 for t in described["tags"].values())
    assert described["evidence"] == [] and described["characters"] == {}


def test_each_signal_moves_its_tags_the_documented_way():
    assert scores([ev("skip", ["romance"])])["romance"] < 0
    assert scores([ev("rewind", ["action"])])["action"] > 0
    assert scores([ev("complete", ["quiet"], speed=1.0, beats=1, seconds=4)])["quiet"] > 0
    assert scores([ev("complete", ["quiet"], speed=2.0, beats=1, seconds=4)])["quiet"] == 0  # not at 1x
    assert scores([ev("speed", ["dialogue"], **{"from": 1.0, "to": 1.5})])["dialogue"] < 0
    assert scores([ev("speed", ["dialogue"], **{"from": 1.5, "to": 1.0})])["dialogue"] > 0
    assert scores([ev("resume", ["mystery"], paused=4.0)])["mystery"] > 0
    assert scores([ev("resume", ["mystery"], paused=600.0)])["mystery"] == 0  # stepped away
    assert scores([ev("abandon", ["dark", "dark", "quiet"], beats=2)])["dark"] < 0
    assert scores([ev("finish", share={"hopeful": 0.5})])["hopeful"] > 0
    chose = scores([ev("choice", ["hopeful"], how="key", declined=["dark", "hopeful"])])
    assert chose["hopeful"] > 0 and chose["dark"] < 0
    assert scores([ev("choice", ["hopeful"], how="timer")])["hopeful"] == 0  # the countdown chose
    assert scores([ev("rate", ["humor"], rating=1)])["humor"] > 0
    assert scores([ev("rate", ["humor"], rating=-1)])["humor"] < 0


def test_explicit_choices_outweigh_skips():
    events = [ev("skip", ["romance"]), ev("skip", ["romance"]), ev("choice", ["romance"], how="key")]
    assert scores(events)["romance"] > 0


def test_old_history_fades_with_a_90_day_half_life():
    old = [ev("rewind", ["action"], at="2025-01-01T00:00:00.000Z")] * 10
    new = [ev("skip", ["action"], at="2026-11-20T00:00:00.000Z")] * 2
    assert scores(old + new)["action"] < 0  # two recent skips outweigh ten rewinds two years ago
    same_day = [dict(e, at="2026-11-20T00:00:00.000Z") for e in old]
    assert scores(same_day + new)["action"] > 0  # but not ten rewinds of the same week
    confidence = lambda as_of: next(  # noqa: E731
        s.confidence for s in scoring.tag_scores(scoring.build(old), as_of) if s.tag == "action")
    assert confidence(date(2025, 1, 2)) > confidence(date(2025, 4, 2)) > confidence(AS_OF)


def test_confidence_grows_with_evidence():
    few = scoring.tag_scores(scoring.build([ev("rewind", ["action"])]), AS_OF)
    many = scoring.tag_scores(scoring.build([ev("rewind", ["action"])] * 20), AS_OF)
    conf = lambda ss: next(s.confidence for s in ss if s.tag == "action")  # noqa: E731
    assert 0 < conf(few) < conf(many) < 1


def test_pace_and_characters():
    events = [ev("complete", ["quiet", "quiet"], speed=1.0, beats=4, seconds=20),
              ev("complete", ["quiet"], speed=2.0, beats=4, seconds=20),
              ev("skip", ["quiet"], beats=1, speakers=["bridie"]),
              ev("rewind", ["action"], speakers=["mara"]), ev("rewind", ["action"], speakers=["mara"])]
    described = scoring.describe(scoring.build(events), as_of=AS_OF)
    assert described["pace"]["preferred_speed"] == 1.5
    assert described["pace"]["skip_rate"] == round(1 / 9, 4)
    assert described["pace"]["patience"] == 0.75
    names = list(described["characters"])
    assert names[0] == "mara (lighthouse)" and described["characters"][names[0]]["rewound"] == 2
    assert described["characters"]["bridie (lighthouse)"]["score"] < 0


def test_evidence_lines_are_readable_and_name_the_titles(catalog):
    events = [ev("skip", ["romance"], scene="stairs")] * 4 + [ev("complete", ["romance"], speed=1.0)] + \
             [ev("rewind", ["action"], scene="stairs")] * 2
    described = scoring.describe(scoring.build(events), scoring.CatalogNames(catalog), as_of=AS_OF)
    assert "skipped 4 of 5 romance beats in The Last Lighthouse" in described["evidence"]
    assert any(line.startswith('rewound action in "The Stairs" (The Last Lighthouse) twice')
               for line in described["evidence"])
    assert described["tags"]["romance"]["evidence"][0] == "skipped 4 of 5 romance beats in The Last Lighthouse"


# -- properties ---------------------------------------------------------------------------------------------
KINDS = ["skip", "rewind", "complete", "speed", "resume", "abandon", "finish", "choice", "rate", "pause"]
tag_lists = st.lists(st.sampled_from(TAGS), min_size=1, max_size=4)
times = st.builds(lambda d, s: f"2026-{d // 28 + 1:02d}-{d % 28 + 1:02d}T00:00:{s:02d}.000Z",
                  st.integers(0, 300), st.integers(0, 59))


@st.composite
def events(draw):
    kind = draw(st.sampled_from(KINDS))
    data = {"speed": draw(st.sampled_from([1.0, 2.0])), "beats": draw(st.integers(1, 5)),
            "seconds": draw(st.floats(1, 60)), "from": 1.0, "to": draw(st.sampled_from([0.5, 1.5])),
            "paused": draw(st.sampled_from([3.0, 120.0])), "how": draw(st.sampled_from(["key", "timer"])),
            "declined": draw(tag_lists), "share": {draw(st.sampled_from(TAGS)): 0.5},
            "rating": draw(st.sampled_from([1, -1])), "speakers": ["mara"]}
    return ev(kind, draw(tag_lists), at=draw(times), **data)


history_strategy = st.lists(events(), max_size=40)


@settings(max_examples=150, deadline=None)
@given(history_strategy, st.sampled_from(TAGS), st.integers(1, 5), times)
def test_skips_of_a_tag_never_raise_its_score(history, tag, count, at):
    before = scores(history)[tag]
    after = scores(history + [ev("skip", [tag], at=at)] * count)[tag]
    assert after <= before


@settings(max_examples=150, deadline=None)
@given(history_strategy, st.sampled_from(TAGS), st.integers(1, 5), times)
def test_rewinds_of_a_tag_never_lower_its_score(history, tag, count, at):
    before = scores(history)[tag]
    after = scores(history + [ev("rewind", [tag], at=at)] * count)[tag]
    assert after >= before


@settings(max_examples=150, deadline=None)
@given(history_strategy)
def test_scores_stay_within_minus_one_and_one(history):
    for s in scoring.tag_scores(scoring.build(history * 3), AS_OF):
        assert -1 <= s.score <= 1 and 0 <= s.confidence <= 1


@settings(max_examples=150, deadline=None)
@given(history_strategy, st.randoms(use_true_random=False))
def test_the_same_events_in_another_order_give_the_same_profile(history, rng):
    shuffled = list(history)
    rng.shuffle(shuffled)
    assert scoring.describe(scoring.build(history), as_of=AS_OF) == scoring.describe(scoring.build(shuffled), as_of=AS_OF)


# -- kept with the history ------------------------------------------------------------------------------------
def test_incremental_updates_give_the_same_profile_as_a_full_rebuild(private_home):
    rng = random.Random(5)
    history = History(private_home, "ann")
    for session in range(12):
        title = rng.choice(["lighthouse", "tallow", "deli"])
        for n in range(rng.randint(5, 40)):
            kind = rng.choice(KINDS)
            history.log(ev(kind, rng.sample(TAGS, 2), title=title, session=f"s{session}", speed=1.0, beats=2,
                           seconds=10.0, paused=rng.choice([2.0, 90.0]), how="key", rating=1,
                           share={"humor": 0.4}, speakers=["x"],
                           at=f"2026-0{session % 9 + 1}-1{n % 9}T00:00:00.000Z",
                           **{"from": 1.0, "to": rng.choice([0.5, 2.0])}))
        history.flush()
        profile_store.update(history)  # as each session ends
    fresh = History(private_home, "ann")
    parts = [fresh.read_state(f"profile/titles/{title}") for title in fresh.titles()]
    assert {p["title"]: p["applied"] for p in parts} == {s.title: s.events for s in fresh.summaries()}
    stored = scoring.merge(parts)
    rebuilt = profile_store.rebuild(fresh, save=False)
    assert scoring.describe(stored, as_of=AS_OF) == scoring.describe(rebuilt, as_of=AS_OF)
    assert stored["events"] == rebuilt["events"] > 100
    assert profile_store.load(fresh)["events"] == stored["events"]


def test_a_crash_before_the_index_is_written_counts_nothing_twice(private_home, monkeypatch):
    history = History(private_home, "ann")
    history.log(ev("rewind", ["action"]))
    history.flush()
    profile_store.update(history)
    history.log(ev("rewind", ["action"]))
    history.flush()
    real_write = history.write_state
    monkeypatch.setattr(history, "write_state", lambda name, doc: real_write(name, doc)
                        if name != profile_store.INDEX else (_ for _ in ()).throw(OSError("crash")))
    profile_store.update(history)  # the part is saved, the index is not
    monkeypatch.undo()
    assert profile_store.load(History(private_home, "ann"))["events"] == 2


def test_an_erased_history_resets_the_profile(private_home):
    history = History(private_home, "ann")
    history.log(ev("rewind", ["action"]))
    history.flush()
    assert scoring.describe(profile_store.load(history), as_of=AS_OF)["known"]
    history.erase()
    assert not scoring.describe(profile_store.load(History(private_home, "ann")), as_of=AS_OF)["known"]


def test_a_big_rebuild_runs_in_worker_processes_and_agrees(private_home, monkeypatch):
    monkeypatch.setattr(profile_store, "PARALLEL_FROM", 10)
    history = History(private_home, "ann")
    for n in range(300):
        history.log(ev(["skip", "rewind", "complete"][n % 3], ["action", "quiet"], title=f"t{n % 7}",
                       speed=1.0, beats=1, at=f"2026-05-{n % 28 + 1:02d}T00:00:00.000Z"))
    history.close()
    parallel = profile_store.rebuild(History(private_home, "ann"), save=False)
    serial = scoring.build(History(private_home, "ann").iter_events())
    assert parallel["events"] == 300
    assert scoring.describe(parallel, as_of=AS_OF) == scoring.describe(serial, as_of=AS_OF)
