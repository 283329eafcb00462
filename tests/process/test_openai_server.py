"""The real OpenAI-compatible server: llama-cpp-python's own (`python -m llama_cpp.server`) serving the default
model on 127.0.0.1, driven through OpenAIBackend: a streamed completion, the prewarmed prefix, and a branch
played end to end through the real writer. No mock of the HTTP API stands in here.

The server needs llama-cpp-python's [server] extra (uvicorn, fastapi, sse-starlette, ...), pinned in the `test`
extra. One server is started for this module; its output goes to a log file in a temporary folder.
"""

from __future__ import annotations


import pytest

from player.engine.ending import beat_text
from player.engine.ending import writer
from player.engine.llm.backend import ModelError, Request, Sampler
from player.engine.catalog.films import Catalog, load_title
from player.engine.base.locations import bundled_catalog
from player.engine.llm.service import ModelService
from player.engine.llm.openai_backend import OpenAIBackend
from player.engine.llm import threads
from player.engine.ending.plan import make_plan, short_name
from player.engine.ending.prompt import story_prefix
from tests.model_calls import run
from tests.servers import LlamaCppServer
from tests.profiles import ACTION

pytestmark = [pytest.mark.model, pytest.mark.usefixtures("busy_core_for_the_module")]  # on a loaded machine


@pytest.fixture(scope="module")
def server(busy_core_for_the_module, default_model, tmp_path_factory):
    # The server gets the threads the app would choose now (the free cores): 2 threads beside a busy process
    # write slower than 1 (docs/endings.md).
    running = LlamaCppServer(default_model, tmp_path_factory.mktemp("llama-server") / "server.log",
                             threads=threads.free_threads()[0])
    try:
        running.start()
    except RuntimeError as error:
        pytest.fail(str(error))
    yield running
    running.stop()


@pytest.fixture
def backend(server, private_home):
    made = OpenAIBackend(server.url, home=private_home)
    yield made
    made.close()


@pytest.fixture(scope="module")
def story() -> str:
    """The real story prefix of a sample film (about 1200 tokens)."""
    return story_prefix(load_title(bundled_catalog() / "lighthouse"))


def test_a_streamed_completion(backend, story, private_home, server):
    backend.start()
    described = backend.describe()
    assert described["backend"] == "openai" and described["url"] == server.url and "sha256" not in described
    assert described["model"].endswith("gemma-3-270m-q4_k_m.gguf")  # the server names it by its path
    assert described["chat"] is False and described["known"]  # a base model, by models.toml

    short = story[:1400]
    pieces, generated = run(backend, Request(short + 'Mara: "', max_tokens=24, stop=(), seed=1,
                                             sampler=Sampler(**described["sampler"])))
    assert len(pieces) >= 5 and "".join(pieces) == generated.text
    assert generated.tokens == 24 and generated.stopped_by == "length"
    assert generated.seconds >= generated.first_token_seconds > 0
    _, line = run(backend, Request(short, max_tokens=48, stop=("\n",), seed=2))
    assert "\n" not in line.text

    wrong = OpenAIBackend(server.url.removesuffix("/v1"), home=private_home)
    with pytest.raises(ModelError, match="answered 404 Not Found.*it should end in /v1"):
        wrong.start()


def test_prewarm_makes_the_first_token_come_sooner(backend, story):
    backend.start()
    tail = 'Mara: "'
    cold = run(backend, Request(story + tail, max_tokens=4, stop=(), seed=1))[1]
    other = story.replace("Mara", "Maren")  # nothing in the server's cache but the first few tokens
    backend.prewarm(other)
    warm = run(backend, Request(other + tail, max_tokens=4, stop=(), seed=1))[1]
    assert warm.first_token_seconds < 0.3 * cold.first_token_seconds, (warm, cold)


def test_a_branch_played_end_to_end_through_the_server(server, private_home):
    film = Catalog.load([bundled_catalog()]).films["lighthouse"]
    plan = make_plan(film, ACTION, seed=11)
    plan = type(plan)(**{**plan.__dict__, "beats": plan.beats[:4]})  # four beats keep the test short
    service = ModelService(lambda: OpenAIBackend(server.url, home=private_home))  # as the player uses a backend
    try:
        service.prepare(story_prefix(film))  # start, and prewarm the story while "the film plays"
        assert service.error is None and service.status == "ready"
        result = service.use(lambda backend: writer.write(film, plan, backend, sampler=service.sampler()))
        assert service.describe()["backend"] == "openai"
    finally:
        service.close()
    assert len(result.beats) >= 3 and result.tokens > 10
    assert result.first_token_seconds < 1.0  # the prefix was prewarmed: only the ending's lines are new
    names = {short_name(film, character) for character in film.characters}
    assert any(name in " ".join(beat.text for beat in result.beats) for name in names)
    for index, beat in enumerate(result.beats):
        planned = next(p for p in plan.beats if p.tags == beat.tags and beat.text.startswith(p.opener.strip()))
        others = [b.text for b in result.beats[:index]]
        assert beat_text.refusal(beat.text, planned.opener, others, writer.film_text(film)) is None
        assert len(beat.text) <= beat_text.MAX_CHARS and "\n" not in beat.text
