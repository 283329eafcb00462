"""Damaged files and failing writes: the history moves damage aside, keeps every event and says so."""

import json
import os
import stat
import tempfile
import time

import pytest

from player.cli import run
from player.engine.history import store as history_module
from player.engine.taste import profile_store
from player.engine.history.store import History
from tests.unit.test_history import event

DEEP = "[" * 100_000 + "]" * 100_000


def saved(home, count: int = 5, title: str = "lighthouse") -> History:
    history = History(home, "ann")
    for n in range(count):
        history.log(event(n, title=title))
    history.close()
    return history


def segment(history: History, title: str = "lighthouse", seq: int = 1):
    return history._segment_path(title, seq)


def set_aside(folder) -> list[str]:
    return [path.name for path in folder.iterdir() if ".corrupt-" in path.name]


def until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


# -- a segment of the wrong shape ---------------------------------------------------------------------------
SEGMENTS = {
    "a non-integer id": lambda rows: {"_default": {**rows, "x": rows["5"]}},
    "a row that is not an object": lambda rows: {"_default": {**rows, "6": 5}},
    "an event field of the wrong type": lambda rows: {"_default": {**rows, "6": {**rows["5"], "at": 5}}},
}


@pytest.mark.parametrize("damage", SEGMENTS)
def test_a_segment_of_the_wrong_shape_is_moved_aside_and_new_events_are_kept(private_home, damage):
    path = segment(saved(private_home))
    path.write_text(json.dumps(SEGMENTS[damage](json.loads(path.read_text())["_default"])))
    notices, warnings = [], []
    history = History(private_home, "ann", on_notice=notices.append, on_warning=warnings.append)
    for n in range(100, 122):  # the 22 events the hand-edited id used to cost
        history.log(event(n))
    history.close()
    assert [e["n"] for e in History(private_home, "ann").events()] == list(range(100, 122))
    assert len(set_aside(path.parent)) == 1 and "damaged" in notices[0] and warnings == []


@pytest.mark.parametrize("text", ['{"_default": {"1": ' + DEEP + "}}", '{"_default": {"x": {}}}',
                                  '{"_default": {"1": 5}}'], ids=["deep", "id x", "row 5"])
def test_reading_a_damaged_segment_moves_it_aside_instead_of_crashing(private_home, text):
    path = segment(saved(private_home))
    path.write_text(text)
    history = History(private_home, "ann")
    assert history.events() == [] and history.counts() == (0, 0)
    assert len(set_aside(path.parent)) == 1 and "damaged" in history.notices[0]


def test_history_show_and_export_say_so_and_go_on(private_home, tmp_path, capsys):
    saved(private_home, title="tallow")
    path = segment(saved(private_home), seq=1)
    path.write_text('{"_default": {"x": {}}}')
    assert run(["history", "show", "--json", "--viewer", "ann"]) == 0
    assert [e["title"] for e in json.loads(capsys.readouterr().out)] == ["tallow"] * 5
    saved(private_home)
    segment(History(private_home, "ann")).write_text('{"_default": {"1": 5}}')
    assert run(["history", "export", str(tmp_path / "out.jsonl"), "--viewer", "ann"]) == 0
    assert "damaged" in capsys.readouterr().err
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 5


# -- a summary of the wrong shape ---------------------------------------------------------------------------
@pytest.mark.parametrize("field, value", [("title", ["lighthouse"]), ("events", "x"), ("last_at", 5),
                                          ("segments", {"a": 1})])
def test_a_summary_of_the_wrong_shape_is_rebuilt_from_the_segments(private_home, field, value):
    history = saved(private_home)
    data = json.loads(history.summary_path.read_text())
    data["titles"]["1"][field] = value
    history.summary_path.write_text(json.dumps(data))
    again = History(private_home, "ann")
    assert again.counts() == (5, 0) and again.titles() == ["lighthouse"]
    assert len(set_aside(history.dir)) == 1 and "damaged" in again.notices[0]


def test_a_summary_nested_too_deep_is_rebuilt(private_home):
    history = saved(private_home)
    history.summary_path.write_text('{"titles": {"1": ' + DEEP + "}}")
    assert History(private_home, "ann").counts() == (5, 0)
    assert len(set_aside(history.dir)) == 1


# -- a profile part of the wrong shape ----------------------------------------------------------------------
@pytest.mark.parametrize("field, value", [("applied", "x"), ("applied", -1), ("tags", 5), ("events", "x"),
                                          ("records", {"quiet|lighthouse": {"c": 5, "w": 5}})])
def test_a_profile_part_of_the_wrong_shape_is_moved_aside_and_rebuilt(private_home, field, value, capsys):
    history = saved(private_home)
    profile_store.update(history)
    expected = profile_store.rebuild(History(private_home, "ann"), save=False)
    part = history.dir / f"{profile_store._part_name('lighthouse')}.json"
    data = json.loads(part.read_text())
    data["state"]["1"][field] = value
    part.write_text(json.dumps(data))
    again = History(private_home, "ann")
    assert profile_store.load(again) == expected
    assert len(set_aside(part.parent)) == 1 and "damaged" in again.notices[0]
    part.write_text(json.dumps(data))
    assert run(["profile", "--json", "--viewer", "ann"]) == 0
    assert "damaged" in capsys.readouterr().err


# -- the writer thread --------------------------------------------------------------------------------------
@pytest.fixture
def rescue_dir(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_the_writer_survives_any_exception_and_close_writes_the_rescue_file(private_home, rescue_dir,
                                                                            monkeypatch, caplog):
    warnings, notices = [], []
    history = History(private_home, "ann", on_warning=warnings.append, on_notice=notices.append, flush_delay=0)
    monkeypatch.setattr(history_module, "RETRY_DELAYS", (0.05,))
    monkeypatch.setattr(history, "_append", lambda batch: {}["a bug"])
    for n in range(3):
        history.log(event(n))
    until(lambda: warnings)
    history.log(event(3))
    until(lambda: len(warnings) > 1)
    assert history._writer.is_alive() and history.pending == 4
    assert warnings[0].startswith("history not saved (unexpected KeyError")
    history.close()
    rescue, = rescue_dir.iterdir()
    assert [json.loads(line)["n"] for line in rescue.read_text().splitlines()] == [0, 1, 2, 3]
    assert str(rescue) in notices[-1]
    assert [r.message for r in caplog.records].count("history not saved: unexpected error") == 1


def test_the_writer_recovers_after_an_unexpected_exception(private_home, monkeypatch):
    warnings = []
    history = History(private_home, "ann", on_warning=warnings.append, flush_delay=0)
    monkeypatch.setattr(history_module, "RETRY_DELAYS", (0.05,))
    real = history._append
    calls = []
    monkeypatch.setattr(history, "_append", lambda batch: real(batch) if calls.append(1) or len(calls) > 1
                        else 1 / 0)
    history.log(event(0))
    until(lambda: warnings[-1:] == [None])
    assert warnings[0].startswith("history not saved (unexpected ZeroDivisionError")
    history.log(event(1))
    history.close()
    assert [e["n"] for e in History(private_home, "ann").events()] == [0, 1]


def test_a_failing_warning_callback_does_not_stop_the_writer(private_home, monkeypatch):
    def gone(warning):
        raise RuntimeError("the screen is gone")

    real, disk_full = history_module.atomic_write, [True]

    def write(path, payload):
        if disk_full[0]:
            raise OSError(28, "No space left on device")
        real(path, payload)

    monkeypatch.setattr(history_module, "atomic_write", write)
    monkeypatch.setattr(history_module, "RETRY_DELAYS", (0.05,))
    history = History(private_home, "ann", on_warning=gone, flush_delay=0)
    history.log(event(0))
    until(lambda: history.warning)
    time.sleep(0.2)  # a few retries, each calling the broken callback
    assert history._writer.is_alive() and history.pending == 1
    disk_full[0] = False
    until(lambda: history.pending == 0)
    history.close()
    assert [e["n"] for e in History(private_home, "ann").events()] == [0]


def test_the_rescue_file_is_private(private_home, rescue_dir, monkeypatch):
    monkeypatch.setattr(history_module, "atomic_write", lambda *a: (_ for _ in ()).throw(OSError(28, "full")))
    old = os.umask(0o022)
    try:
        saved(private_home, count=2)
    finally:
        os.umask(old)
    rescue, = rescue_dir.iterdir()
    assert stat.S_IMODE(rescue.stat().st_mode) == 0o600


# -- durability -----------------------------------------------------------------------------------------
def test_segments_and_their_folders_are_fsynced_after_the_rename(private_home, monkeypatch):
    synced = []
    real = os.fsync

    def fsync(fd):
        synced.append(os.fstat(fd).st_ino)
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    history = History(private_home, "ann")
    history.log(event(0))
    history.flush()
    path = segment(history)
    for synced_path in (path, path.parent, path.parent.parent, history.summary_path, history.dir):
        assert synced_path.stat().st_ino in synced, synced_path
    synced.clear()
    history.log(event(1))
    history.close()
    assert {path.stat().st_ino, path.parent.stat().st_ino} <= set(synced)
