"""OpenAIBackend: a model on a server that speaks the OpenAI-compatible HTTP API (llama.cpp's llama-server,
llama-cpp-python's server, vLLM, Ollama), behind backend.Backend. Standard library only: the player gains no
dependency for it.

A base model gets the story prompt at `POST {url}/completions`; a chat model gets it at `{url}/chat/completions`,
in one user message that asks for the continuation (see Continuation for what that costs). Both stream
server-sent events (`data: {json}` lines, then `data: [DONE]`), read line by line.

Deadlines: a server says nothing while it reads a prompt, so it is bounded by wall-clock time. Everything in one
wait the viewer sees (backend.Wait: GET /models, the prewarm, the first word of the ending) must be done within
FIRST_TOKEN_BUDGET of the wait's start; after that each next word must come within STALL_BUDGET, and each later
request has FIRST_TOKEN_BUDGET of its own to its first word. The deadline holds for every read of the socket
(_Reader sets the socket's timeout to the time left before each one), so a server that dribbles a byte at a time,
pings without words, or sends half a line cannot hold a read past it. Pings and empty chunks are not words.
Looking the host up and connecting share CONNECT_TIMEOUT, within the same deadline: a resolver that does not
answer is not waited for (_look_up).

Prewarm sends the prefix as a 1-token completion, and every request carries `cache_prompt: true`: llama-server
then keeps the prompt's KV cache for the next request (older builds drop it unless asked). llama-cpp-python's
server reuses the longest common start of its last prompt on its own; vLLM (automatic prefix caching) and Ollama
ignore the field and reuse prefixes on their own. Either way the request at the branch point evaluates only the
ending's own lines.

The API key is sent as `Authorization: Bearer` and appears nowhere else: not in describe(), messages, the log or
the generated text (so not in a saved ending); whatever the server says is scrubbed of it, in case a proxy echoes
headers. Logs go to the `watch.openai` logger, which the CLI writes to `<data dir>/logs/watch.log`.

Thread-safety, as LocalBackend: one request at a time (a lock held for the whole stream; another caller waits up
to the stall budget, then gets ModelError). close() may be called from any thread at any time: it shuts the socket
of the request in progress, which then raises ModelError(CLOSED). Closing the iterator that
stream() returns closes its connection, which tells the server to stop generating.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import socket
import threading
import time
from functools import partial
from pathlib import Path
from typing import Iterator
from urllib.parse import SplitResult, urlsplit

from player.engine.llm import model_files
from player.engine.llm.backend import (CLOSED, FIRST_TOKEN_BUDGET, STALL_BUDGET, Generated, ModelError, Progress, Request, Wait,
                      current_wait, one_request_at_a_time)
from player.engine.base.locations import data_home
from player.engine.base.text import folded

CONNECT_TIMEOUT = 5.0  # seconds to look the host up and open a connection
MAX_LINE = 1 << 20  # a longer line is not an event stream
SHOWN = 120  # characters of the server's own words in a message
MAX_HELD = 400  # characters of a chat reply held back at most while it may still be an echo of the opener
CONNECTING = "Connecting to the server"
# Instruction first, story after: the story's prefix stays a prefix of the message, so prewarming still helps.
CHAT_ASK = ("Continue the story below from exactly where it stops. Reply with only the words that come next, "
            "with no title and no comment.\n\n")
log = logging.getLogger("watch.openai")


class OpenAIBackend:
    """backend.Backend for a model served over HTTP. See the module docstring for threads and deadlines.

    url: the API's base URL, ending in /v1. api_model: the served model's name; None asks GET /models and takes the
    first. api_key: sent as a bearer token, or None. chat: True or False forces the endpoint; None decides by the
    served name in models.toml (prompting = "chat"), else completions. home: the data dir, for its models.toml.
    """

    def __init__(self, url: str, api_model: str | None = None, api_key: str | None = None,
                 chat: bool | None = None, *, home: Path | None = None,
                 first_token_budget: float = FIRST_TOKEN_BUDGET, stall_budget: float = STALL_BUDGET,
                 connect_timeout: float = CONNECT_TIMEOUT):
        self._parts = _parse_url(url)
        self.url = _shown_url(self._parts)
        self.api_model, self.chat_flag = api_model or None, chat
        self._key = _checked_key(api_key)
        self.home = Path(home) if home is not None else data_home()
        self.first_token_budget, self.stall_budget = first_token_budget, stall_budget
        self.connect_timeout = connect_timeout
        self.model: str | None = None  # the served name, once started
        self.settings: model_files.ModelSettings | None = None
        self.chat = bool(chat)
        self._lock = threading.Lock()  # one request at a time
        self._closed = False
        # the socket of the request in progress, for close(): http.client forgets it (connection.sock = None) as
        # soon as a response will close the connection (HTTP/1.0, `Connection: close`), yet the response reads on
        self._socket: socket.socket | None = None

    def __repr__(self) -> str:  # never the key
        return f"OpenAIBackend({self.url!r}, model={self.model or self.api_model!r}, chat={self.chat})"

    # ---- Backend ---------------------------------------------------------------------------------------------

    def start(self, progress: Progress | None = None) -> None:
        """Ask the server which models it serves (GET /models): it answers, the key is right, the name is known."""
        with self._request():
            self._closed = False
            if progress:
                progress(CONNECTING, 0.0)
            served = self._served_models(current_wait())
            if not served and self.api_model is None:
                raise self._failure(f"the server at {self.url} serves no model; name one with --api-model")
            name = self.api_model or served[0]
            if served and name not in served:
                log.warning("%s does not list %r (it lists %s); asking for it anyway", self.url, name, served[:5])
            self.settings = served_settings(name, self.home)
            self.chat = self.chat_flag if self.chat_flag is not None else self.settings.prompting == "chat"
            self.model = name
            log.info("server %s: model %r, %s", self.url, name, "chat" if self.chat else "completions")
            if progress:
                progress(CONNECTING, 1.0)

    def prewarm(self, prefix: str, progress: Progress | None = None) -> None:
        """Backend.prewarm: the server reads `prefix` (a 1-token completion, cache_prompt on), so that the request
        at the branch point only evaluates the rest. A server reports no progress while it reads: the fraction
        goes from 0 to 1."""
        started = time.monotonic()
        if progress:
            progress("Reading the story", 0.0)
        for _ in self._stream(Request(prompt=prefix, max_tokens=1, stop=(), seed=0), ends_wait=False):
            pass
        if progress:
            progress("Reading the story", 1.0)
        log.info("prewarmed %d characters in %.2f s", len(prefix), time.monotonic() - started)

    def stream(self, request: Request) -> Iterator[str]:
        return self._stream(request, ends_wait=True)

    def _stream(self, request: Request, ends_wait: bool) -> Iterator[str]:
        """stream(); its first word ends the current wait unless `ends_wait` is false (a prewarm's token is not
        what the viewer waits for)."""
        with self._request():
            self._running()
            chat, wait = self.chat, current_wait()
            started = time.monotonic()
            due = _Due(wait.due(self.first_token_budget),
                       self._late("written its first word", self.first_token_budget))
            connection, response = self._open("POST", "/chat/completions" if chat else "/completions",
                                              json.dumps(self._body(request, chat)).encode(), due)
            events = Events(self, response, due)
            first, pieces = None, []
            texts = self._scrubbed(events.texts(chat, wait if ends_wait else None))
            reply = Continuation(request.prompt, request.stop) if chat else None
            try:
                for text in reply.apply(texts) if reply is not None else texts:
                    first = time.monotonic() - started if first is None else first
                    pieces.append(text)
                    yield text
            finally:  # also when the caller closes us early: the server sees the connection go and stops
                self._hang_up(connection, response)
            elapsed = time.monotonic() - started
            tokens = events.usage.get("completion_tokens")
            stopped_by = "length" if events.finish == "length" and not (reply and reply.stopped) else "stop"
            return Generated(text="".join(pieces), tokens=tokens if isinstance(tokens, int) else events.chunks,
                             first_token_seconds=first if first is not None else elapsed, seconds=elapsed,
                             stopped_by=stopped_by)

    def describe(self) -> dict:
        """What produced the text, for the saved ending: the server and the name it serves the model by."""
        described = {"backend": "openai", "url": self.url, "model": self.model or self.api_model, "chat": self.chat}
        if self.settings is not None:
            described.update(known=self.settings.known, sampler=self.settings.sampler.as_dict(),
                             max_tokens_per_beat=self.settings.max_tokens_per_beat)
        return described

    def close(self) -> None:
        self._closed = True
        sock = self._socket
        if sock is not None:
            try:  # shutdown, unlike close, also wakes a thread blocked reading the socket
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # already closed
                pass

    # ---- requests --------------------------------------------------------------------------------------------

    def _body(self, request: Request, chat: bool) -> dict:
        sampler = request.sampler
        body = {"model": self.model, "max_tokens": request.max_tokens, "temperature": sampler.temperature,
                "top_p": sampler.top_p, "seed": request.seed, "stream": True,
                "stream_options": {"include_usage": True}, "cache_prompt": True,
                # llama.cpp's own fields (llama-server, llama-cpp-python); vLLM calls the penalty repetition_penalty.
                # Servers that do not know a field ignore it.
                "top_k": sampler.top_k, "min_p": sampler.min_p, "repeat_penalty": sampler.repeat_penalty,
                "repetition_penalty": sampler.repeat_penalty}
        if chat:  # stops are applied by Continuation: a reply may open with the very newline that stops a beat
            body["messages"] = [{"role": "user", "content": CHAT_ASK + request.prompt}]
        else:
            body["prompt"] = request.prompt
            if request.stop:
                body["stop"] = list(request.stop)
        return body

    def _served_models(self, wait: Wait) -> list[str]:
        due = _Due(wait.due(self.first_token_budget), self._late("listed its models", self.first_token_budget))
        connection, response = self._open("GET", "/models", None, due)
        try:
            data = json.loads(response.read(MAX_LINE))
            return [entry["id"] for entry in data["data"] if isinstance(entry.get("id"), str)]
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            raise self._failure(f"the server at {self.url} did not list its models (GET /models); "
                                "is the URL right? it should end in /v1") from None
        except TimeoutError:
            raise self._failure(due.late) from None
        except (OSError, http.client.HTTPException) as error:
            raise self._lost(error) from None
        finally:
            self._hang_up(connection, response)

    def _open(self, method: str, path: str, data: bytes | None,
              due: _Due) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """A connection with the response's status line and headers read, all by `due`; a status >= 400 is a
        ModelError. The response reads the socket through _Reader, so the rest of it is read by `due` too."""
        parts = self._parts
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        if self._closed:
            raise ModelError(CLOSED)
        if due.left() <= 0:  # the wait was spent before this request could start (waiting for the model)
            raise self._failure(due.late)
        connection = kind(parts.hostname, parts.port)  # _connect sets its timeout
        connection.response_class = partial(_Response, due=due)
        response = None
        try:
            self._connect(connection, due)
            self._socket = connection.sock
            if self._closed:  # close() ran while it connected, before it could see the socket
                raise ModelError(CLOSED)
            headers = {"Accept": "text/event-stream" if method == "POST" else "application/json"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            if self._key:
                headers["Authorization"] = f"Bearer {self._key}"
            try:
                connection.sock.settimeout(max(0.001, due.left()))  # for sending; _Reader sets it for reading
                connection.request(method, parts.path + path, body=data, headers=headers)
                response = connection.getresponse()
            except TimeoutError:
                raise self._failure(due.late) from None
            except (OSError, http.client.HTTPException) as error:
                raise self._lost(error) from None
            if response.status >= 400:
                raise self._status_error(method, path, response)
            return connection, response
        except BaseException:
            self._hang_up(connection, response)
            raise

    def _hang_up(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse | None) -> None:
        """Close the response and the connection: the socket closes once both have let it go."""
        if response is not None:
            response.close()
        connection.close()
        self._socket = None

    def _connect(self, connection: http.client.HTTPConnection, due: _Due) -> None:
        """Look the host up, then connect to what it is, both within the connect timeout and by `due`."""
        until = time.monotonic() + min(self.connect_timeout, due.left())
        try:
            addresses = _look_up(connection.host, connection.port, until - time.monotonic())
        except socket.gaierror:
            raise self._failure(f"cannot find the server {self._parts.hostname} (DNS lookup failed); "
                                f"check the address in {self.url}") from None
        if addresses is None:
            raise self._failure(f"the lookup of {self._parts.hostname} took too long; check the address in "
                                f"{self.url} and the DNS settings")
        # http.client still sends the name (the Host header, the TLS server name); only the connect uses addresses
        connection._create_connection = partial(_connect_to, addresses)
        connection.timeout = max(0.001, until - time.monotonic())
        try:
            connection.connect()
        except ConnectionRefusedError:
            raise self._failure(f"the server at {self.url} refused the connection; is it running, on that port?"
                                ) from None
        except TimeoutError:
            if due.left() <= 0:
                raise self._failure(due.late) from None
            raise self._failure(f"the server at {self.url} did not accept a connection in "
                                f"{self.connect_timeout:g} s; is the address right?") from None
        except OSError as error:  # unreachable network, TLS failures
            raise self._failure(f"cannot reach the server at {self.url}: {_one_line(str(error), SHOWN)}") from None

    def _status_error(self, method: str, path: str, response: http.client.HTTPResponse) -> ModelError:
        try:
            raw = response.read(64 * 1024)
        except (OSError, http.client.HTTPException):
            raw = b""
        said = self._scrub(_server_words(raw))
        log.warning("%s %s%s answered %s %s: %s", method, self.url, path, response.status, response.reason,
                    said[:1000])
        status = response.status
        if status in (401, 403):
            hint = "check WATCH_API_KEY"
        elif status == 404:
            hint = "check --api-model" if "model" in said.lower() else "is the URL right? it should end in /v1"
        elif status in (429, 503):
            hint = "the server is busy or still loading; try again later"
        elif status >= 500:
            hint = "the server failed; see its own log"
        else:
            hint = "the server refused the request"
        first_line = said.strip().splitlines()[0] if said.strip() else ""
        words = f": {_one_line(first_line, SHOWN)}" if first_line else ""
        return self._failure(f"the server at {self.url} answered {status} {_one_line(response.reason, 40)}{words}; "
                             f"{hint}")

    # ---- failures --------------------------------------------------------------------------------------------

    def _late(self, doing: str, budget: float) -> str:
        return f"the server at {self.url} has not {doing} in {budget:g} s, so the request was stopped"

    def _failure(self, message: str) -> ModelError:
        """One line for the user; after close(), whatever broke is only the consequence of closing."""
        if self._closed:
            return ModelError(CLOSED)
        log.warning("%s", message)
        return ModelError(message)

    def _lost(self, error: BaseException) -> ModelError:
        log.info("connection to %s lost: %s", self.url, self._scrub(repr(error)))
        return self._failure(f"the server at {self.url} closed the connection before it finished answering")

    def _malformed(self, what: str) -> ModelError:
        return self._failure(f"the server at {self.url} sent a malformed stream: {self._scrub(what)}")

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "[the API key]") if self._key else text

    def _scrubbed(self, texts: Iterator[str]) -> Iterator[str]:
        """Generated text, scrubbed as the server's other words are: a server that echoes the key must not get it
        saved in an ending. The end of a piece that may be the start of the key waits for the next piece, so
        that a key sent in several pieces is caught too."""
        key = self._key
        if not key:
            yield from texts
            return
        held = ""
        for text in texts:
            held = self._scrub(held + text)
            wait = next((size for size in range(min(len(held), len(key) - 1), 0, -1) if held.endswith(key[:size])), 0)
            if len(held) > wait:
                yield held[:len(held) - wait]
                held = held[len(held) - wait:]
        if held:
            yield held

    # ---- thread-safety ---------------------------------------------------------------------------------------

    def _running(self) -> None:
        if self._closed:
            raise ModelError(CLOSED)
        if self.model is None:
            raise ModelError("the model is not started")

    def _request(self):
        return one_request_at_a_time(self._lock, self.stall_budget)


def _look_up(host: str, port: int, within: float) -> list[tuple] | None:
    """socket.getaddrinfo, as create_connection calls it, waited for `within` seconds at most (then None): a
    resolver that does not answer would otherwise hold the connect for as long as it likes. A lookup that takes
    longer goes on in its daemon thread, and its answer is dropped."""
    answer: list = []

    def look_up() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
        except Exception as error:  # gaierror, or a name IDNA cannot encode: raised in the caller's thread
            answer.append(error)

    thread = threading.Thread(target=look_up, name="watch-dns-lookup", daemon=True)
    thread.start()
    thread.join(max(0.0, within))
    if not answer:
        return None
    if isinstance(answer[0], Exception):
        raise answer[0]
    return answer[0]


def _connect_to(addresses: list[tuple], address: tuple, timeout: float, source_address=None) -> socket.socket:
    """socket.create_connection for http.client (`address`, the name, is not looked up again): each address in
    turn, as create_connection tries them."""
    error: OSError | None = None
    for family, kind, protocol, _, sockaddr in addresses:
        sock = socket.socket(family, kind, protocol)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as failed:
            sock.close()
            error = failed
    raise error or OSError(f"no address for {address[0]}")


class _Due:
    """When what is being read now must have come, and what to say if it has not. Moved on after each word."""

    def __init__(self, at: float, late: str):
        self.at, self.late = at, late

    def left(self) -> float:
        return self.at - time.monotonic()


class _Reader(io.RawIOBase):
    """The socket as a response reads it: before every read the socket's timeout is set to the time left until
    `due`, so no read, however slowly the bytes come, ends after it (TimeoutError). Like the file of
    socket.makefile() it replaces, it keeps the socket open until the response is closed, whatever http.client
    does with it."""

    def __init__(self, sock: socket.socket, due: _Due):
        super().__init__()
        self.sock, self.due = sock, due
        self.raw = sock.makefile("rb", buffering=0)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        left = self.due.left()
        if left <= 0:
            raise TimeoutError("the deadline passed")
        self.sock.settimeout(left)
        return self.raw.readinto(buffer)

    def close(self) -> None:
        self.raw.close()
        super().close()


class _Response(http.client.HTTPResponse):
    """http.client's response, reading through _Reader instead of socket.makefile()."""

    def __init__(self, sock: socket.socket, *args, due: _Due, **kwargs):
        super().__init__(sock, *args, **kwargs)
        self.fp.close()
        self.fp = io.BufferedReader(_Reader(sock, due))


class Events:
    """The server-sent events of one response, read by `due`. texts() gives the text of each chunk and notes
    the usage, the finish reason and the number of text chunks on the way."""

    def __init__(self, backend: OpenAIBackend, response: http.client.HTTPResponse, due: _Due):
        self.backend, self.response, self.due = backend, response, due
        self.usage: dict = {}
        self.finish: str | None = None
        self.chunks = 0
        self.raw = ""  # the event being read, as sent: quoted in messages (json.dumps may recurse too deep)

    def texts(self, chat: bool, wait: Wait | None) -> Iterator[str]:
        """Until `data: [DONE]`: the first text is due by `due`, each next one within the stall budget. The first
        ends `wait`, if given: the viewer has the first word."""
        backend = self.backend
        while (event := self.next()) is not None:
            if isinstance(event.get("usage"), dict):
                self.usage = event["usage"]
            text = self._text(event, chat)
            if text:
                self.chunks += 1
                if wait is not None:
                    wait.over = True
                self.due.at = time.monotonic() + backend.stall_budget
                self.due.late = backend._late("written its next word", backend.stall_budget)
                yield text

    def next(self) -> dict | None:
        """The next event's JSON, or None at `data: [DONE]`."""
        data: list[str] = []
        while True:
            line = self._line()
            if line is None:  # the end of the body
                if data and "\n".join(data).strip() == "[DONE]":
                    return None
                raise self.backend._failure(f"the server at {self.backend.url} ended the stream before it was "
                                            "finished (no [DONE])")
            if line == "":  # a blank line ends an event
                if data:
                    return self._decode("\n".join(data))
                continue
            if line.startswith(":"):  # a comment: servers ping with them
                continue
            field, _, value = line.partition(":")
            if field == "data":
                data.append(value[1:] if value.startswith(" ") else value)
            elif field not in ("event", "id", "retry"):
                raise self.backend._malformed(f"a line that is not a server-sent event ({_quote(line)})")

    def _text(self, event: dict, chat: bool) -> str | None:
        """The text a chunk carries; None for one that carries none (a role, a finish reason, usage)."""
        backend = self.backend
        if "error" in event:
            said = event["error"].get("message") if isinstance(event["error"], dict) else event["error"]
            said = said if isinstance(said, str) else self.raw
            raise backend._failure(f"the server at {backend.url} reported an error while writing: "
                                   f"{_one_line(backend._scrub(str(said)), SHOWN)}")
        choices = event.get("choices")
        if not isinstance(choices, list) or not all(isinstance(choice, dict) for choice in choices):
            if "usage" in event:
                return None
            raise backend._malformed(f"an event without choices ({_quote(self.raw)})")
        if not choices:
            return None
        self.finish = choices[0].get("finish_reason") or self.finish
        piece = (choices[0].get("delta") or {}) if chat else choices[0]
        if not isinstance(piece, dict):
            raise backend._malformed(f"an event whose delta is not an object ({_quote(self.raw)})")
        text = piece.get("content") if chat else piece.get("text")
        if text is not None and not isinstance(text, str):
            raise backend._malformed(f"an event whose text is not a string ({_quote(self.raw)})")
        return text

    def _decode(self, data: str) -> dict | None:
        if data.strip() == "[DONE]":
            return None
        self.raw = data
        try:
            event = json.loads(data)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to be an event
            event = None
        if not isinstance(event, dict):
            raise self.backend._malformed(f"an event that is not a JSON object ({_quote(data)})")
        return event

    def _line(self) -> str | None:
        if self.due.left() <= 0:  # also when lines keep coming from what is already read
            raise self.backend._failure(self.due.late)
        try:
            raw = self.response.readline(MAX_LINE)
        except TimeoutError:
            raise self.backend._failure(self.due.late) from None
        except (OSError, ValueError, AttributeError, http.client.HTTPException) as error:
            raise self.backend._lost(error) from None  # reset, cut mid-chunk, or shut by close()
        if not raw:
            return None
        if len(raw) >= MAX_LINE and not raw.endswith(b"\n"):
            raise self.backend._malformed("a line longer than 1 MiB")
        return raw.decode("utf-8", "replace").rstrip("\r\n")


class Continuation:
    """A chat model's reply, made to read like a base model's continuation of the story.

    The trade-off of chat: the model answers the story rather than continuing it. It may open with blank lines,
    repeat the unfinished last line (the beat's opener) before going on, or drop the speaker and repeat only the
    quoted words. So the start of the reply is held until it is known: blank space is dropped, and so is an echo
    of the last line or of its end (three words or more). Stop strings are applied here, not by the server: a reply
    that opened with a newline would stop before its first word. What is left is still an answer, not a
    continuation: a base model on /completions follows the plan's openers more closely.
    """

    def __init__(self, prompt: str, stop: tuple[str, ...]):
        self.tail = prompt.rsplit("\n", 1)[-1]
        self.echoes = _echoes(self.tail)
        self.stop = [text for text in stop if text]
        self.held = ""
        self.text = ""  # given out so far
        self.holding = True
        self.stopped = False

    def apply(self, pieces: Iterator[str]) -> Iterator[str]:
        for piece in pieces:
            if text := self.feed(piece):
                yield text
            if self.stopped:
                return
        if text := self.finish():
            yield text

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        if not self.holding:
            return self._cut(piece)
        self.held += piece
        start = _unquoted(self.held)
        if not start or (len(self.held) < MAX_HELD and any(echo.startswith(start) for echo in self.echoes)):
            return ""  # blank, or it may still turn out to be an echo
        return self.finish()

    def finish(self) -> str:
        """Whatever is still held, decided as it is (at the end of the reply, or once it is no echo)."""
        if not self.holding:
            return ""
        self.holding = False
        start = _unquoted(self.held)
        echoed = [echo for echo in self.echoes if start.startswith(echo) and not start[len(echo):][:1].isalnum()]
        text = start[len(max(echoed, key=len)):] if echoed else self.held.lstrip()
        if text[:1].isalnum() and self.tail[-1:].isalnum():  # base models' pieces carry their own space
            text = " " + text
        return self._cut(text)

    def _cut(self, text: str) -> str:
        whole = self.text + text
        found = [at for stop in self.stop if (at := whole.find(stop, max(0, len(self.text) - len(stop) + 1))) >= 0]
        if found:
            self.stopped = True
            text = whole[len(self.text):max(len(self.text), min(found))]
        self.text += text
        return text


def _echoes(tail: str) -> list[str]:
    """The last line, and each of its ends of three words or more, without leading quotes."""
    words = tail.split(" ")
    ends = {_unquoted(" ".join(words[index:])) for index in range(len(words)) if len(words) - index >= 3}
    ends.add(_unquoted(tail))
    return sorted((end for end in ends if end), key=len, reverse=True)


def _unquoted(text: str) -> str:
    return text.lstrip(" \t\r\n\"'“‘")


def served_settings(name: str, home: Path) -> model_files.ModelSettings:
    """models.toml knows models by file name; servers name them by path (llama.cpp), alias or repository id."""
    known = {key.lower(): settings for key, settings in model_files.known_models(home).items()}
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return known.get(base) or known.get(base + ".gguf") or model_files.ModelSettings(name=name)


def _parse_url(url: str) -> SplitResult:
    shown = url if "@" not in url else "that URL"
    try:
        parts = urlsplit(url.strip().rstrip("/"))
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ModelError(f"{shown} is not a server URL; use one like http://127.0.0.1:8080/v1")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ModelError("the server URL must not hold a user name, a password or a query; "
                         "give an API key with WATCH_API_KEY")
    return parts


def _checked_key(key: str | None) -> str | None:
    """A key with a line break would be refused by http.client in an error that quotes it: refuse it here."""
    key = (key or "").strip()
    if any(ord(char) < 32 or ord(char) == 127 for char in key):
        raise ModelError("WATCH_API_KEY holds a line break or another control character")
    return key or None


def _shown_url(parts: SplitResult) -> str:
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"


def _server_words(raw: bytes) -> str:
    """What an error body says: OpenAI's {"error": {"message"}}, FastAPI's {"detail"}, or plain text."""
    text = raw.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return "" if text.startswith("<") else text  # an HTML error page says nothing useful in one line
    if isinstance(data, dict):
        said = data.get("error", data.get("detail", data.get("message", "")))
        if isinstance(said, dict):
            said = said.get("message", "")
        return said if isinstance(said, str) else json.dumps(said)
    return text


def _one_line(text: str, limit: int) -> str:
    text = folded(str(text))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _quote(text: str) -> str:
    return repr(_one_line(text, 40))
