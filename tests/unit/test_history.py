import json

import pytest

from player.cli import run
from player.engine.history import store as history_module
from player.engine.base.errors import BadViewerName
from player.engine.history.store import SEGMENT_SIZE, History, list_viewers, resume_point
from player.engine.base.locations import check_viewer


def event(n: int, title: str = "lighthouse", kind: str = "pause", session: str = "s", second: int | None = None):
    second = n if second is None else second
    return {"kind": kind, "viewer": "ann", "title": title, "session": session, "scene": "a", "beat": 0,
            "position": float(n), "n": n, "at": f"2026-01-01T{second // 3600:02d}:{second // 60 % 60:02d}:"
                                                  f"{second % 60:02d}.000Z"}


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "../x", "x\\y", "-dash", "a" * 41, "tab\t", "é", "a b"])
def test_viewer_names_that_could_escape_or_confuse_are_refused(name):
    with pytest.raises(BadViewerName):
        check_viewer(name)


@pytest.mark.parametrize("name", ["default", "sam", "Mum.2", "kid_1", "a" * 40])
def test_ordinary_viewer_names_are_fine(name):
    assert check_viewer(name) == name


def test_events_roll_into_segments_and_read_back_in_order(private_home):
    history = History(private_home, "ann")
    for n in range(SEGMENT_SIZE * 2 + 7):
        history.log(event(n))
    history.close()
    again = History(private_home, "ann")
    summary = again.summaries()[0]
    assert (summary.segments, summary.last_count, summary.events) == (3, 7, SEGMENT_SIZE * 2 + 7)
    assert [e["n"] for e in again.events("lighthouse")] == list(range(SEGMENT_SIZE * 2 + 7))
    assert [e["n"] for e in again.events("lighthouse", limit=3)] == [1004, 1005, 1006]


def test_newest_events_across_titles(private_home):
    history = History(private_home, "ann")
    for n in range(30):
        history.log(event(n, title=["a", "b", "c"][n % 3]))
    history.close()
    newest = History(private_home, "ann").events(limit=4)
    assert [e["n"] for e in newest] == [26, 27, 28, 29]


def test_the_last_session_and_where_it_stopped(private_home):
    history = History(private_home, "ann")
    for n, kind in enumerate(["start", "pause", "end"]):
        history.log(event(n, kind=kind, session="old"))
    for n, kind in enumerate(["start", "skip", "abandon", "end"], start=10):
        history.log(event(n, kind=kind, session="new"))
    session = history.last_session("lighthouse")
    assert [e["kind"] for e in session] == ["start", "skip", "abandon", "end"]
    assert resume_point(session) == 13.0
    assert resume_point(session + [event(14, kind="finish")]) is None
    assert resume_point([event(2, kind="start"), event(3, kind="abandon")]) is None  # barely started
    history.close()


def test_a_summary_that_missed_a_write_is_rebuilt_from_the_files(private_home, monkeypatch):
    history = History(private_home, "ann")
    for n in range(5):
        history.log(event(n))
    history.close()
    # A crash between writing a segment and writing the summary: the segment has events the summary lacks.
    crashing = History(private_home, "ann")
    monkeypatch.setattr(crashing, "_save_summary", lambda: None)
    for n in range(5, 9):
        crashing.log(event(n))
    crashing.flush()
    monkeypatch.undo()
    again = History(private_home, "ann")
    assert again.counts() == (9, 0)
    for n in range(9, 12):
        again.log(event(n))
    again.close()
    assert [e["n"] for e in History(private_home, "ann").events()] == list(range(12))


def test_viewers_have_separate_histories_and_are_listed(private_home, capsys):
    for viewer, count in (("ann", 3), ("bob", 5)):
        history = History(private_home, viewer)
        for n in range(count):
            history.log(event(n, kind="start" if n == 0 else "pause"))
        history.close()
    assert [(v["viewer"], v["events"], v["sessions"]) for v in list_viewers(private_home)] == [
        ("ann", 3, 1), ("bob", 5, 1)]
    assert run(["viewers", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(v["viewer"], v["events"], v["sessions"]) for v in listed] == [("ann", 3, 1), ("bob", 5, 1)]
    assert len(History(private_home, "ann").events()) == 3


def test_export_writes_json_lines_and_erase_asks_first(private_home, tmp_path, capsys, monkeypatch):
    history = History(private_home, "ann")
    for n in range(12):
        history.log(event(n, title=["a", "b"][n % 2]))
    history.close()
    target = tmp_path / "out" / "ann.jsonl"
    assert run(["history", "export", str(target), "--viewer", "ann"]) == 0
    lines = target.read_text().splitlines()
    assert [json.loads(line)["n"] for line in lines] == list(range(12))
    monkeypatch.setattr("sys.stdin", open("/dev/null"))
    assert run(["history", "erase", "--viewer", "ann"]) == 1  # asked, no answer: nothing erased
    assert History(private_home, "ann").counts()[0] == 12
    assert run(["history", "erase", "--viewer", "ann", "--yes"]) == 0
    assert History(private_home, "ann").counts() == (0, 0)
    assert "Erased 12 events" in capsys.readouterr().out


def test_log_only_queues(private_home, monkeypatch):
    """The calling thread never touches the disk: with the writer held off, log() still returns at once."""
    history = History(private_home, "ann", flush_delay=3600)
    calls = []
    monkeypatch.setattr(history_module, "atomic_write", lambda *a: calls.append(a))
    for n in range(100):
        history.log(event(n))
    assert history.pending == 100 and calls == []
