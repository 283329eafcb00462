"""Calling a backend in tests, whatever runs the model (the local worker, a server, a fake)."""

import pytest

from player.engine.llm.backend import Backend, Generated, ModelError, Request, drain


def run(backend: Backend, request: Request) -> tuple[list[str], Generated]:
    """Every piece of one request, and the Generated it ends with."""
    return drain(backend.stream(request))


def one_line_error(call) -> str:
    """The ModelError `call` raises, checked to be what a user may see: one line, no traceback."""
    with pytest.raises(ModelError) as raised:
        call()
    message = str(raised.value)
    assert message and "\n" not in message and "Traceback" not in message
    return message
