"""The real llama.cpp path: LocalBackend and its worker process with the real default model, and every way the
model can fail. Each failure must be one ModelError line, the test process must live on, and nothing may reach
the test's own stdout or stderr (capfd), which stand for the terminal Textual draws on.

The default model is assembled once per test session (with model_files.assemble_default), into a temporary folder.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from player.engine.llm import model_files
from player.engine.llm.backend import ModelError, Request, Sampler
from player.engine.catalog.films import load_title
from player.engine.base.locations import bundled_catalog
from player.engine.llm.process import LocalBackend
from player.engine.ending.prompt import story_prefix
from tests.model_calls import one_line_error, run

pytestmark = [pytest.mark.model, pytest.mark.usefixtures("busy_core")]  # deadlines hold on a loaded machine
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

    def make(model: Path | None = default_model, n_threads: int | None = None, **budgets) -> LocalBackend:
        made.append(LocalBackend(private_home, model, {}, n_threads=n_threads, **budgets))
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


def worker_pid(backend: LocalBackend) -> int:
    return backend._worker.process.pid


# ---- it works --------------------------------------------------------------------------------------------------

def test_load_prewarm_and_stream(backend_for, story, quiet):
    backend = backend_for()
    progress = []
    backend.start(lambda what, fraction: progress.append((what, fraction)))
    assert ("Loading the model", 1.0) in progress
    described = backend.describe()
    assert described["backend"] == "local" and described["sha256"] == model_files.default_package().EXPECTED_SHA256
    assert described["n_threads"] == backend.n_threads >= 1 and described["prompting"] == "base"  # as chosen

    # Cold: a fresh worker evaluates the whole story at the request.
    tail = 'Mara: "'
    pieces, cold = run(backend, Request(story + tail, max_tokens=24, stop=(), seed=1, sampler=SAMPLER))
    assert len(pieces) >= 5 and "".join(pieces) == cold.text
    assert cold.tokens == 24 and cold.stopped_by == "length" and cold.seconds >= cold.first_token_seconds
    assert len(cold.logprobs) == 24 and all(logprob <= 0.0 for logprob in cold.logprobs)
    assert sum(cold.logprobs) / 24 > -8.0  # the model's own text is likely under the model, not noise

    # Prewarmed: another story (nothing shared with the context but the first token) is evaluated beforehand,
    # with progress along the way.
    other = story.replace("Mara", "Maren")
    reading = []
    backend.prewarm(other, progress=lambda what, fraction: reading.append((what, fraction)))
    assert reading[0] == ("Reading the story", 0.0) and reading[-1] == ("Reading the story", 1.0)
    assert any(0.0 < fraction < 1.0 for _, fraction in reading)
    assert [fraction for _, fraction in reading] == sorted(fraction for _, fraction in reading)
    pieces, warm = run(backend, Request(other + tail, max_tokens=24, stop=(), seed=1, sampler=SAMPLER))
    assert len(pieces) >= 5 and warm.tokens == 24
    assert warm.first_token_seconds < 0.3 * cold.first_token_seconds, (warm, cold)


def test_a_fixed_seed_gives_the_same_text_whatever_ran_before(backend_for, short_story, quiet):
    backend = backend_for()
    backend.start()
    backend.queue_prewarm(short_story)  # queued: the first request waits for it in the worker

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
    backend.queue_prewarm(short_story)
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
    backend.queue_prewarm(short_story)
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
    backend.queue_prewarm(short_story)
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
    backend = backend_for(stall_budget=5.0)  # small, yet above any batch's time on a loaded machine
    backend.start()
    stream = backend.stream(Request(short_story, max_tokens=400, stop=(), seed=1, sampler=SAMPLER))
    next(stream)
    process = backend._worker.process
    os.kill(process.pid, signal.SIGSTOP)
    message = one_line_error(lambda: list(stream))
    assert "made no progress for 5 s" in message and "next word" in message
    assert process.poll() is not None  # the stalled worker was killed, not left behind


def test_a_worker_stalled_before_the_first_word(backend_for, quiet):
    backend = backend_for(stall_budget=5.0)
    backend.start()
    process = backend._worker.process
    os.kill(process.pid, signal.SIGSTOP)
    message = one_line_error(lambda: run(backend, Request("The sea", max_tokens=5)))
    assert "made no progress for 5 s" in message and "first word" in message and process.poll() is not None


def test_a_slow_but_live_worker_is_never_stopped(backend_for, story, quiet):
    """The worker is made to crawl (stopped for 1 s in every 1.2 s) through a cold prompt and a generation
    that take far longer than the stall budget in all; each stop is shorter than the budget, so it must finish."""
    backend = backend_for(n_threads=1, stall_budget=5.0)
    backend.start()
    pid = worker_pid(backend)
    crawling = threading.Event()

    def crawl() -> None:
        while not crawling.is_set():
            os.kill(pid, signal.SIGSTOP)
            time.sleep(1.0)
            os.kill(pid, signal.SIGCONT)
            time.sleep(0.2)

    crawler = threading.Thread(target=crawl)
    crawler.start()
    try:
        started = time.monotonic()
        pieces, done = run(backend, Request(story + 'Mara: "', max_tokens=20, stop=(), seed=2, sampler=SAMPLER))
        took = time.monotonic() - started
    finally:
        crawling.set()
        crawler.join()
        os.kill(pid, signal.SIGCONT)
    assert done.tokens == 20 and worker_pid(backend) == pid  # the same worker: never killed as stalled
    assert took > backend.stall_budget  # the test did make the whole request slower than the budget


def test_threads_follow_the_free_cores(backend_for, short_story, quiet):
    """On this machine with one core kept busy (busy_core), a request uses the cores left: on 2 cores, 1."""
    backend = backend_for(n_threads=None)
    backend.start()
    run(backend, Request(short_story, max_tokens=5, stop=(), seed=1))
    cores = len(os.sched_getaffinity(0))
    described = backend.describe()
    assert 1 <= described["n_threads"] <= max(1, cores - 1), backend.threads_reason
    if cores == 2:
        assert described["n_threads"] == 1 and backend.threads_reason.startswith("1 thread: ")


def test_a_fixed_thread_count_is_kept_and_said(backend_for, short_story, quiet):
    backend = backend_for(n_threads=3)
    backend.start()
    run(backend, Request(short_story, max_tokens=5, stop=(), seed=1))
    assert backend.describe()["n_threads"] == 3 and backend.threads_reason == "3 threads: set by --threads"


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
    process = backend._worker.process
    backend.close()
    assert process.poll() is not None  # killed by close() itself, not left to finish its computation
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


PARENT = """
import sys
from pathlib import Path
from player.engine.llm.process import LocalBackend
backend = LocalBackend(Path(sys.argv[1]), Path(sys.argv[2]), {}, n_threads=1)
backend.start()
stream = backend.stream(__import__("player.engine.llm.backend", fromlist=["Request"]).Request(
    "The sea " * 200, max_tokens=2000, stop=()))
next(stream)
print(backend._worker.process.pid, flush=True)
for _ in stream:
    pass
"""


def test_the_worker_dies_with_its_parent(private_home, default_model, quiet):
    """Even SIGKILLed mid-generation (no cleanup at all), the player leaves no model process behind."""
    import subprocess

    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(private_home), str(default_model)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              cwd=Path(__file__).parents[2])
    pid = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30  # a liveness bound, not a timing: it must go, however loaded the machine
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for a reaper."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
