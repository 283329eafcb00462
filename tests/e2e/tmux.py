"""Drive the installed `watch` in a real terminal: a private tmux server, send-keys and capture-pane."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path


def watch_executable() -> str:
    beside = Path(sys.executable).parent / "watch"
    found = str(beside) if beside.exists() else shutil.which("watch")
    if not found:
        raise RuntimeError("the `watch` command is not installed; run `pip install -e .` first")
    return found


class Terminal:
    def __init__(self, command: list[str], env: dict[str, str], width: int = 100, height: int = 30):
        if not shutil.which("tmux"):
            raise RuntimeError("tmux is required for the end-to-end tests (apt-get install -y tmux)")
        self.socket = f"watch-e2e-{os.getpid()}-{time.monotonic_ns()}"
        self.done_marker = "__WATCH_EXITED__"
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        shell = f"env {exports} {shlex.join(command)}; echo {self.done_marker}=$?; sleep 600"
        self._tmux("new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height), shell)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True)
        return result.stdout

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "e2e", *keys)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear within {timeout} s; the screen was:\n{self.screen()}")

    def exit_status(self, timeout: float = 30.0) -> int:
        screen = self.wait_for(self.done_marker + "=", timeout)
        return int(screen.split(self.done_marker + "=")[1].split()[0])

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
