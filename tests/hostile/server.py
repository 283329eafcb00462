"""A fake OpenAI-compatible server on 127.0.0.1 (http.server in a thread) that answers as each test's script says,
honestly or with hostility. Used by tests/unit/test_openai_backend.py and everything under tests/hostile/, and
reachable from another process (the installed `watch` in tmux) at `server.url`.

What a script can do, besides answering well (the defaults below):
- send escapes, markup and invalid markup (ESCAPES, MARKUP, INVALID_MARKUP, HOSTILE) as text or in an error;
- dribble bytes (dribble_json, dribble_stream): one byte at a time, with a pause between;
- cut the stream (raw_stream(..., cut=True)): a chunk that promises more than is sent, then the connection closes;
- nest deeply (nested): JSON arrays thousands deep;
- echo the key (echo_key): the bearer token it was sent, as the completion's text;
- answer with HTTP/1.0 (server.protocol = "HTTP/1.0": no chunks, the body ends when the connection closes), or
  with HTTP/1.1 and `Connection: close` (server.connection_close = True).

The fixtures `fake`, `backend_for` and `log_text` are imported by the test modules and conftest that use them;
one_line_error() and failure() check that a failure is one short line without the key.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

import pytest

from player.engine.llm.backend import Request
from player.engine.llm.openai_backend import OpenAIBackend
from tests.model_calls import one_line_error as local_one_line_error
from tests.model_calls import run

KEY = "sk-test-5f2a9c"
WORDS = [" The", " lamp", " turns", " once", " more", "."]
ESCAPES = "\x1b]0;pwned\x07 \x1b[2J"  # sets the terminal's title, clears the screen
MARKUP = "[link=https://example.com]click[/link] [@click=app.quit]quit[/]"  # Textual markup: a link, an action
INVALID_MARKUP = "[/nope]"  # a closing tag that closes nothing: MarkupError if it is parsed
HOSTILE = f"{ESCAPES} {MARKUP} {INVALID_MARKUP} \u202eevil\u200b"  # and a bidi override, a zero-width space


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    body: dict | None


class Handler(BaseHTTPRequestHandler):
    """Answers as the test's script says (server.scripts, by path); streams are chunked, as uvicorn sends them,
    unless the server speaks HTTP/1.0."""

    server: Fake

    def setup(self) -> None:
        super().setup()
        self.protocol_version = self.server.protocol

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(None)

    def do_POST(self) -> None:
        self._answer(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))

    def _answer(self, body: dict | None) -> None:
        self.server.seen.append(Seen(self.command, self.path, dict(self.headers), body))
        script = self.server.scripts.get(self.path, DEFAULTS.get(self.path, not_found))
        try:
            script(self, body)
        except (BrokenPipeError, ConnectionResetError):
            self.server.hung_up.set()
        self.close_connection = True

    @property
    def chunked(self) -> bool:
        return self.protocol_version == "HTTP/1.1"

    def json(self, status: int, data) -> None:
        self.raw_json(status, json.dumps(data).encode())

    def raw_json(self, status: int, raw: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def open_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        if self.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        if self.server.connection_close:
            self.send_header("Connection", "close")
        self.end_headers()

    def send(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if self.chunked else data)
        self.wfile.flush()

    def event(self, data: dict) -> None:
        self.send(b"data: " + json.dumps(data).encode() + b"\n\n")

    def end(self, done: bool = True) -> None:
        if done:
            self.send(b"data: [DONE]\n\n")
        if self.chunked:
            self.wfile.write(b"0\r\n\r\n")


def completion(text: str, finish: str | None = None) -> dict:
    return {"object": "text_completion", "choices": [{"index": 0, "text": text, "finish_reason": finish}]}


def delta(content: str | None = None, role: str | None = None, finish: str | None = None) -> dict:
    piece = {key: value for key, value in (("role", role), ("content", content)) if value is not None}
    return {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": piece, "finish_reason": finish}]}


def stream_words(words: list[str], usage: dict | None = None) -> Callable:
    def script(handler: Handler, body: dict) -> None:
        handler.open_stream()
        handler.send(b": ping\n\n")  # a comment, as sse-starlette pings
        for word in words:
            handler.event(completion(word))
        handler.event(completion("", "length"))
        if usage:
            handler.event({"choices": [], "usage": usage})
        handler.end()
    return script


def raw_stream(*chunks: bytes, cut: bool = False) -> Callable:
    """A stream of exactly these bytes, each chunk sent as it is; `cut`: then a chunk that promises 64 bytes, and
    the connection closes after 9."""
    def script(handler: Handler, body: dict) -> None:
        handler.open_stream()
        for chunk in chunks:
            handler.send(chunk)
        if cut:
            handler.wfile.write(b'40\r\ndata: {"c')
        else:
            handler.end(done=False)
    return script


def dribble_stream(raw: bytes, every: float, after: tuple[bytes, ...] = ()) -> Callable:
    """A stream that sends the chunks `after` at once, then `raw` one byte every `every` seconds, then ends (no
    [DONE]). The pauses end early when the test is over."""
    def script(handler: Handler, body: dict) -> None:
        handler.open_stream()
        for chunk in after:
            handler.send(chunk)
        for byte in raw:
            if handler.server.release.wait(every):
                return
            handler.send(bytes([byte]))
        handler.end(done=False)
    return script


def dribble_json(data, every: float) -> Callable:
    """A JSON answer whose headers come at once and whose body comes one byte every `every` seconds."""
    raw = json.dumps(data).encode()

    def script(handler: Handler, body: dict | None) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        handler.end_headers()
        handler.wfile.flush()
        for byte in raw:
            if handler.server.release.wait(every):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
    return script


def nested(depth: int) -> str:
    """JSON arrays `depth` deep: valid JSON that a recursive parser cannot read."""
    return "[" * depth + "]" * depth


def echo_key(handler: Handler, body: dict) -> None:
    """A completion whose text is the key the request carried, in two pieces, as a proxy that echoes headers
    might send it."""
    key = handler.headers.get("Authorization", "").removeprefix("Bearer ")
    handler.open_stream()
    for piece in (" the key is ", key[:5], key[5:], "."):
        handler.event(completion(piece))
    handler.end()


def steady_words(count: int, every: float) -> Callable:
    """`count` words, one every `every` seconds, cut short when the test is over."""
    def script(handler: Handler, body: dict) -> None:
        handler.open_stream()
        for _ in range(count):
            handler.event(completion(" word"))
            if handler.server.release.wait(every):
                return
        handler.end()
    return script


slow_words = steady_words(200, 0.02)  # a stream still going when the test acts on it


def silent(handler: Handler, body: dict | None) -> None:
    """No answer at all, until the test is over."""
    handler.server.wait()


def not_found(handler: Handler, body: dict | None) -> None:
    handler.json(404, {"detail": "Not Found"})  # as FastAPI answers an unknown path


def list_models(handler: Handler, body: None) -> None:
    handler.json(200, {"object": "list", "data": [{"id": model, "object": "model"} for model in handler.server.ids]})


def chat_words(handler: Handler, body: dict) -> None:
    handler.open_stream()
    handler.event(delta(role="assistant"))
    for piece in handler.server.reply:
        handler.event(delta(piece))
    handler.event(delta(finish="stop"))
    handler.end()


DEFAULTS = {"/v1/models": list_models, "/v1/completions": stream_words(WORDS), "/v1/chat/completions": chat_words}


class Fake(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[Seen] = []
        self.scripts: dict[str, Callable] = {}
        self.ids = ["/models/gemma-3-270m-q4_k_m.gguf"]
        self.reply: list[str] = []
        self.protocol = "HTTP/1.1"  # or "HTTP/1.0"
        self.connection_close = False  # streams say `Connection: close`
        self.release = threading.Event()  # ends the scripts that wait (stalls, dribbles)
        self.hung_up = threading.Event()  # a script found the client gone

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def wait(self) -> None:
        self.release.wait(10)

    def posted(self) -> list[dict]:
        return [seen.body for seen in self.seen if seen.method == "POST"]


@pytest.fixture
def fake():
    server = Fake()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def log_text(caplog):
    caplog.set_level(logging.DEBUG, logger="watch")
    yield lambda: caplog.text
    assert KEY not in caplog.text


@pytest.fixture
def backend_for(private_home):
    """make(url, **options): an OpenAIBackend with the test key and short budgets (1 s to the first word, 0.5 s
    between words), closed after the test."""
    made: list[OpenAIBackend] = []

    def make(url: str, **options) -> OpenAIBackend:
        options = {"api_key": KEY, "home": private_home, "first_token_budget": 1.0, "stall_budget": 0.5,
                   "connect_timeout": 1.0, **options}
        made.append(OpenAIBackend(url, **options))
        return made[-1]
    yield make
    for backend in made:
        backend.close()


def started(backend: OpenAIBackend) -> OpenAIBackend:
    backend.start()
    return backend


def one_line_error(call) -> str:
    """The message of the ModelError `call` raises: one line, short, without the key."""
    message = local_one_line_error(call)
    assert KEY not in message and len(message) < 300, message
    return message


def failure(backend: OpenAIBackend, prompt: str = "The sea") -> str:
    return one_line_error(lambda: run(backend, Request(prompt, max_tokens=8)))
