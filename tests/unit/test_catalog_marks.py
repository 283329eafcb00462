"""What the catalog marks each title with (new, in progress at a position, watched), from the history, and the
"details" event it records: a film's leading tags, an event of no session that leaves resuming alone."""

from player.engine.base.events import make_event
from player.engine.catalog.films import TAGS, load_title
from player.engine.history.store import SEGMENT_SIZE, History, resume_point
from player.screens.catalog import mark, shown_names
from tests.conftest import TEST_CATALOG


def logged(history: History, kind: str, title: str = "lighthouse", session: str = "s1", position: float = 0.0,
           **data) -> None:
    history.log(make_event(kind, viewer=history.viewer, title=title, session=session, scene="a", beat=0,
                           position=position, **data))


def details(history: History, title: str = "lighthouse") -> None:
    logged(history, "details", title=title, session="", tags=["suspense", "mystery", "dialogue"])


def test_a_title_never_started_is_new_even_after_its_details_were_opened(private_home):
    history = History(private_home, "ann")
    details(history)
    progress = history.progress("lighthouse")
    assert (progress.started, progress.finished, progress.resume_at, progress.in_progress) == (False, False, None,
                                                                                             False)
    assert mark(progress) == "new"
    assert mark(history.progress("never-heard-of")) == "new"


def test_a_title_stopped_before_the_end_is_in_progress_at_where_it_stopped(private_home):
    history = History(private_home, "ann")
    logged(history, "start")
    logged(history, "pause", position=760.4)
    logged(history, "abandon", position=760.4)
    logged(history, "end", position=760.4)
    assert history.progress("lighthouse").resume_at == 760.4
    assert mark(history.progress("lighthouse")) == "in progress 12:40"


def test_a_title_played_to_its_end_is_watched_and_a_later_short_try_does_not_unwatch_it(private_home):
    history = History(private_home, "ann")
    for kind in ("start", "choice", "finish", "end"):
        logged(history, kind, position=500.0)
    assert mark(history.progress("lighthouse")) == "watched"
    logged(history, "start", session="s2")
    logged(history, "abandon", session="s2", position=2.0)  # quit at once: nothing to continue
    assert mark(history.progress("lighthouse")) == "watched"
    logged(history, "start", session="s3")
    logged(history, "abandon", session="s3", position=90.0)  # a second viewing, stopped half way
    assert mark(history.progress("lighthouse")) == "in progress 01:30"


def test_a_title_started_and_never_finished_is_in_progress_even_with_nothing_to_continue(private_home):
    history = History(private_home, "ann")
    logged(history, "start")
    logged(history, "choice", position=400.0)  # at the endings: chosen afresh, so there is no position
    logged(history, "abandon", position=410.0)
    progress = history.progress("lighthouse")
    assert progress.resume_at is None and progress.in_progress
    assert mark(progress) == "in progress"


def test_a_finish_many_segments_back_is_found(private_home):
    history = History(private_home, "ann")
    for kind in ("start", "finish", "end"):
        logged(history, kind)
    for n in range(SEGMENT_SIZE + 5):
        logged(history, "pause", session="s2", position=float(n % 3))
    history.close()
    progress = History(private_home, "ann").progress("lighthouse")
    assert progress.finished and progress.resume_at is None


def test_a_details_event_after_a_session_leaves_where_to_continue_as_it_was(private_home):
    history = History(private_home, "ann")
    logged(history, "start")
    logged(history, "abandon", position=300.0)
    logged(history, "end", position=300.0)
    details(history)
    session = history.last_session("lighthouse")
    assert [event["kind"] for event in session] == ["start", "abandon", "end"]
    assert resume_point(session) == 300.0
    assert mark(history.progress("lighthouse")) == "in progress 05:00"


def test_the_last_session_skips_segments_of_details_only(private_home):
    history = History(private_home, "ann")
    logged(history, "start")
    logged(history, "abandon", position=300.0)
    for _ in range(SEGMENT_SIZE + 3):  # a whole segment and more of nothing but details
        details(history)
    history.close()
    assert resume_point(History(private_home, "ann").last_session("lighthouse")) == 300.0


def test_a_film_leads_with_its_most_frequent_main_beat_tags():
    tiny = load_title(TEST_CATALOG / "tiny")
    counts = tiny.tag_counts()
    beats = [tag for scene in tiny.scenes for beat in scene.beats for tag in beat.tags]
    assert counts == {tag: beats.count(tag) for tag in counts} and sum(counts.values()) == len(beats)
    assert list(counts.values()) == sorted(counts.values(), reverse=True)
    leading = tiny.leading_tags()
    assert len(leading) == 3 and set(leading) <= set(TAGS)
    assert all(counts[tag] >= count for tag in leading for other, count in counts.items() if other not in leading)
    assert leading == ("dialogue", "quiet", "action")  # 2, 2, then the first of the ones (vocabulary order)


def test_only_titles_whose_name_is_shared_show_their_id(tiny):
    from dataclasses import replace

    twin = replace(tiny, id="tiny2")
    other = replace(tiny, id="other", title="Another Film")
    assert shown_names([tiny, twin, other]) == {"tiny": "Tiny Test Film (tiny)", "tiny2": "Tiny Test Film (tiny2)",
                                                "other": "Another Film"}
