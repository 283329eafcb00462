"""The commands that read a viewer's data: a typo is bad input (and creates nothing), `watch history` says what
it leaves out, and every count in the CLI reads right ("1 event")."""

from __future__ import annotations

import json

import pytest

from player.cli import run
from player.engine.history.store import History
from tests.conftest import TEST_CATALOG


def watch(*args: str, capsys) -> tuple[int, str, str]:
    status = run(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def record(home, viewer: str, count: int, title: str = "lighthouse", rates: dict[int, int] | None = None) -> None:
    """`count` events of one session of `title`, a second apart; `rates`: event index -> rating."""
    history = History(home, viewer)
    for index in range(count):
        kind = "start" if index == 0 else "rate" if index in (rates or {}) else "pause"
        event = {"kind": kind, "viewer": viewer, "title": title, "session": f"s-{title}", "scene": "a",
                 "beat": index, "position": float(index), "at": f"2026-01-01T{index // 3600:02d}:"
                                                                f"{index // 60 % 60:02d}:{index % 60:02d}.000Z"}
        if kind == "rate":
            event.update(rating=rates[index], ending="yours", tags=["hopeful"])
        history.log(event)
    history.close()


READING_COMMANDS = [("history",), ("history", "show"), ("history", "lighthouse"), ("history", "export", "-"),
                    ("history", "erase", "--yes"), ("profile",), ("profile", "--json"), ("endings",),
                    ("endings", "--json"), ("replay", "abc123"), ("doctor", "--no-ai", "--json")]


@pytest.mark.parametrize("command", READING_COMMANDS, ids=" ".join)
def test_a_command_that_reads_a_viewer_refuses_one_who_does_not_exist_and_creates_nothing(capsys, private_home,
                                                                                        command):
    record(private_home, "bob", 3)
    record(private_home, "ann", 1)
    status, out, err = watch(*command, "--viewer", "typo", capsys=capsys)
    assert status == 2 and out == ""
    assert err.startswith("watch: there is no viewer 'typo'; the viewers are: ann, bob")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not [path for path in (private_home / "viewers").iterdir() if "typo" in path.name]
    assert History(private_home, "bob").counts() == (3, 1)  # `erase --yes` erased no one


def test_export_to_a_file_for_an_unknown_viewer_writes_no_file(capsys, private_home, tmp_path):
    status, _, err = watch("history", "export", str(tmp_path / "out.jsonl"), "--viewer", "typo", capsys=capsys)
    assert status == 2 and "there are no viewers yet" in err
    assert not (tmp_path / "out.jsonl").exists() and not (private_home / "viewers" / "typo").exists()


def test_playing_starts_a_new_viewer_and_the_default_viewer_needs_no_history(capsys, private_home, monkeypatch):
    played = []
    monkeypatch.setattr("player.app.make_app", lambda services, **kwargs: services)
    monkeypatch.setattr("player.cli._run_app", lambda services, history, noted: played.append(services.viewer))
    assert watch("history", "--viewer", "newbie", capsys=capsys)[0] == 2
    status, _, err = watch("lighthouse", "--viewer", "newbie", "--no-ai", capsys=capsys)
    assert status == 0 and played == ["newbie"] and err == ""
    record(private_home, "newbie", 2)  # what the player it started records
    status, out, _ = watch("history", "--viewer", "newbie", capsys=capsys)
    assert status == 0 and out.count("lighthouse") == 2
    status, out, err = watch("history", capsys=capsys)  # the default viewer, on a machine where it never played
    assert (status, out, err) == (0, "No history yet for viewer default.\n", "")


def test_a_title_that_matches_nothing_is_bad_input_not_an_empty_history(capsys, private_home):
    record(private_home, "bob", 65)
    record(private_home, "bob", 2, title="gone")  # a title since removed from the catalog
    status, out, err = watch("history", "nosuchtitle", "--viewer", "bob", capsys=capsys)
    assert status == 2 and out == "" and err.startswith("watch: no title matches 'nosuchtitle'")
    assert len(err.strip().splitlines()) == 1
    status, out, _ = watch("history", "light", "--viewer", "bob", "--json", capsys=capsys)
    assert status == 0 and len(json.loads(out)) == 65
    status, out, _ = watch("history", "Gone", "--viewer", "bob", "--json", capsys=capsys)  # by its id, any case
    assert status == 0 and [event["title"] for event in json.loads(out)] == ["gone", "gone"]


def test_history_says_when_it_shows_only_the_newest_events(capsys, private_home):
    record(private_home, "bob", 65)
    record(private_home, "bob", 3, title="tallow")
    status, out, err = watch("history", "--viewer", "bob", capsys=capsys)
    assert status == 0 and len(out.splitlines()) == 50
    assert err == "newest 50 of 68 events; --all or --limit N to see more\n"
    status, out, err = watch("history", "lighthouse", "--viewer", "bob", "--limit", "10", capsys=capsys)
    assert len(out.splitlines()) == 10 and err == "newest 10 of 65 events; --all or --limit N to see more\n"
    status, out, err = watch("history", "--viewer", "bob", "--all", capsys=capsys)
    assert status == 0 and len(out.splitlines()) == 68 and err == ""
    status, out, err = watch("history", "tallow", "--viewer", "bob", capsys=capsys)
    assert len(out.splitlines()) == 3 and err == ""  # nothing left out, nothing said
    status, _, err = watch("history", "--viewer", "bob", "--all", "--limit", "3", capsys=capsys)
    assert status == 2 and err == "watch: use --all or --limit N, not both\n"


def test_rate_rows_say_up_or_down(capsys, private_home):
    record(private_home, "bob", 4, rates={1: 1, 2: -1})
    _, out, _ = watch("history", "--viewer", "bob", capsys=capsys)
    rows = [line for line in out.splitlines() if " rate " in line]
    assert len(rows) == 2
    assert rows[0].split("@1.0s")[1].split() == ["up", "ending=yours"]
    assert rows[1].split("@2.0s")[1].split() == ["down", "ending=yours"]


def test_counts_of_one_are_singular(capsys, private_home, tmp_path, monkeypatch):
    record(private_home, "bob", 1)
    _, out, _ = watch("viewers", capsys=capsys)
    assert out.split() == ["bob", "1", "event", "1", "session", "1", "title"]
    record(private_home, "ann", 2)
    record(private_home, "ann", 1, title="tallow")
    _, out, _ = watch("viewers", capsys=capsys)
    assert out.splitlines()[0].split() == ["ann", "3", "events", "2", "sessions", "2", "titles"]
    _, _, err = watch("history", "export", str(tmp_path / "bob.jsonl"), "--viewer", "bob", capsys=capsys)
    assert f"Wrote 1 event of viewer bob to {tmp_path / 'bob.jsonl'}." in err
    _, out, _ = watch("profile", "--viewer", "bob", capsys=capsys)
    assert "\n1 event, 1 session  ·  as of" in out
    _, out, _ = watch("check", str(TEST_CATALOG / "literal"), capsys=capsys)
    assert "literal: ok: 1 scene, main" in out
    monkeypatch.setattr("sys.stdin", open("/dev/null"))
    status, out, _ = watch("history", "erase", "--viewer", "bob", capsys=capsys)
    assert status == 1 and "Erase 1 event (1 session) of viewer bob?" in out
    status, out, _ = watch("history", "erase", "--viewer", "bob", "--yes", capsys=capsys)
    assert status == 0 and out == "Erased 1 event of viewer bob.\n"
