"""The installed `watch` in a real terminal (tmux) against a hostile OpenAI-compatible server
(tests/hostile/server.py) whose model name, words and error message are HOSTILE: terminal escapes (one sets the
title to "pwned", one clears the screen), Textual markup (a link, an action), invalid markup and bidi /
zero-width characters. None of it reaches the terminal raw: the pane keeps its title, holds no escape but the
player's own colours, and shows the text as printable() writes it (stand-ins for the escapes and the invisible
characters, the markup as literal text), in the ending as it streams in, in the failure notification and in
`watch doctor`'s table; and nothing crashes."""

from __future__ import annotations

import re

import pytest

from tests.e2e.tmux import Terminal, choose_your_ending, reach_your_ending, watch_executable
from tests.hostile.server import HOSTILE, completion, fake, stream_words  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.hostile]

# HOSTILE as printable() must show it (␛ for ESC, ␇ for BEL, � for the bidi override and the zero-width space),
# word by word: a table or a toast may wrap the line
SHOWN = HOSTILE.translate({0x1B: "\u241b", 0x07: "\u2407", 0x202E: "\ufffd", 0x200B: "\ufffd"}).split()
ACTION = "[@click=app.quit]quit[/]"  # in view once the text is: a word printable() leaves as it is
SGR = re.compile(r"\x1b\[[0-9;:]*m")  # colours and attributes: the only escapes capture-pane -e may hold


def hostile_words(handler, body: dict) -> None:
    """HOSTILE as the words of every request. The second beat's (its prompt holds the first beat's words) then
    keeps its stream open until the test has looked (server.release), so they stay on screen at any speed; 20 s at
    most, under the 30 s the player waits for a next word."""
    handler.open_stream()
    handler.event(completion(f" {HOSTILE}"))
    if "pwned" in body["prompt"]:
        handler.server.release.wait(20)
    handler.event(completion("", "length"))
    handler.end()


def hostile_error(handler, body: dict) -> None:
    """The prewarm (1 token) is answered; every other request gets a 500 whose error message is HOSTILE."""
    if body["max_tokens"] == 1:
        stream_words([" The"])(handler, body)
    else:
        handler.json(500, {"error": {"message": HOSTILE}})


def run(server, home, *args: str, width: int = 120) -> tuple[Terminal, str]:
    """`watch ARGS` against the server, and the pane's title before it wrote anything (tmux names a new pane
    after the host). 120 columns, so that a toast is 60 wide and no word of SHOWN is folded; COLUMNS and LINES
    say so, as the pytest process's readline has set them to 80 and 24 for every child (and Textual reads them
    before the terminal's size)."""
    env = {"WATCH_HOME": str(home), "TERM": "xterm-256color", "WATCH_BACKEND": "openai", "WATCH_URL": server.url,
           "WATCH_API_KEY": "sk-test-secret", "COLUMNS": str(width), "LINES": "30"}
    terminal = Terminal([watch_executable(), *args], env, width=width)
    return terminal, terminal.title()


def assert_harmless(terminal: Terminal, title: str, screen: str) -> None:
    """None of the server's text ran, and it was shown (`screen` holds it as printable() writes it)."""
    assert terminal.title() == title  # "\x1b]0;pwned\x07" would have made it "pwned"
    raw = terminal.screen_with_escapes()
    assert not re.search("[\x1b\x07]", SGR.sub("", raw)), repr(raw)  # no OSC (title, link), no clear
    assert "\u202e" not in raw and "\u200b" not in raw, repr(raw)  # no bidi override, no zero-width space
    assert "Traceback" not in raw
    missing = [word for word in SHOWN if word not in screen]
    assert not missing, f"{missing} not shown; the screen was:\n{screen}"


def test_a_hostile_ending_streams_in_as_text(fake, private_home):
    fake.ids = [HOSTILE]
    fake.scripts["/v1/completions"] = hostile_words
    # a fixed seed: the plan's opener comes before the words in the caption, and a long one would cut them short
    terminal, title = run(fake, private_home, "lighthouse", "--speed", "16", "--seed", "3")
    try:
        reach_your_ending(terminal)  # its first beat is HOSTILE; the second holds its stream open
        assert_harmless(terminal, title, terminal.wait_for(ACTION, timeout=60))
        fake.release.set()
        terminal.wait_for("THE END", timeout=120)  # [@click=app.quit] quit nothing, [/nope] crashed nothing
        assert terminal.title() == title  # nor did the first beat, shown only for a moment at 16x
        terminal.keys("q")
        assert terminal.exit_status() == 0
    finally:
        terminal.close()


def test_a_hostile_error_is_shown_as_text(fake, private_home):
    fake.ids = [HOSTILE]
    fake.scripts["/v1/completions"] = hostile_error
    terminal, title = run(fake, private_home, "lighthouse", "--speed", "16")
    try:
        choose_your_ending(terminal)
        assert_harmless(terminal, title, terminal.wait_for(ACTION, timeout=60))  # in the notification
        terminal.wait_for("THE END", timeout=120)  # the authored ending the player fell back on
        assert terminal.title() == title
        terminal.keys("q")
        assert terminal.exit_status() == 0
    finally:
        terminal.close()


def test_doctor_shows_a_hostile_name_and_error_as_text(fake, private_home):
    fake.ids = [HOSTILE]  # the "server" row names the model
    fake.scripts["/v1/completions"] = hostile_error  # the "test generation" row quotes the error
    terminal, title = run(fake, private_home, "doctor", width=220)
    try:
        assert terminal.exit_status(timeout=60) == 1  # a check failed: the test generation
        screen = terminal.screen()
        assert_harmless(terminal, title, screen)
        assert screen.count(SHOWN[0]) == 2, screen  # in the name and in the error
    finally:
        terminal.close()
