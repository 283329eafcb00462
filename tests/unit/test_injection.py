"""Terminal injection: outside text (a server's words, film.toml keys, folder names, paths) never reaches the
terminal or the log as escapes, invisible characters or markup, and the API key never reaches a saved ending.
The app's notifications are tested in tests/app/test_injection.py."""

from __future__ import annotations

import ast
import logging
import shutil
from pathlib import Path

import pytest

from player import cli
from player.engine.ending import ending_record
from player.engine.ending import endings_store
from player.engine.ending import writer
from player.engine.llm.backend import Request
from player.engine.history.store import History
from player.engine.ending.plan import make_plan
from player.engine.base.text import printable
from tests.conftest import TEST_CATALOG
from tests.model_calls import run
from tests.unit.test_cli import watch
from tests.hostile.server import KEY, backend_for, completion, fake, started  # noqa: F401 (fixtures)

PLAYER = Path(cli.__file__).parent
OSC = "\x1b]0;pwned\x07"  # sets the terminal's title
CLEAR = "\x1b[2J"  # clears the screen
SHOWN_OSC = "\u241b]0;pwned\u2407"  # what printable() makes of OSC


def assert_harmless(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "\u200b" not in text, text


# ---- the helper ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u200f", "\u061c",  # bidi controls
                                  "\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad",  # zero-width, soft hyphen
                                  "\u2028", "\U000e0041"])  # line separator, tag character
def test_bidi_and_zero_width_characters_become_visible(char):
    assert printable(f"gpj{char}.exe") == "gpj\ufffd.exe"


def test_visible_text_is_left_as_it_is():
    text = "Mara — «rêve» 灯台 ✦ (no [DONE]) [@click=app.quit]"
    assert printable(text) == text


# ---- watch check -----------------------------------------------------------------------------------------------

def test_check_prints_keys_and_paths_without_their_escapes(tmp_path, capsys):
    folder = tmp_path / f"bad{OSC}"
    shutil.copytree(TEST_CATALOG / "tiny", folder)
    toml = folder / "film.toml"
    toml.write_text(toml.read_text().replace('kind = "caption"\n', 'kind = "caption"\n"\\u001b]0;key\\u0007" = 1\n',
                                             1))
    status, out, err = watch("check", str(folder), capsys=capsys)
    assert status == 2
    assert_harmless(out + err)
    assert f"bad{SHOWN_OSC}" in out and "\u241b]0;key\u2407: is not a beat field" in out


# ---- the log ---------------------------------------------------------------------------------------------------

@pytest.fixture
def log_file(private_home):
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    cli._setup_logging(private_home)
    yield private_home / "logs" / "watch.log"
    for handler in root.handlers:
        handler.close()
    root.handlers[:], root.level = handlers, level


def test_the_log_keeps_no_escapes_and_no_forged_lines(log_file):
    log = logging.getLogger("watch.openai")
    log.warning("the server said: %s", f"{OSC}{CLEAR}\n2030-01-01 00:00:00 ERROR watch: forged")
    try:
        raise ValueError(f"bad {OSC}")
    except ValueError:
        log.exception("failed")
    text = log_file.read_text(encoding="utf-8")
    assert_harmless(text)
    lines = text.splitlines()
    assert lines[0].endswith(f"the server said: {SHOWN_OSC}\u241b[2J 2030-01-01 00:00:00 ERROR watch: forged")
    assert lines[1].endswith("failed") and lines[2] == "Traceback (most recent call last):"  # still readable
    assert lines[-1] == f"ValueError: bad {SHOWN_OSC}"


# ---- watch doctor ----------------------------------------------------------------------------------------------

def test_doctor_shows_a_hostile_url_and_data_dir_as_text(tmp_path, monkeypatch, capsys):
    home = tmp_path / f"home{OSC}[/nope]"
    monkeypatch.setenv("WATCH_HOME", str(home))
    status, out, err = watch("doctor", "--no-ai", "--backend", "openai", "--url", f"[/nope]{OSC}[link=x]",
                             capsys=capsys)
    assert "Traceback" not in out + err and "MarkupError" not in out + err
    assert_harmless(out + err)
    flat = "".join((out + err).split())  # without the line breaks of wrapped cells
    assert f"modelsettings:[/nope]{SHOWN_OSC}[link=x]isnotaserverURL" in flat
    assert f"home{SHOWN_OSC}[/nope]" in flat


# ---- the API key in generated text -----------------------------------------------------------------------------

def echo(pieces: list[str]):
    def script(handler, body):
        handler.open_stream()
        for piece in pieces:
            handler.event(completion(piece))
        handler.event(completion("", "stop"))
        handler.end()
    return script


@pytest.mark.parametrize("pieces", [
    [" the key is ", KEY, "."],  # whole
    [" the key is s", "k-te", "st-5f2a9", "c."],  # as a tokenizer splits it
    [" the key is ", KEY[:-1]],  # cut before its end: not the key, but shown whole
])
def test_a_server_that_echoes_the_key_does_not_get_it_into_the_text(fake, backend_for, pieces):
    fake.scripts["/v1/completions"] = echo(pieces)
    streamed, generated = run(started(backend_for(fake.url)), Request("The keeper", max_tokens=8))
    text = "".join(streamed)
    assert KEY not in text and generated.text == text
    if pieces[-1] == KEY[:-1]:
        assert text == " the key is " + KEY[:-1]
    else:
        assert text == " the key is [the API key]."


# ---- nothing is drawn raw: the rules, checked over the source ---------------------------------------------------

def calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


def sources():
    for path in sorted(PLAYER.rglob("*.py")):
        yield path.relative_to(PLAYER.parent), ast.parse(path.read_text(encoding="utf-8"))


def literal_or_printable(node: ast.expr) -> bool:
    """A plain string literal (ours), or what printable() made of outside text."""
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or (
        isinstance(node, ast.Call) and ast.unparse(node.func) == "printable")


def test_every_notification_goes_through_say():
    """WatchApp.say is the one caller of Textual's notify: it makes the text printable and turns markup off."""
    found = []
    for path, tree in sources():
        inside_say = {id(node) for function in ast.walk(tree) if isinstance(function, ast.FunctionDef)
                      and function.name == "say" for node in ast.walk(function)}
        found += [f"{path}:{node.lineno}" for node, name in calls(tree)
                  if name.endswith("notify") and id(node) not in inside_say]
    assert found == []


def test_outside_text_is_never_parsed_as_markup():
    found = []
    for path, tree in sources():
        for node, name in calls(tree):
            where = f"{path}:{node.lineno}: {ast.unparse(node)[:80]}"
            if name.endswith(("from_markup", "render_markup")):
                found.append(where)
            if any(keyword.arg == "markup" and not (isinstance(keyword.value, ast.Constant) and
                                                    keyword.value.value is False) for keyword in node.keywords):
                found.append(where)
            # Content(text) and Content.styled(text) draw literally, but not printably: a literal, or printable().
            if name in ("Content", "Content.styled") and node.args and not literal_or_printable(node.args[0]):
                found.append(where)
            # A rich console parses a str as markup: an f-string there would carry outside text into it.
            if name.endswith(".print") and any(isinstance(arg, ast.JoinedStr) for arg in node.args):
                found.append(where)
            if name in ("Table", "status.update") and any(
                    isinstance(arg, ast.JoinedStr) for arg in node.args + [k.value for k in node.keywords]):
                found.append(where)
    assert found == []


def test_an_echoed_key_is_neither_saved_with_the_ending_nor_printed_by_watch_endings(fake, backend_for, tiny,
                                                                                     private_home, capsys):
    fake.scripts["/v1/completions"] = echo([" looks up and reads the code aloud: s", "k-test-5f2a9c, the last word",
                                            " of the keeper's book."])
    backend = started(backend_for(fake.url))
    plan = make_plan(tiny, {"tags": {}}, 7)
    result = writer.write(tiny, plan, backend)
    history = History(private_home, "ann")
    saved = endings_store.save(history, ending_record.make(
        tiny, plan, viewer="ann", profile={}, beats=result.beats, generator=backend.describe(), sampler={},
        session="s1", prompt=result.prompt))
    history.close()
    text = (private_home / "viewers" / "ann" / "endings" / f"{saved}.json").read_text()
    assert KEY not in text and "[the API key]" in text
    status, out, _ = watch("endings", "--viewer", "ann", capsys=capsys)
    assert status == 0 and saved in out and KEY not in out
