"""The installed `watch` in a real terminal, writing "Your ending" through a real OpenAI-compatible server
(llama-cpp-python's, serving the default model on 127.0.0.1): no mock of the HTTP API."""

import json
import os
import subprocess

import pytest

from tests.e2e.tmux import Terminal, watch_executable
from tests.servers import LlamaCppServer

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def test_a_branch_played_through_the_server(default_model, private_home, tmp_path):
    with LlamaCppServer(default_model, tmp_path / "server.log") as server:
        env = {"WATCH_HOME": str(private_home), "TERM": "xterm-256color", "WATCH_BACKEND": "openai",
               "WATCH_URL": server.url, "WATCH_API_KEY": "sk-test-secret"}
        terminal = Terminal([watch_executable(), "lighthouse", "--speed", "16", "--seed", "4"], env)
        try:
            screen = terminal.wait_for("Your ending — written for you now", timeout=90)
            option = next(line for line in screen.splitlines() if "Your ending" in line)
            terminal.keys(option.split("Your ending")[0].split()[-1])
            terminal.wait_for("your ending  ·", timeout=60)
            terminal.wait_for("THE END", timeout=120)
            terminal.keys("q")
            assert terminal.exit_status() == 0
        finally:
            terminal.close()
    result = subprocess.run([watch_executable(), "endings", "--json"], capture_output=True, text=True,
                            env={**os.environ, **env})
    endings = json.loads(result.stdout)
    assert len(endings) == 1 and endings[0]["backend"] == "openai" and endings[0]["seed"] == 4
    saved = (private_home / "viewers" / "default" / "endings" / f"{endings[0]['id']}.json").read_text()
    assert server.url in saved and "sk-test-secret" not in saved
    for log in (private_home / "logs").glob("*.log"):
        assert "sk-test-secret" not in log.read_text(errors="replace")
