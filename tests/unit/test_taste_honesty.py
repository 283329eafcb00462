"""The taste profile tells the truth: the words of a plan match the signs of the scores behind them (a viewer who
skips everything is never said to lean to anything), nothing is predicted from no evidence, the session being
watched counts at its own branch point (once), Your ending's planned tags are no signal, and opening a title's
details is a mild one."""

import re

import pytest

from player.engine.catalog.films import TAGS, YOURS
from player.engine.ending.plan import make_plan, predict
from player.engine.history.store import History
from player.engine.playback.session import BRANCH, Playback
from player.engine.taste import scoring
from player.engine.taste.profile_cache import ProfileCache
from tests.clocks import ManualTime
from tests.profiles import AT, ev, heavy_skipper_events, profile

def heavy_skipper(catalog) -> dict:
    """Skipped every beat of every sample film: every tag of the vocabulary is negative."""
    events = [e for film in catalog.films.values() for e in heavy_skipper_events(film)]
    return scoring.describe(scoring.build(events), scoring.CatalogNames(catalog))


NUMBER = re.compile(r"\b([a-z]+) ([+-]\d\.\d\d)\b")
LIKING = ("seek out", "closest to your taste", "lean to", "leaning to")


def check_words_match_signs(plan, scores: dict[str, float]) -> None:
    """No tag is both leaned on and avoided, and no reason speaks of liking a tag whose score is negative."""
    assert not set(plan.emphasis) & set(plan.avoid), plan
    assert plan.tone not in plan.avoid and not set(plan.tags) & set(plan.avoid)
    for reason in plan.reasons:
        for tag, number in NUMBER.findall(reason):
            if tag in TAGS and float(number) < 0:
                assert not any(words in reason for words in LIKING), reason
                assert f"like {tag}" not in reason and "turn away from" in reason, reason
            elif tag in TAGS and float(number) > 0:
                assert not re.search(rf"(turn away from|more than from) {tag}\b", reason), reason
        if "less " in reason:
            listed = reason.split(":")[0].removeprefix("less ").split(", ")
            assert all(scores[tag] < 0 for tag in listed), reason
        if "no tag of it put you off" in reason:
            assert all(scores[tag] >= -0.1 for tag in plan.tags)


def test_a_heavy_skipper_is_never_said_to_lean_to_what_they_skip(catalog):
    skipper = heavy_skipper(catalog)
    scores = {tag: figures["score"] for tag, figures in skipper["tags"].items()}
    assert skipper["known"] and all(score < 0 for score in scores.values())
    plans = [(film, make_plan(film, skipper, seed)) for film in catalog.films.values() for seed in range(4)]
    for _, plan in plans:
        check_words_match_signs(plan, scores)
    from player.screens.why import why_rows  # the panel shows the same lists

    for film, plan in plans:
        rows = dict(why_rows(film, plan, skipper))
        leaning = rows["Tone: "].split("Leaning on: ")[1].rstrip(".").split(", ")
        less = rows.get("Less: ", "").rstrip(".").split(", ")
        assert not set(leaning) & set(less) and plan.tone not in less


def test_the_tone_is_explained_by_what_is_turned_away_from_least(catalog):
    film = catalog.films["lighthouse"]
    scores = {tag: 0.0 for tag in TAGS} | {"dark": -0.71, "hopeful": -0.86, "suspense": -0.5}
    plan = make_plan(film, profile(**scores), 1)  # both tones negative: dark is the one turned away from least
    assert plan.tone == "dark"
    tone = next(reason for reason in plan.reasons if reason.startswith("a dark ending"))
    assert "turn away from hopeful scenes more than from dark ones" in tone
    check_words_match_signs(plan, scores)
    liked = make_plan(film, profile(dark=0.5, hopeful=-0.4), 1)
    assert any("you like dark scenes and turn away from hopeful ones" in reason for reason in liked.reasons)


def test_every_mixed_profile_keeps_its_words_true(catalog):
    import random

    rng = random.Random(7)
    for _ in range(60):
        scores = {tag: round(rng.uniform(-0.9, 0.9), 2) for tag in TAGS}
        viewer = profile(**scores)
        for film in catalog.films.values():
            check_words_match_signs(make_plan(film, viewer, rng.randrange(100)), scores)


# -- predictions ----------------------------------------------------------------------------------------
def test_nothing_is_predicted_without_evidence(catalog):
    film = catalog.films["lighthouse"]
    neutral = scoring.describe(scoring.empty())
    assert predict(film, neutral, yours=True) is None and predict(film, neutral, yours=False) is None
    # evidence about tags no ending has tells the endings apart no better
    about_nothing = profile(action=0.6)
    assert predict(film, about_nothing, yours=False) is None
    assert predict(film, profile(quiet=0.06), yours=False) is None  # ash ahead by too little to say
    assert predict(film, profile(dark=0.6, quiet=0.2), yours=False) == "ash"


# -- the session being watched counts at its own branch point --------------------------------------------
def play_skipping(film, playback: Playback, now: ManualTime, tag: str) -> None:
    """Watch every beat through except those with `tag`, which are skipped, up to the branch point."""
    while playback.tick() != BRANCH:
        slot = playback.slot
        if tag in slot.beat.tags:
            playback.next_beat()
        else:
            now.advance(slot.end - playback.position + 1e-6)


@pytest.mark.parametrize("load_during_the_session", [False, True])
def test_a_first_viewing_shapes_its_own_branch_point_and_counts_once(private_home, catalog,
                                                                    load_during_the_session):
    film = catalog.films["lighthouse"]
    history = History(private_home, "ann")
    cache = ProfileCache(history, catalog)
    cache.refresh().join(10)
    assert not cache.current["known"]
    now = ManualTime()
    playback = Playback(film, viewer="ann", record=history.log, time_source=now)
    playback.start()
    if load_during_the_session:  # a load while the session runs folds its first events in already
        now.advance(film.scenes[0].beats[0].duration / 2)
        playback.toggle_pause()
        playback.toggle_pause()
        cache.refresh(after_sessions=True).join(10)
        assert cache.current["events"] == len(playback.events) == 3
    play_skipping(film, playback, now, "suspense")
    live = cache.with_session(playback.events)
    once = scoring.describe(scoring.build(playback.events), scoring.CatalogNames(catalog))
    assert live["tags"] == once["tags"]  # every event of the session, each counted once
    assert live["known"] and live["tags"]["suspense"]["score"] < 0
    assert any("skipped" in line and "suspense" in line for line in live["tags"]["suspense"]["evidence"])
    plan = make_plan(film, live, 3)
    assert "suspense" in plan.avoid and "suspense" not in plan.emphasis
    assert predict(film, live, yours=True) is not None

    playback.quit()
    cache.refresh(after_sessions=True).join(10)  # the session ended: the stored profile has it now
    ended = scoring.describe(scoring.build(playback.events), scoring.CatalogNames(catalog))
    assert cache.current["tags"] == ended["tags"]
    assert cache.with_session(playback.events)["tags"] == ended["tags"]  # not twice
    history.close()


# -- Your ending's own tags are no signal ----------------------------------------------------------------
def test_choosing_your_ending_is_no_vote_for_the_tags_it_was_planned_with(tiny):
    now = ManualTime()
    events: list[dict] = []
    playback = Playback(tiny, viewer="ann", record=events.append, time_source=now)
    playback.start()
    now.advance(tiny.main_seconds + 1)
    assert playback.tick() == BRANCH
    before = scoring.tag_scores(scoring.build(events))
    for _ in range(10):
        playback.choose(YOURS, None, how="key", tags=("dark", "suspense"), seed=1)
        playback.back_to_branch()
    described = scoring.describe(scoring.build(events))
    assert scoring.tag_scores(scoring.build(events)) == before
    assert not any("chose" in line or "turned down" in line for line in described["evidence"])


def test_the_profile_never_names_an_ending_by_a_tag(catalog):
    film = catalog.films["lighthouse"]
    ash = film.branch.ending("ash")
    events = [ev("choice", ash.tags, how="key", ending="ash", declined=["romance"])] * 10
    lines = scoring.describe(scoring.build(events), scoring.CatalogNames(catalog))["evidence"]
    assert lines and not any(re.search(rf"\bthe ({'|'.join(TAGS)}) ending\b", line) for line in lines), lines
    assert "chose an ending tagged dark in The Last Lighthouse 10 times" in lines


# -- opening a title's details --------------------------------------------------------------------------
def score(events, tag: str) -> float:
    return {s.tag: s.score for s in scoring.tag_scores(scoring.build(events))}[tag]


def test_opening_details_is_a_mild_signal():
    details = [ev("details", ["mystery", "dark", "quiet"])]
    scene = [ev("complete", ["mystery"], speed=1.0, beats=1, seconds=4)]  # one scene of one beat watched
    assert 0 < score(details, "mystery") < score(scene, "mystery")
    assert score(details * 20, "mystery") == score(details, "mystery")  # again the same day adds nothing
    next_day = [ev("details", ["mystery"], at="2026-11-28T12:00:00.000Z")]
    assert score(details + next_day, "mystery") > score(details, "mystery")
    assert score([ev("details", ["action", "humor", "dark", "quiet"])], "quiet") == 0  # three tags at most


def test_details_are_named_only_when_the_evidence_rests_on_them(catalog):
    names = scoring.CatalogNames(catalog)
    only = scoring.describe(scoring.build([ev("details", ["mystery"])]), names)
    assert only["tags"]["mystery"]["evidence"] == ["opened the details of The Last Lighthouse (mystery)"]
    watched = scoring.describe(scoring.build([ev("details", ["mystery"]), ev("rewind", ["mystery"])]), names)
    assert not any("details" in line for line in watched["tags"]["mystery"]["evidence"] + watched["evidence"])

