"""Hangs with a server backend (issue 11): no read of the socket, however slowly the bytes come, outlasts the
deadline; one wait the viewer sees has one budget, whatever happens in it; input nobody foresaw ends in one
line, never in a player that waits for ever; and a server that closes the connection at the end of its answer
(HTTP/1.0, `Connection: close`) streams like any other.

Timings are bounds, not measurements: a fallback must come within twice the budget (once and a half where
budgets that add up would stay under twice), so a busy machine does not fail them."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest

from player.engine.ending import writer
from player.engine.llm.backend import ModelError, Request
from tests.clocks import ManualTime
from player.engine.llm.service import ModelService
from player.engine.ending.prompt import story_prefix
from player.engine.llm.openai_backend import OpenAIBackend
from player.engine.ending.plan import make_plan
from tests.app.helpers import build
from tests.app.helpers import play_to_branch
from tests.hostile.server import (WORDS, completion, dribble_json, dribble_stream, failure, nested, one_line_error,
                                  raw_stream, silent, slow_words, started, steady_words, stream_words)
from tests.model_calls import run
from tests.profiles import ACTION

BUDGET = 1.5  # to the first word
STALL = 0.75  # between words


def event(data: dict) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


# ---- every read is bounded by the deadline -----------------------------------------------------------------------

def test_a_first_word_dribbled_a_byte_at_a_time_is_stopped_by_the_budget(fake, backend_for, log_text):
    fake.scripts["/v1/completions"] = dribble_stream(event(completion(" The")), every=0.2)  # 8 s for the line
    backend = started(backend_for(fake.url, first_token_budget=BUDGET, stall_budget=STALL))
    began = time.monotonic()
    assert failure(backend).endswith(f"has not written its first word in {BUDGET:g} s, so the request was stopped")
    assert time.monotonic() - began < 2 * BUDGET


def test_a_next_word_dribbled_a_byte_at_a_time_is_stopped_by_the_stall_budget(fake, backend_for, log_text):
    fake.scripts["/v1/completions"] = dribble_stream(event(completion(" lamp")), every=0.2,
                                                     after=(event(completion(" The")),))
    backend = started(backend_for(fake.url, first_token_budget=BUDGET, stall_budget=STALL))
    stream = backend.stream(Request("x"))
    assert next(stream) == " The"
    began = time.monotonic()
    message = one_line_error(lambda: list(stream))
    assert message.endswith(f"has not written its next word in {STALL:g} s, so the request was stopped")
    assert time.monotonic() - began < 2 * STALL


def test_a_model_list_dribbled_a_byte_at_a_time_is_stopped_by_the_budget(fake, backend_for, log_text):
    fake.scripts["/v1/models"] = dribble_json({"object": "list", "data": [{"id": "m", "object": "model"}]},
                                              every=0.1)  # 5 s for the body
    backend = backend_for(fake.url, first_token_budget=BUDGET)
    began = time.monotonic()
    message = one_line_error(backend.start)
    assert message.endswith(f"has not listed its models in {BUDGET:g} s, so the request was stopped")
    assert time.monotonic() - began < 2 * BUDGET


def test_a_slow_but_steady_server_is_never_cut(fake, backend_for, log_text):
    """The deadline is the next word's, not the whole answer's: words every 0.3 s for longer than the budget."""
    fake.scripts["/v1/completions"] = steady_words(8, 0.3)
    backend = started(backend_for(fake.url, first_token_budget=BUDGET, stall_budget=STALL))
    pieces, generated = run(backend, Request("x", max_tokens=8))
    assert "".join(pieces) == " word" * 8 and generated.seconds > BUDGET


# ---- one wait, one budget ---------------------------------------------------------------------------------------

async def fell_back(app, pilot, timeout: float) -> str:
    """Wait until the player says Your ending could not be written; that line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        said = [str(notice.message) for notice in app._notifications if "could not be written" in notice.message]
        if said:
            return said[0]
        await pilot.pause(0.05)
    raise AssertionError(f"no fallback in {timeout} s; the player says {app.model_status!r}")


async def choose_yours_and_time_the_fallback(private_home, backend: OpenAIBackend) -> tuple[float, str]:
    """Play to the branch, choose Your ending: seconds from the choice to the fallback, and what was said."""
    now = ManualTime()
    app = build(private_home, now=now, backend=backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_to_branch(app, now, pilot)
        await pilot.press("3")
        chosen = time.monotonic()
        said = await fell_back(app, pilot, timeout=20)
        elapsed = time.monotonic() - chosen
        await pilot.press("q")
    return elapsed, said


async def test_a_server_that_never_lists_its_models_falls_back_within_one_budget_of_the_choice(
        fake, private_home, busy_core):
    """The prewarm holds the model while it waits for GET /models; the choice comes meanwhile. Preparing again
    and writing must not each wait a budget of their own."""
    fake.scripts["/v1/models"] = silent
    backend = OpenAIBackend(fake.url, home=private_home, first_token_budget=BUDGET, stall_budget=STALL)
    elapsed, said = await choose_yours_and_time_the_fallback(private_home, backend)
    assert "has not listed its models" in said
    assert elapsed < 2 * BUDGET, f"fell back {elapsed:.1f} s after the choice"


async def test_a_slow_prewarm_and_a_silent_first_word_share_one_budget(fake, private_home, busy_core):
    """The choice comes while the story is still being read; then the first word never comes. Both are in the
    one wait that began with the choice."""
    budget = 3.0

    def completions(handler, body):
        if body["max_tokens"] == 1:  # the prewarm: answered, slowly
            if not handler.server.release.wait(0.85 * budget):
                stream_words([" x"])(handler, body)
        else:
            silent(handler, body)
    fake.scripts["/v1/completions"] = completions
    backend = OpenAIBackend(fake.url, home=private_home, first_token_budget=budget, stall_budget=STALL)
    elapsed, said = await choose_yours_and_time_the_fallback(private_home, backend)
    assert "has not written its first word" in said
    assert elapsed < 1.5 * budget, f"fell back {elapsed:.1f} s after the choice"  # two budgets: about 1.75


# ---- input nobody foresaw: one line, never a wait for ever --------------------------------------------------------

DEEP = nested(100_000)


@pytest.mark.parametrize("path, script, chat, words", [
    ("/v1/completions", raw_stream(b"data: " + DEEP.encode() + b"\n\n"), False,
     "sent a malformed stream: an event that is not a JSON object"),
    ("/v1/completions", raw_stream(b'data: {"choices": [{"text": ' + DEEP.encode() + b'}]}\n\n'), False,
     "sent a malformed stream: an event that is not a JSON object"),
    ("/v1/chat/completions", raw_stream(b'data: {"choices": [{"delta": "oops"}]}\n\n'), True,
     "sent a malformed stream: an event whose delta is not an object"),
    ("/v1/models", lambda handler, body: handler.raw_json(200, ('{"data": ' + DEEP + "}").encode()), None,
     "did not list its models (GET /models)"),
    ("/v1/models", lambda handler, body: handler.raw_json(503, DEEP.encode()), None,
     "answered 503 Service Unavailable"),
], ids=["sse-line-nested-100k-deep", "text-nested-100k-deep", "chat-delta-a-string", "models-nested-100k-deep",
        "error-body-nested-100k-deep"])
def test_unforeseen_input_is_one_line_and_the_player_falls_back(fake, backend_for, tiny, caplog, path, script,
                                                               chat, words):
    fake.ids = ["org/some-model"]
    fake.scripts[path] = script
    statuses = []
    service = ModelService(lambda: backend_for(fake.url, chat=chat), lambda text, fraction: statuses.append(text))
    service.prepare(story_prefix(tiny))  # the prewarm, while the film plays
    assert service.status == statuses[-1] == "unavailable" and words in service.error
    plan = make_plan(tiny, ACTION, seed=1)
    with pytest.raises(ModelError) as raised:  # the branch point: the kept line, at once
        service.use(lambda backend: writer.write(tiny, plan, backend))
    assert str(raised.value) == service.error and "\n" not in service.error
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]  # foreseen now


# ---- servers that close the connection at the end of the answer --------------------------------------------------

@pytest.mark.parametrize("protocol, connection_close", [("HTTP/1.0", False), ("HTTP/1.1", True)],
                         ids=["http-1.0", "chunked-connection-close"])
def test_a_server_that_closes_the_connection_after_answering_streams(fake, backend_for, log_text, protocol,
                                                                     connection_close):
    fake.protocol, fake.connection_close = protocol, connection_close
    backend = started(backend_for(fake.url))
    backend.prewarm("The story so far.\n")
    pieces, generated = run(backend, Request("The story so far.\nMara", max_tokens=8))
    assert "".join(pieces) == generated.text == "".join(WORDS) and generated.tokens == len(WORDS)


def test_close_from_another_thread_ends_an_http_1_0_stream(fake, backend_for, log_text):
    """http.client forgets the socket of a response that ends with the connection; close() still shuts it."""
    fake.protocol = "HTTP/1.0"
    fake.scripts["/v1/completions"] = slow_words
    backend = started(backend_for(fake.url))
    stream = backend.stream(Request("x", max_tokens=200))
    assert next(stream) == " word"
    closer = threading.Timer(0.2, backend.close)
    closer.start()
    began = time.monotonic()
    assert one_line_error(lambda: list(stream)) == "the model was closed"
    assert time.monotonic() - began < 2  # the stream would go on for 4 s
    closer.join()
