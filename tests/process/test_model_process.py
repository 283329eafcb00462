"""The real llama.cpp path: LocalBackend and its worker process with the real default model, and every way the
model can fail. Each failure must be one ModelError line, the test process must live on, and nothing may reach
the test's own stdout or stderr (capfd), which stand for the terminal Textual draws on.

The default model is assembled once per test session (with models.assemble_default), into a temporary folder.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from player.engine import models
from player.engine.backend import Generated, ModelError, Request, Sampler, drain
from player.engine.catalog import load_title
from player.engine.locations import bundled_catalog
from player.engine.model_process import LocalBackend
from player.engine.prompt import story_prefix

pytestmark = pytest.mark.model
SAMPLER = Sampler(temperature=0.8, top_p=0.95, top_k=64, min_p=0.05, repeat_penalty=1.1)


@pytest.fixture(scope="session")
def story() -> str:
    """The real story prefix of a sample film (about 1200 tokens)."""
    return story_prefix(load_title(bundled_catalog() / "lighthouse"))


@pytest.fixture(scope="session")
def short_story(story) -> str:
    """About 300 tokens of it, for tests that do not measure the prefix's effect: they stay fast."""
    return story[:1400]


@pytest.fixture
def backend_for(private_home, default_model):
    """Make LocalBackends (the default model unless told otherwise); all are closed after the test."""
    made: list[LocalBackend] = []

    def make(model: Path | None = default_model, **budgets) -> LocalBackend:
        made.append(LocalBackend(private_home, model, {}, n_threads=2, **budgets))
        return made[-1]
    yield make
    for backend in made:
        backend.close()


@pytest.fixture
def quiet(capfd):
    """Nothing may be written on the test process's own fds 1 and 2."""
    capfd.readouterr()
    yield
    out, err = capfd.readouterr()
    assert out == "" and err == "", f"printed on the terminal: {out[:300]!r} {err[:300]!r}"
    assert "llama_cpp" not in sys.modules, "llama.cpp was loaded into the player's own process"


def run(backend: LocalBackend, request: Request) -> tuple[list[str], Generated]:
    return drain(backend.stream(request))


def one_line_error(call) -> str:
    with pytest.raises(ModelError) as raised:
        call()
    message = str(raised.value)
    assert message and "\n" not in message and "Traceback" not in message
    return message


def worker_pid(backend: LocalBackend) -> int:
    return backend._worker.process.pid


# ---- it works --------------------------------------------------------------------------------------------------

def test_load_prewarm_and_stream(backend_for, story, quiet):
    backend = backend_for()
    progress = []
    backend.start(lambda what, fraction: progress.append((what, fraction)))
    assert ("Loading the model", 1.0) in progress
    described = backend.describe()
    assert described["backend"] == "local" and described["sha256"] == models.default_package().EXPECTED_SHA256
    assert described["n_threads"] == 2 and described["prompting"] == "base"

    # Cold: a fresh worker evaluates the whole story at the request.
    tail = 'Mara: "'
    pieces, cold = run(backend, Request(story + tail, max_tokens=24, stop=(), seed=1, sampler=SAMPLER))
    assert len(pieces) >= 5 and "".join(pieces) == cold.text
    assert cold.tokens == 24 and cold.stopped_by == "length" and cold.seconds >= cold.first_token_seconds

    # Prewarmed: another story (nothing shared with the context but the first token) is evaluated beforehand.
    other = story.replace("Mara", "Maren")
    backend.prewarm(other, wait=True)
    pieces, warm = run(backend, Request(other + tail, max_tokens=24, stop=(), seed=1, sampler=SAMPLER))
    assert len(pieces) >= 5 and warm.tokens == 24
    assert warm.first_token_seconds < 0.3 * cold.first_token_seconds, (warm, cold)


def test_a_fixed_seed_gives_the_same_text_whatever_ran_before(backend_for, short_story, quiet):
    backend = backend_for()
    backend.start()
    backend.prewarm(short_story)  # queued: the first request waits for it in the worker

    def text(seed: int, tail: str = 'Mara: "') -> str:
        request = Request(short_story + tail, max_tokens=30, stop=(), seed=seed, sampler=SAMPLER)
        return run(backend, request)[1].text

    first = text(7)
    assert first.strip() and text(7) == first  # the context now also holds the first answer
    run(backend, Request("Something else entirely.", max_tokens=5, stop=()))  # overwrites the prefix
    assert text(7) == first
    text(7, tail='Callum: "')  # shares a longer prefix with the next request than the prewarm did
    assert text(7) == first
    assert any(text(seed) != first for seed in (8, 9, 10))


def test_stop_strings_end_the_text_before_them(backend_for, short_story, quiet):
    backend = backend_for()
    backend.start()
    backend.prewarm(short_story)
    full = run(backend, Request(short_story, max_tokens=40, stop=(), seed=3, sampler=SAMPLER))[1].text
    words = full.split()
    stop = " ".join(words[2:4])  # two words: the stop string spans tokens
    assert stop in full
    pieces, stopped = run(backend, Request(short_story, max_tokens=40, stop=(stop, "never seen"), seed=3,
                                           sampler=SAMPLER))
    assert stopped.stopped_by == "stop" and stopped.text == full[:full.index(stop)]
    assert stop not in "".join(pieces) and stopped.tokens < 40


def test_closing_the_stream_early_cancels_and_the_next_request_is_clean(backend_for, short_story, quiet):
    backend = backend_for()
    backend.start()
    backend.prewarm(short_story)
    request = Request(short_story, max_tokens=30, stop=(), seed=5, sampler=SAMPLER)
    started = time.monotonic()
    expected = run(backend, request)[1].text
    alone = time.monotonic() - started
    stream = backend.stream(Request(short_story, max_tokens=400, stop=(), seed=6, sampler=SAMPLER))
    next(stream)
    started = time.monotonic()
    stream.close()  # the worker stops that generation; its remaining pieces must not leak into the next
    assert run(backend, request)[1].text == expected
    assert time.monotonic() - started < 4 * alone  # not after the 400 tokens nobody wanted any more


# ---- it fails cleanly ------------------------------------------------------------------------------------------

def test_a_truncated_gguf(backend_for, default_model, tmp_path, quiet):
    truncated = tmp_path / "truncated.gguf"
    with open(default_model, "rb") as source, open(truncated, "wb") as target:
        target.write(source.read(20_000_000))
    backend = backend_for(truncated)
    message = one_line_error(backend.start)
    assert "could not load truncated.gguf" in message and "model.log" in message
    assert backend._worker is None


def test_random_bytes_named_gguf(backend_for, tmp_path, quiet):
    fake = tmp_path / "random.gguf"
    fake.write_bytes(os.urandom(1_000_000))
    assert "not a GGUF model file" in one_line_error(backend_for(fake).start)


def test_a_gguf_header_on_random_bytes_reaches_llama_cpp_and_fails_cleanly(backend_for, tmp_path, quiet):
    fake = tmp_path / "header-only.gguf"
    fake.write_bytes(b"GGUF" + os.urandom(1_000_000))
    assert "could not load header-only.gguf" in one_line_error(backend_for(fake).start)


def test_a_missing_model(backend_for, tmp_path, quiet):
    message = one_line_error(backend_for(tmp_path / "gone.gguf").start)
    assert "--model" in message and "does not exist" in message


def test_a_killed_worker_mid_generation(backend_for, short_story, quiet):
    backend = backend_for()
    backend.start()
    backend.prewarm(short_story)
    request = Request(short_story + "Mara", max_tokens=12, stop=(), seed=1, sampler=SAMPLER)
    before = run(backend, request)[1].text
    stream = backend.stream(Request(short_story, max_tokens=400, stop=(), seed=1, sampler=SAMPLER))
    next(stream)
    pid = worker_pid(backend)
    os.kill(pid, signal.SIGKILL)
    message = one_line_error(lambda: list(stream))
    assert "stopped unexpectedly (signal 9)" in message and str(backend.log_path) in message
    # The player lives on; the next request starts a new worker, prewarmed again, so the seed still holds.
    assert run(backend, request)[1].text == before
    assert worker_pid(backend) != pid


def test_a_stalled_generation(backend_for, short_story, quiet):
    backend = backend_for(first_token_budget=5.0, stall_budget=1.0)
    backend.start()
    stream = backend.stream(Request(short_story, max_tokens=400, stop=(), seed=1, sampler=SAMPLER))
    next(stream)
    process = backend._worker.process
    os.kill(process.pid, signal.SIGSTOP)
    started = time.monotonic()
    message = one_line_error(lambda: list(stream))
    assert "has not written its next word in 1 s" in message
    assert time.monotonic() - started < 4.0
    assert process.poll() is not None  # the stalled worker was killed, not left behind


def test_no_first_token_within_the_budget(backend_for, quiet):
    backend = backend_for(first_token_budget=1.0)
    backend.start()
    process = backend._worker.process
    os.kill(process.pid, signal.SIGSTOP)
    message = one_line_error(lambda: run(backend, Request("The sea", max_tokens=5)))
    assert "has not written its first word in 1 s" in message and process.poll() is not None


def test_close_from_another_thread_ends_a_stream(backend_for, short_story, quiet):
    backend = backend_for()
    backend.start()
    errors: list[str] = []
    first = threading.Event()

    def read() -> None:
        try:
            for _ in backend.stream(Request(short_story, max_tokens=400, stop=(), seed=1, sampler=SAMPLER)):
                first.set()
        except ModelError as error:
            errors.append(str(error))
        first.set()

    reader = threading.Thread(target=read)
    reader.start()
    assert first.wait(30)
    backend.close()
    reader.join(10)
    assert not reader.is_alive() and errors == ["the model was closed"]
    backend.close()  # twice is fine
    assert "closed" in one_line_error(lambda: run(backend, Request("x", max_tokens=2)))


def test_the_worker_keeps_llama_cpp_output_in_the_log(backend_for, short_story, quiet):
    backend = backend_for()
    backend.start()
    run(backend, Request(short_story, max_tokens=5, stop=(), seed=1))
    assert "llama" in backend.log_path.read_text(errors="replace")


def test_a_worker_that_exits_at_once_is_a_clean_error(backend_for, tmp_path, quiet):
    """A worker that cannot even start (here: a Python that exits) is reported like a crash."""
    fake_python = tmp_path / "python"
    fake_python.write_text("#!/bin/sh\nexit 3\n")
    fake_python.chmod(0o755)
    backend = backend_for()
    backend.python = str(fake_python)
    assert "stopped unexpectedly (exit status 3)" in one_line_error(backend.start)
