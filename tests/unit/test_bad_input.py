"""Bad input from outside (the data dir, saved files, config.toml, options) gets one clear line and exit code 2,
never a traceback, and nothing already saved is lost."""

import errno
import json
import os
from pathlib import Path

import pytest

from player.cli import run
from player.engine.history.store import History

COMMANDS = [["history"], ["history", "show", "lighthouse"], ["profile"], ["endings"], ["history", "erase", "--yes"],
            ["replay", "abc"], ["lighthouse", "--no-ai"], ["history", "export", "-"]]


def event(n: int, **fields) -> dict:
    return {"kind": "pause", "viewer": "default", "title": "lighthouse", "session": "s1", "scene": "harbour",
            "beat": n, "position": float(n), "at": f"2026-01-01T00:00:{n:02d}Z", **fields}


def one_line(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


# -- a bad data dir ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("kind", ["a file", "/dev/null", "under a file"])
def test_a_data_dir_that_is_not_a_folder_gets_one_line(tmp_path, monkeypatch, capsys, kind, command):
    home = {"a file": tmp_path / "home", "/dev/null": Path("/dev/null"), "under a file": tmp_path / "home" / "sub"}
    (tmp_path / "home").write_text("not a folder")
    monkeypatch.setenv("WATCH_HOME", str(home[kind]))
    assert run(command) == 2
    line = one_line(capsys)
    if kind == "under a file":
        assert line.startswith(f"watch: the data directory {home[kind]} cannot be used (not a directory: ")
    else:
        assert line == (f"watch: the data directory {home[kind]} is not a folder; set WATCH_HOME to a folder you "
                        "can write to")


@pytest.fixture
def read_only_home(private_home, monkeypatch) -> Path:
    """A data dir with a history in it, on a file system that became read-only (EROFS): nothing can be created
    or written there any more. (Simulated: the tests may run as root, whom file modes do not stop.)"""
    history = History(private_home, "default")
    history.log(event(1))
    history.close()
    real_open, real_mkdir = os.open, os.mkdir

    def refuse(path):
        if Path(os.path.abspath(path)).is_relative_to(private_home):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    def open_(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def mkdir(path, *args, **kwargs):
        refuse(path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "mkdir", mkdir)
    return private_home


@pytest.mark.parametrize("command", [["profile"], ["history", "erase", "--yes"]],  # a new viewer: test_cli_viewers
                         ids=" ".join)
def test_a_read_only_data_dir_gets_one_line_and_keeps_the_history(read_only_home, capsys, command):
    assert run(command) == 2
    assert one_line(capsys).startswith(f"watch: the data directory {read_only_home} cannot be used (read-only "
                                       "file system: ")
    assert [e["beat"] for e in History(read_only_home, "default").events()] == [1]


def test_a_read_only_data_dir_can_still_be_read(read_only_home, capsys):
    assert run(["history", "--json"]) == 0
    assert '"beat": 1' in capsys.readouterr().out


# -- a damaged saved ending -------------------------------------------------------------------------------
def saved_endings(home: Path) -> tuple[str, str]:
    """Two saved endings of the default viewer; returns their ids."""
    from player.engine.ending import endings_store

    history = History(home, "default")
    ids = tuple(endings_store.save(history, {"title": "lighthouse", "film": "The Last Lighthouse", "seed": seed,
                                             "beats": [{"kind": "action", "text": "Mara laughs.", "tags": []}]})
                for seed in (1, 2))
    history.close()
    return ids


def endings_dir(home: Path) -> Path:
    return home / "viewers" / "default" / "endings"


@pytest.mark.parametrize("damage, reason", [
    (lambda text: text.replace('"title":"lighthouse",', ""), "a saved ending without a valid title"),
    (lambda text: text[:40], "not valid JSON"),
], ids=["without a title", "truncated"])
def test_a_damaged_saved_ending_is_moved_aside_and_watch_endings_says_so(private_home, capsys, damage, reason):
    good, bad = saved_endings(private_home)
    path = endings_dir(private_home) / f"{bad}.json"
    path.write_text(damage(path.read_text()))
    assert run(["endings", "--json"]) == 0
    captured = capsys.readouterr()
    assert [row["id"] for row in json.loads(captured.out)] == [good]
    assert "Traceback" not in captured.err and len(captured.err.splitlines()) == 1
    assert f"{bad}.json was damaged ({reason}); moved it aside to {bad}.json.corrupt-" in captured.err
    assert [p.name.split(".corrupt-")[0] for p in endings_dir(private_home).glob("*.corrupt-*")] == [f"{bad}.json"]


def test_replaying_an_ending_without_a_title_says_it_is_damaged(private_home, capsys):
    _, bad = saved_endings(private_home)
    path = endings_dir(private_home) / f"{bad}.json"
    path.write_text(path.read_text().replace('"title":"lighthouse",', ""))
    assert run(["replay", bad]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.err.splitlines()[1:] == [
        f"watch: the saved ending {bad} is damaged, so it cannot be replayed"]
    assert "was damaged (a saved ending without a valid title); moved it aside" in captured.err.splitlines()[0]


# -- config.toml and options ------------------------------------------------------------------------------
def test_a_config_nested_5000_deep_gets_one_line(private_home, capsys):
    private_home.mkdir(parents=True)
    (private_home / "config.toml").write_text("threads = " + "[" * 5000 + "]" * 5000 + "\n")
    for command in (["lighthouse"], ["models"]):
        assert run(command) == 2
        assert one_line(capsys) == (f"watch: {private_home / 'config.toml'} is not a readable TOML file: it is "
                                    "nested too deep")


def test_an_empty_model_in_the_config_is_called_empty(private_home, capsys):
    private_home.mkdir(parents=True)
    (private_home / "config.toml").write_text('model = ""\n')
    assert run(["lighthouse"]) == 2
    assert one_line(capsys) == (f"watch: {private_home / 'config.toml'}: `model` is empty; give it a value or "
                                "remove the line")


@pytest.mark.parametrize("seed", ["4294967296", "4294967301", "-1"])
def test_a_seed_out_of_range_is_refused(private_home, capsys, monkeypatch, seed):
    def play(*args):
        raise AssertionError("the film started with a seed that wraps round to another")

    monkeypatch.setattr("player.cli._run_app", play)
    assert run(["lighthouse", "--no-ai", "--seed", seed]) == 2
    assert one_line(capsys) == f"watch: --seed {seed} is out of range; use 0 to 4294967295"


# -- watch history --------------------------------------------------------------------------------------------
def test_history_shows_events_that_lack_fields(private_home, capsys):
    history = History(private_home, "default")
    history.log(event(1))
    history.log({"kind": "pause", "title": "lighthouse", "at": "2026-01-01T00:00:02Z"})  # a hand-edited one
    history.log({"title": "lighthouse", "scene": "harbour", "position": 3})
    history.close()
    assert run(["history"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.splitlines() == [  # oldest first: no time sorts first
        "?  ?        lighthouse     harbour#?  @3.0s  ",
        "2026-01-01T00:00:01Z  pause    lighthouse     harbour#1  @1.0s  ",
        "2026-01-01T00:00:02Z  pause    lighthouse     ?#?  @?  "]
