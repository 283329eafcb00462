"""ModelService, the boundary between the model and the player: every exception stops here as one line (an
unforeseen one logged once, with its traceback), and a failure is not started again within the same wait."""

from __future__ import annotations

import logging

import pytest

from player.engine.llm.backend import ModelError, ModelGone
from player.engine.llm.service import ModelService
from player.engine.ending.prompt import story_prefix
from tests.fakes.backend import FakeBackend


class Breaks(FakeBackend):
    """A fake whose `where` (start, prewarm or stream) raises `error`, as a bug or unforeseen input would."""

    def __init__(self, where: str, error: Exception):
        super().__init__()
        self.where, self.error, self.starts = where, error, 0

    def start(self, progress=None) -> None:
        self.starts += 1
        if self.where == "start":
            raise self.error
        super().start(progress)

    def prewarm(self, prefix: str, progress=None) -> None:
        if self.where == "prewarm":
            raise self.error
        super().prewarm(prefix, progress)

    def stream(self, request):
        if self.where == "stream":
            raise self.error
        return super().stream(request)


ERRORS = [RecursionError("maximum recursion depth exceeded while decoding a JSON array"),
          AttributeError("'str' object has no attribute 'get'"), KeyError("title")]


def errors_logged(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


def one_line(message: str | None) -> str:
    assert message and "\n" not in message and "Traceback" not in message and len(message) < 200, message
    return message


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: error.__class__.__name__)
@pytest.mark.parametrize("where", ["start", "prewarm"])
def test_an_unforeseen_error_while_preparing_is_one_line_and_logged_once(tiny, caplog, where, error):
    backend = Breaks(where, error)
    statuses: list[str] = []
    service = ModelService(lambda: backend, lambda text, fraction: statuses.append(text))
    service.prepare(story_prefix(tiny))  # does not raise
    assert service.status == statuses[-1] == "unavailable" and not service.ready
    assert error.__class__.__name__ in one_line(service.error)
    logged = errors_logged(caplog)
    assert len(logged) == 1 and logged[0].exc_info[1] is error  # with its traceback, once
    assert backend.closed
    with pytest.raises(ModelError) as raised:  # the branch point then falls back at once, with the same line
        service.use(lambda started: pytest.fail("started again"))
    assert str(raised.value) == service.error and backend.starts == 1 and len(errors_logged(caplog)) == 1


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: error.__class__.__name__)
def test_an_unforeseen_error_while_writing_is_a_model_error_logged_once(tiny, caplog, error):
    backend = Breaks("stream", error)
    service = ModelService(lambda: backend)
    service.prepare(story_prefix(tiny))
    assert service.ready
    with pytest.raises(ModelError) as raised:
        service.use(lambda started: list(started.stream(None)))
    assert raised.value.__cause__ is error and error.__class__.__name__ in one_line(str(raised.value))
    assert service.status == "unavailable" and service.error == str(raised.value) and backend.closed
    logged = errors_logged(caplog)
    assert len(logged) == 1 and logged[0].exc_info[1] is error


def test_an_error_that_only_follows_a_cancel_is_not_reported(tiny, caplog):
    service = ModelService(lambda: FakeBackend())
    service.prepare(story_prefix(tiny))

    def work(backend):
        service.cancel()  # the viewer quit: whatever breaks now is only the consequence
        raise OSError("socket closed")

    with pytest.raises(ModelError, match="the model was closed"):
        service.use(work)
    assert service.error is None and not errors_logged(caplog)


def test_a_model_error_is_kept_and_the_next_prepare_starts_afresh(tiny):
    backends = [FakeBackend(fail_start="no model found; use --model"), FakeBackend()]
    service = ModelService(lambda: backends.pop(0))
    service.prepare(story_prefix(tiny))
    assert service.status == "unavailable" and service.error == "no model found; use --model"
    with pytest.raises(ModelError, match="no model found"):
        service.use(lambda backend: pytest.fail("started again"))
    service.prepare(story_prefix(tiny))  # the next film: started afresh
    assert service.ready and service.use(lambda backend: "written") == "written"


@pytest.mark.parametrize("where", ["start", "prewarm"])
def test_a_model_process_that_died_while_preparing_is_started_again_once(tiny, where):
    """Killed or crashed while the film plays: Your ending must still be there at the branch point. A model that
    refuses (ModelError) is not started again, and one that dies twice is given up."""
    died = ModelGone("the model process stopped unexpectedly (signal 9)")
    backends = [Breaks(where, died), FakeBackend()]
    service = ModelService(lambda: backends.pop(0))
    service.prepare(story_prefix(tiny))
    assert service.ready and backends == [] and service.use(lambda backend: "written") == "written"
    service = ModelService(lambda: Breaks(where, died))
    service.prepare(story_prefix(tiny))
    assert service.status == "unavailable" and service.error == str(died)
