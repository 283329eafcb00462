"""A resolver that does not answer: the lookup of the server's name is bounded like every other step of a
request (by the connect timeout and by the time left in the wait), and ends in one line. Bounds, not
measurements, on a machine with one core kept busy."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.hostile.server import one_line_error

NAME = "watch-test.example"
pytestmark = pytest.mark.usefixtures("busy_core")


@pytest.fixture
def stuck_resolver(monkeypatch):
    """socket.getaddrinfo answers after 30 s (or when the test is over)."""
    over = threading.Event()

    def getaddrinfo(*args, **kwargs):
        over.wait(30)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield
    over.set()


@pytest.mark.parametrize("connect_timeout, first_token_budget", [(1.0, 10.0), (10.0, 1.0)],
                         ids=["by the connect timeout", "by the wait"])
def test_a_lookup_that_does_not_answer_is_one_line_within_the_budget(stuck_resolver, backend_for, log_text,
                                                                     connect_timeout, first_token_budget):
    url = f"http://{NAME}:8080/v1"
    backend = backend_for(url, connect_timeout=connect_timeout, first_token_budget=first_token_budget)
    began = time.monotonic()
    message = one_line_error(backend.start)
    assert message == f"the lookup of {NAME} took too long; check the address in {url} and the DNS settings"
    assert time.monotonic() - began < 2 * min(connect_timeout, first_token_budget)


def test_the_server_is_still_asked_by_its_name(fake, backend_for, log_text, monkeypatch):
    """The connect goes to the address looked up; the Host header still names the server."""
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *rest: real("127.0.0.1" if host == NAME else host, *rest))
    port = fake.server_address[1]
    backend_for(f"http://{NAME}:{port}/v1").start()
    assert fake.seen[0].headers["Host"] == f"{NAME}:{port}"
