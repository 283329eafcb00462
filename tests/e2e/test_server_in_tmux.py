"""The installed `watch` in a real terminal, writing "Your ending" through a real OpenAI-compatible server
(llama-cpp-python's, serving the default model on 127.0.0.1): no mock of the HTTP API."""

import pytest

from tests.e2e.tmux import watch_json, watch_your_ending
from tests.servers import LlamaCppServer

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def test_a_branch_played_through_the_server(default_model, private_home, tmp_path):
    with LlamaCppServer(default_model, tmp_path / "server.log") as server:
        env = {"WATCH_HOME": str(private_home), "TERM": "xterm-256color", "WATCH_BACKEND": "openai",
               "WATCH_URL": server.url, "WATCH_API_KEY": "sk-test-secret"}
        watch_your_ending(env, "--seed", "4")
    endings = watch_json(env, "endings", "--json")
    assert len(endings) == 1 and endings[0]["backend"] == "openai" and endings[0]["seed"] == 4
    saved = (private_home / "viewers" / "default" / "endings" / f"{endings[0]['id']}.json").read_text()
    assert server.url in saved and "sk-test-secret" not in saved
    for log in (private_home / "logs").glob("*.log"):
        assert "sk-test-secret" not in log.read_text(errors="replace")
