"""OpenAIBackend against the fake OpenAI-compatible server of tests/hostile/server.py (on 127.0.0.1): what it
sends, how it reads the stream, and each way a server can fail. Every failure must be one ModelError line, and
the API key must appear nowhere but in the Authorization header: not in messages, describe() or the log.
The real server (llama-cpp-python's) is tested in tests/process/test_openai_server.py."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from player.engine.llm.backend import Request, Sampler
from player.engine.llm.openai_backend import CHAT_ASK, Continuation, OpenAIBackend
from tests.hostile.server import (KEY, WORDS, Handler, backend_for, completion, delta, failure,  # noqa: F401
                                  fake, log_text, one_line_error, raw_stream, slow_words, started, stream_words)
from tests.model_calls import run

# As they reach the caller: the "s" that ends " turns" may be the start of the key ("sk-..."), so it waits for
# the next piece (the key is scrubbed from the text even when it comes in pieces).
STREAMED = [" The", " lamp", " turn", "s once", " more", "."]
SAMPLER = Sampler(temperature=0.7, top_p=0.9, top_k=50, min_p=0.02, repeat_penalty=1.2)


# ---- it works --------------------------------------------------------------------------------------------------

def test_streams_a_completion_piece_by_piece(fake, backend_for, log_text):
    backend = started(backend_for(fake.url))
    pieces, generated = run(backend, Request("The keeper", max_tokens=6, stop=("\n",), seed=4, sampler=SAMPLER))
    assert pieces == STREAMED and generated.text == "".join(WORDS)
    assert generated.tokens == len(WORDS) and generated.stopped_by == "length"
    assert 0 < generated.first_token_seconds <= generated.seconds


def test_tokens_come_from_usage_when_the_server_sends_it(fake, backend_for, log_text):
    fake.scripts["/v1/completions"] = stream_words(WORDS, usage={"prompt_tokens": 3, "completion_tokens": 9})
    assert run(started(backend_for(fake.url)), Request("x"))[1].tokens == 9


def test_the_request_body_and_the_key(fake, backend_for, log_text):
    backend = started(backend_for(fake.url))
    run(backend, Request("The keeper", max_tokens=12, stop=("\n", '"'), seed=77, sampler=SAMPLER))
    listing, posted = fake.seen
    assert (listing.method, listing.path, posted.path) == ("GET", "/v1/models", "/v1/completions")
    assert listing.headers["Authorization"] == posted.headers["Authorization"] == f"Bearer {KEY}"
    assert posted.body == {
        "model": "/models/gemma-3-270m-q4_k_m.gguf", "prompt": "The keeper", "max_tokens": 12, "stop": ["\n", '"'],
        "seed": 77, "temperature": 0.7, "top_p": 0.9, "top_k": 50, "min_p": 0.02, "repeat_penalty": 1.2,
        "repetition_penalty": 1.2, "stream": True, "stream_options": {"include_usage": True}, "cache_prompt": True}
    described = backend.describe()
    assert described["backend"] == "openai" and described["url"] == fake.url and described["chat"] is False
    assert "sha256" not in described
    assert KEY not in json.dumps(described) + repr(backend) + log_text()
    assert "/models/gemma-3-270m-q4_k_m.gguf" in log_text()


def test_no_key_no_authorization_header(fake, backend_for):
    run(started(backend_for(fake.url, api_key=None)), Request("x"))
    assert all("Authorization" not in seen.headers for seen in fake.seen)


def test_prewarm_sends_the_prefix_as_a_one_token_completion(fake, backend_for, log_text):
    backend = started(backend_for(fake.url))
    backend.prewarm("The story so far.\n")
    run(backend, Request("The story so far.\nMara"))
    warm, request = fake.posted()
    assert warm["prompt"] == "The story so far.\n" and warm["max_tokens"] == 1 and warm["cache_prompt"] is True
    assert request["cache_prompt"] is True and request["prompt"].startswith(warm["prompt"])


@pytest.mark.parametrize("served, chat, expected", [
    ("/srv/SmolLM2-135M-Instruct.Q4_1.gguf", None, True),  # models.toml: prompting = "chat"
    ("gemma-3-270m-q4_k_m", None, False),  # known by its file name without .gguf
    ("someone/unknown-model", None, False),  # unknown: completions
    ("someone/unknown-model", True, True),  # --chat
    ("/srv/SmolLM2-135M-Instruct.Q4_1.gguf", False, False),
])
def test_chat_or_completions_from_models_toml_or_the_flag(fake, backend_for, served, chat, expected):
    fake.ids = [served, "another"]
    backend = started(backend_for(fake.url, chat=chat))
    assert backend.model == served and backend.describe()["chat"] is expected
    if served.endswith("Q4_1.gguf"):
        assert backend.describe()["sampler"]["repeat_penalty"] == 1.25


def test_a_named_model_is_asked_for_even_if_not_listed(fake, backend_for):
    backend = started(backend_for(fake.url, api_model="big-model"))
    run(backend, Request("x"))
    assert backend.describe()["model"] == "big-model" and fake.posted()[0]["model"] == "big-model"


def test_chat_completions_read_like_a_continuation(fake, backend_for, log_text):
    fake.ids = ["org/instruct"]
    fake.reply = ["\n", "Mara vaults", " the railing and", " climbs", " the lamp.", "\nThen", " more."]
    backend = started(backend_for(fake.url, chat=True))
    prompt = "The story.\n\nMara vaults the railing and"
    pieces, generated = run(backend, Request(prompt, max_tokens=40, stop=("\n",), seed=2))
    assert "".join(pieces) == generated.text == " climbs the lamp." and generated.stopped_by == "stop"
    body = fake.posted()[0]
    assert body["messages"] == [{"role": "user", "content": CHAT_ASK + prompt}]
    assert "prompt" not in body and "stop" not in body and fake.seen[-1].path == "/v1/chat/completions"


@pytest.mark.parametrize("tail, stop, reply, expected", [
    ("Mara vaults the railing and", ("\n",), ["climbs", " down."], " climbs down."),
    ("Mara vaults the railing and", ("\n",), ["Mara vaults the rail", "ing and leaps.\n", "x"], " leaps."),
    ('Mara: "Stay with me', ("\n", '"'), ['"Stay with', ' me, Callum."', " She"], ", Callum."),
    ('Mara: "Stay with me', ("\n", '"'), ['Mara: "Stay with me', '."'], "."),
    ("Mara vaults the railing and", ("\n",), ["Mara vaults the railings."], " Mara vaults the railings."),
    ("He runs and", ("\n",), ["\n\n", "  ", "falls"], " falls"),
])
def test_continuation_drops_blank_starts_and_echoes_and_applies_stops(tail, stop, reply, expected):
    continuation = Continuation("Earlier lines.\n" + tail, stop)
    assert "".join(continuation.apply(iter(reply))) == expected


# ---- it fails with one clear line ------------------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_refused(backend_for, log_text):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    message = one_line_error(backend_for(url).start)
    assert message == f"the server at {url} refused the connection; is it running, on that port?"


def test_dns_failure(backend_for, log_text):
    message = one_line_error(backend_for("http://watch-test.invalid:8080/v1").start)
    assert "cannot find the server watch-test.invalid (DNS lookup failed)" in message


@pytest.mark.parametrize("script", [
    lambda handler, body: handler.server.wait(),  # no answer at all
    lambda handler, body: (handler.open_stream(), handler.send(b": ping\n\n"), handler.event(delta(role="a")),
                           handler.server.wait()),  # headers, a ping and a role, but no word
], ids=["silent", "pings only"])
def test_no_first_token_in_time(fake, backend_for, log_text, script):
    backend = started(backend_for(fake.url))
    fake.scripts["/v1/completions"] = script
    began = time.monotonic()
    assert failure(backend) == f"the server at {fake.url} has not written its first word in 1 s, so the request was " \
                               "stopped"
    assert time.monotonic() - began < 3


def test_a_stall_mid_stream(fake, backend_for, log_text):
    def stall(handler: Handler, body: dict) -> None:
        handler.open_stream()
        handler.event(completion(" The"))
        handler.event(completion(" lamp"))
        handler.server.wait()
    fake.scripts["/v1/completions"] = stall
    backend = started(backend_for(fake.url))
    stream, began = backend.stream(Request("x")), time.monotonic()
    assert next(stream) == " The"
    message = one_line_error(lambda: list(stream))
    assert message.endswith("has not written its next word in 0.5 s, so the request was stopped")
    assert time.monotonic() - began < 2


@pytest.mark.parametrize("status, body, words", [
    (401, {"error": {"message": f"Invalid API key {KEY}", "type": "auth"}}, "answered 401 Unauthorized: Invalid API "
                                                                            "key [the API key]; check WATCH_API_KEY"),
    (404, {"detail": "Not Found"}, "answered 404 Not Found: Not Found; is the URL right? it should end in /v1"),
    (404, {"error": {"message": "The model `big` does not exist.", "code": 404}}, "check --api-model"),
    (500, {"error": {"message": "2 validation errors:\n  File \"app.py\", line 264\n", "type": "server"}},
     "answered 500 Internal Server Error: 2 validation errors:; the server failed; see its own log"),
    (503, {"error": {"code": 503, "message": "Loading model"}}, "Loading model; the server is busy or still loading"),
])
def test_http_errors(fake, backend_for, log_text, status, body, words):
    fake.scripts["/v1/completions"] = lambda handler, _: handler.json(status, body)
    message = failure(started(backend_for(fake.url)))
    assert message.startswith(f"the server at {fake.url} answered {status}") and words in message


def test_a_url_without_v1_is_named_at_start(fake, backend_for, log_text):
    url = fake.url.removesuffix("/v1")
    assert one_line_error(backend_for(url).start) == (f"the server at {url} answered 404 Not Found: Not Found; is the "
                                                      "URL right? it should end in /v1")


def test_a_listing_that_is_not_json(fake, backend_for, log_text):
    fake.scripts["/v1/models"] = lambda handler, _: (handler.send_response(200), handler.end_headers(),
                                                     handler.wfile.write(b"<html>hello</html>"))
    assert "did not list its models (GET /models)" in one_line_error(backend_for(fake.url).start)


@pytest.mark.parametrize("script, words", [
    (raw_stream(b"<html><body>Gateway</body></html>\n"), "sent a malformed stream: a line that is not a server-sent "
                                                         "event ('<html><body>Gateway</body></html>')"),
    (raw_stream(b'{"choices": [{"text": "hi"}]}\n'), "a line that is not a server-sent event"),
    (raw_stream(b'data: {"choices": [{"te\n\n'), "sent a malformed stream: an event that is not a JSON object "
                                                 "('{\"choices\": [{\"te')"),
    (raw_stream(b'data: {"id": 3}\n\n'), "an event without choices"),
    (raw_stream(b'data: {"choices": [{"text": 3}]}\n\n'), "an event whose text is not a string"),
    (raw_stream(b'data: {"choices": [{"text": " a"}]}\n\n'), "ended the stream before it was finished (no [DONE])"),
    (raw_stream(b'data: {"error": {"message": "out of memory"}}\n\n'),
     "reported an error while writing: out of memory"),
    (raw_stream(b'data: {"choices": [{"text": " a"}]}\n\n', cut=True), "closed the connection before it finished"),
], ids=["html", "json-not-sse", "truncated-json", "no-choices", "text-not-string", "no-done", "error-event",
        "cut-mid-body"])
def test_malformed_streams(fake, backend_for, log_text, script, words):
    fake.scripts["/v1/completions"] = script
    message = failure(started(backend_for(fake.url)))
    assert message.startswith(f"the server at {fake.url} ") and words in message


def test_bad_urls_are_named_without_secrets():
    assert "is not a server URL" in one_line_error(lambda: OpenAIBackend("localhost:8080/v1"))
    message = one_line_error(lambda: OpenAIBackend(f"http://me:{KEY}@gpu-box:8000/v1"))
    assert "WATCH_API_KEY" in message
    message = one_line_error(lambda: OpenAIBackend("http://gpu-box:8000/v1", api_key=KEY + "\nX-Evil: 1"))
    assert message == "WATCH_API_KEY holds a line break or another control character"


def test_before_start_and_after_close(fake, backend_for):
    backend = backend_for(fake.url)
    assert one_line_error(lambda: run(backend, Request("x"))) == "the model is not started"
    backend.start()
    backend.close()
    backend.close()  # twice is fine
    assert one_line_error(lambda: run(backend, Request("x"))) == "the model was closed"


# ---- threads and connections ------------------------------------------------------------------------------------

def test_close_from_another_thread_ends_a_stream(fake, backend_for, log_text):
    fake.scripts["/v1/completions"] = slow_words
    backend = started(backend_for(fake.url))
    stream = backend.stream(Request("x", max_tokens=200))
    assert next(stream) == " word"  # the stream is open; this thread goes on reading it
    closer = threading.Timer(0.2, backend.close)  # and another thread closes the backend meanwhile
    closer.start()
    began = time.monotonic()
    assert one_line_error(lambda: list(stream)) == "the model was closed"
    assert time.monotonic() - began < 1
    closer.join()


def test_closing_the_stream_early_hangs_up_and_the_next_request_is_clean(fake, backend_for, log_text):
    fake.scripts["/v1/completions"] = slow_words
    backend = started(backend_for(fake.url))
    stream = backend.stream(Request("x", max_tokens=200))
    next(stream)
    stream.close()
    assert fake.hung_up.wait(2)  # the server saw the connection go, so it stops generating
    fake.scripts["/v1/completions"] = stream_words(WORDS)
    assert run(backend, Request("x"))[0] == STREAMED
