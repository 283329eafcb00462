"""The command-line contract that later issues and users rely on."""

import json
import subprocess
import sys

import pytest

from player.cli import cli, run
from player.engine.history.store import History
from tests.conftest import TEST_CATALOG


def watch(*args: str, capsys) -> tuple[int, str, str]:
    status = run(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_json_has_the_promised_fields(capsys):
    status, out, _ = watch("list", "--json", capsys=capsys)
    assert status == 0
    films = json.loads(out)
    assert {"lighthouse", "tallow", "deli"} <= {film["id"] for film in films}
    for film in films:
        assert {"id", "title", "genres", "minutes"} <= set(film)
        assert 5 <= film["minutes"] <= 10


def test_watch_catalog_env_adds_a_catalog(capsys, monkeypatch):
    monkeypatch.setenv("WATCH_CATALOG", str(TEST_CATALOG))
    _, out, _ = watch("list", "--json", capsys=capsys)
    assert "tiny" in {film["id"] for film in json.loads(out)}


@pytest.mark.parametrize("args, message", [
    (("lighthose",), "no title matches 'lighthose'; did you mean: lighthouse"),
    (("t", "--catalog", str(TEST_CATALOG)), "matches more than one title"),
    (("lighthouse", "--speed", "40"), "--speed 40 is out of range; use 0.25 to 32"),
    (("lighthouse", "--speed", "fast"), "Invalid value for '--speed'"),
    (("lighthouse", "--viewer", "../evil"), "'../evil' is not a valid viewer name"),
    (("lighthouse", "--bogus"), "No such option: --bogus"),
    (("history", "--viewer", "a/b"), "is not a valid viewer name"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, args, message):
    status, out, err = watch(*args, capsys=capsys)
    assert status == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("watch: ")
    assert "Traceback" not in err


def test_an_invalid_title_prints_every_problem_and_exits_2(capsys, tmp_path):
    folder = tmp_path / "cat" / "bad"
    folder.mkdir(parents=True)
    (folder / "film.toml").write_text('title = "Bad"\nyear = "x"\n')
    status, _, err = watch("bad", "--catalog", str(tmp_path / "cat"), capsys=capsys)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) >= 4 and all("film.toml" in line for line in lines)
    assert any("year" in line for line in lines) and any("scenes" in line for line in lines)


def test_history_json_is_newest_last_with_the_promised_fields(capsys, private_home):
    history = History(private_home, "default")
    for second, kind in enumerate(["start", "pause", "resume", "skip"]):
        history.log({"kind": kind, "viewer": "default", "title": "lighthouse", "session": "s", "scene": "a",
                     "beat": second, "position": float(second), "at": f"2026-01-01T00:00:0{second}.000Z"})
    history.log({"kind": "start", "viewer": "default", "title": "tallow", "session": "t", "scene": "b",
                 "beat": 0, "position": 0.0, "at": "2026-01-01T00:00:05.000Z"})
    history.close()
    _, out, _ = watch("history", "--json", capsys=capsys)
    events = json.loads(out)
    assert [e["kind"] for e in events] == ["start", "pause", "resume", "skip", "start"]
    for event in events:
        assert {"kind", "title", "session", "scene", "beat", "position", "at"} <= set(event)
    _, out, _ = watch("history", "lighthouse", "--json", "--limit", "2", capsys=capsys)
    assert [e["kind"] for e in json.loads(out)] == ["resume", "skip"]
    status, out, err = watch("history", "--json", "--viewer", "someone-else", capsys=capsys)
    assert status == 2 and out == "" and "there is no viewer 'someone-else'" in err  # a typo, not an empty history
    _, out, _ = watch("history", capsys=capsys)
    assert "pause" in out and "tallow" in out


def test_version_and_help_explain_every_command(capsys):
    status, out, _ = watch("--version", capsys=capsys)
    assert status == 0 and out.startswith("watch ")
    status, out, _ = watch("--help", capsys=capsys)
    assert status == 0
    for command in ("play", "list", "history", "check"):
        assert command in out
    assert watch("-h", capsys=capsys)[:2] == (0, out)
    assert not [line for line in out.splitlines()[1:] if line.endswith("...")]  # no command's help cut short
    for command in cli.registered_commands:
        assert (command.name or command.callback.__name__) in out
    for option in ("--speed", "--viewer", "--seed", "--no-ai", "--timer", "--from-start", "--threads"):
        assert option in out  # `watch TITLE` takes the play options, so the main help lists them
    status, out, _ = watch("history", "-h", capsys=capsys)
    assert status == 0 and "export" in out and "erase" in out


def test_check_validates_a_title_folder(capsys):
    status, out, _ = watch("check", str(TEST_CATALOG / "tiny"), capsys=capsys)
    assert status == 0 and "tiny: ok" in out


def test_the_console_script_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "player", "list", "--json"], capture_output=True, text=True)
    assert result.returncode == 0 and "lighthouse" in result.stdout


def test_models_json_lists_what_was_found_and_which_is_active(capsys, private_home, tmp_path):
    extra = private_home / "models" / "mine.gguf"
    extra.parent.mkdir(parents=True)
    extra.write_bytes(b"GGUF" + b"\0" * 64)
    status, out, _ = watch("models", "--json", capsys=capsys)
    rows = json.loads(out)
    assert status == 0 and {"name", "path", "source", "active"} <= set(rows[0])
    assert [row["active"] for row in rows].count(True) == 1
    assert rows[0]["path"] == str(extra) and rows[0]["active"]
    assert any(row["source"] == "default package" and not row["active"] for row in rows)
    chosen = tmp_path / "chosen.gguf"
    chosen.write_bytes(b"GGUF" + b"\0" * 64)
    _, out, _ = watch("models", "--json", "--model", str(chosen), capsys=capsys)
    rows = json.loads(out)
    assert rows[0]["path"] == str(chosen) and rows[0]["source"] == "--model" and rows[0]["active"]


def test_a_missing_model_named_on_the_command_line_is_bad_input(capsys, tmp_path):
    status, _, err = watch("lighthouse", "--model", str(tmp_path / "nope.gguf"), capsys=capsys)
    assert status == 2 and "nope.gguf" in err and len(err.strip().splitlines()) == 1


def test_endings_lists_saved_endings_and_replay_refuses_unknown_ids(capsys, private_home):
    from player.engine.ending import endings_store

    history = History(private_home, "default")
    saved = endings_store.save(history, {"title": "lighthouse", "film": "The Last Lighthouse", "seed": 12,
                                         "created": "2026-11-28T00:00:00.000Z",
                                         "generator": {"backend": "local", "model": "m", "sha256": "ab" * 32},
                                         "beats": [{"kind": "action", "text": "Mara laughs.", "tags": ["hopeful"]}]})
    status, out, _ = watch("endings", "--json", capsys=capsys)
    rows = json.loads(out)
    assert status == 0 and rows[0]["id"] == saved and rows[0]["seed"] == 12 and rows[0]["sha256"] == "ab" * 32
    status, _, err = watch("replay", "zzzzzz", capsys=capsys)
    assert status == 2 and "no saved ending has the id 'zzzzzz'" in err


def test_import_writes_into_the_user_catalog_asks_before_replacing_and_refuses_bad_files(capsys, private_home,
                                                                                         tmp_path, monkeypatch):
    from tests.conftest import FIXTURES

    screenplay = str(FIXTURES / "fountain" / "branching.fountain")
    status, out, _ = watch("import", screenplay, capsys=capsys)
    assert status == 0 and (private_home / "catalog" / "the-door" / "film.toml").is_file()
    _, out, _ = watch("list", "--json", capsys=capsys)
    assert "the-door" in {film["id"] for film in json.loads(out)}
    monkeypatch.setattr("sys.stdin", open("/dev/null"))
    status, out, _ = watch("import", screenplay, capsys=capsys)
    assert status == 1 and "Nothing imported" in out
    status, _, _ = watch("import", screenplay, "--force", capsys=capsys)
    assert status == 0
    elsewhere = tmp_path / "mine"
    status, out, _ = watch("import", screenplay, "--into", str(elsewhere), "--id", "my-door", capsys=capsys)
    assert status == 0 and (elsewhere / "my-door" / "film.toml").is_file() and "--catalog" in out
    for bad in (FIXTURES / "fountain" / "no_headings.fountain", tmp_path / "missing.fountain"):
        status, _, err = watch("import", str(bad), capsys=capsys)
        assert status == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert sorted(p.name for p in (private_home / "catalog").iterdir()) == ["the-door"]  # nothing half-written


def test_endings_name_the_server_that_wrote_them(capsys, private_home):
    from player.engine.ending import endings_store

    history = History(private_home, "default")
    beat = {"kind": "action", "text": "Mara laughs.", "tags": ["hopeful"]}
    endings_store.save(history, {"title": "lighthouse", "film": "The Last Lighthouse", "seed": 7,
                                 "created": "2026-11-28T00:00:00.000Z", "complete": False,
                                 "generator": {"backend": "openai", "url": "http://10.0.0.5:8080/v1", "model": "g"},
                                 "beats": [beat]})
    endings_store.save(history, {"title": "lighthouse", "film": "The Last Lighthouse", "seed": 8,
                                 "created": "2026-11-29T00:00:00.000Z",
                                 "generator": {"backend": "local", "model": "m", "sha256": "ab" * 32},
                                 "beats": [beat]})
    status, out, _ = watch("endings", capsys=capsys)
    assert status == 0 and out.count("written by the server at") == 1
    assert "          written by the server at http://10.0.0.5:8080/v1" in out.splitlines()
    assert "partial: 1 of 1 beat" in out and "1 beats" not in out
    rows = {row["seed"]: row for row in json.loads(watch("endings", "--json", capsys=capsys)[1])}
    assert rows[7]["url"] == "http://10.0.0.5:8080/v1" and rows[8]["url"] is None
