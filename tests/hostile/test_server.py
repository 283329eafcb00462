"""The hostile server itself: it says on the wire what the tests built on it take for granted."""

from __future__ import annotations

import json
import socket

import pytest

from tests.hostile.server import HOSTILE, KEY, echo_key, stream_words


def exchange(fake, path: str = "/v1/completions", key: str = KEY) -> bytes:
    """One raw POST, and every byte of the answer until the server closes the connection."""
    body = b'{"prompt": "x", "max_tokens": 1}'
    with socket.create_connection(fake.server_address, timeout=5) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {key}\r\n"
                     f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("protocol, connection_close, status, chunked, close", [
    ("HTTP/1.1", False, b"HTTP/1.1 200", True, False),
    ("HTTP/1.1", True, b"HTTP/1.1 200", True, True),
    ("HTTP/1.0", False, b"HTTP/1.0 200", False, False),
])
def test_it_answers_in_the_protocol_asked_for(fake, protocol, connection_close, status, chunked, close):
    fake.protocol, fake.connection_close = protocol, connection_close
    head, _, body = exchange(fake).partition(b"\r\n\r\n")
    assert head.startswith(status)
    assert (b"Transfer-Encoding: chunked" in head) is chunked and (b"Connection: close" in head) is close
    assert body.startswith(b"8\r\n: ping" if chunked else b": ping") and b"data: [DONE]" in body


def test_it_echoes_the_key_and_sends_hostile_text(fake):
    fake.scripts["/v1/completions"] = echo_key
    answer = exchange(fake)
    assert KEY[:5].encode() in answer and KEY[5:].encode() in answer
    fake.scripts["/v1/completions"] = stream_words([HOSTILE])
    texts = [json.loads(line[6:])["choices"][0]["text"] for line in exchange(fake).split(b"\n")
             if line.startswith(b"data: {")]
    assert texts[0] == HOSTILE and "\x1b]0;pwned\x07" in texts[0] and "[/nope]" in texts[0]
