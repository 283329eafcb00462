"""Drive the installed `watch` in a real terminal: a private tmux server, send-keys and capture-pane."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def watch_executable() -> str:
    beside = Path(sys.executable).parent / "watch"
    found = str(beside) if beside.exists() else shutil.which("watch")
    if not found:
        raise RuntimeError("the `watch` command is not installed; run `pip install -e .` first")
    return found


class Terminal:
    def __init__(self, command: list[str], env: dict[str, str], width: int = 100, height: int = 30,
                 socket: str | None = None, name: str = "e2e"):
        """Run `command` in a new tmux session, under a shell that writes its exit status to a file. `pid` is the
        command's own process, so signals sent to it reach `watch`."""
        if not shutil.which("tmux"):
            raise RuntimeError("tmux is required for the end-to-end tests (apt-get install -y tmux)")
        self.socket = socket or f"watch-e2e-{os.getpid()}-{time.monotonic_ns()}"
        self.name = name
        self.status_file = Path(tempfile.mkdtemp(prefix="watch-e2e-")) / "status"
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        shell = (f"env {exports} {shlex.join(command)}; echo $? > {shlex.quote(str(self.status_file))}; "
                 "sleep 600")
        self._tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), shell)
        shell_pid = self._tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip()
        self.pid = self._child_of(int(shell_pid))

    @staticmethod
    def _child_of(parent: int, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True)
            if result.stdout.strip():
                return int(result.stdout.split()[0])
            time.sleep(0.02)
        raise RuntimeError("the command did not start in tmux")

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True)
        return result.stdout

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.name, *keys)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name)

    def screen_with_escapes(self) -> str:
        """The screen with its colours and attributes, as SGR escapes (capture-pane -e)."""
        return self._tmux("capture-pane", "-p", "-e", "-t", self.name)

    def title(self) -> str:
        """The pane's title: what an OSC 0 or 2 escape written to the terminal sets."""
        return self._tmux("display-message", "-p", "-t", self.name, "#{pane_title}").rstrip("\n")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear within {timeout} s; the screen was:\n{self.screen()}")

    def exit_status(self, timeout: float = 30.0) -> int:
        """Wait for the command to exit; its status as the shell reports it (128 + n when killed by signal n)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status_file.exists() and self.status_file.read_text().strip():
                return int(self.status_file.read_text())
            time.sleep(0.05)
        raise AssertionError(f"still running after {timeout} s; the screen was:\n{self.screen()}")

    def kill_session(self) -> None:
        """Close the terminal: the processes in it get SIGHUP."""
        self._tmux("kill-session", "-t", self.name)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        shutil.rmtree(self.status_file.parent, ignore_errors=True)


def choose_your_ending(terminal: Terminal) -> None:
    """At the branch point, choose "Your ending" by its number, whatever follows (it may fail)."""
    screen = terminal.wait_for("Your ending — written for you now", timeout=90)
    option = next(line for line in screen.splitlines() if "Your ending" in line)
    terminal.keys(option.split("Your ending")[0].split()[-1])  # its number


def reach_your_ending(terminal: Terminal) -> None:
    """At the branch point, choose "Your ending" by its number and wait until its first beat plays."""
    choose_your_ending(terminal)
    terminal.wait_for("writing your ending", timeout=30)
    # "16x  ·  your ending" once its first beat plays; before that the state itself reads "✦ your ending"
    terminal.wait_for("x  ·  your ending", timeout=60)


def watch_your_ending(env: dict[str, str], *args: str) -> None:
    """Play lighthouse at 16x to the branch point, choose "Your ending", watch it stream in and play to the end,
    quit; fails if any of it does not happen."""
    terminal = Terminal([watch_executable(), "lighthouse", "--speed", "16", *args], env)
    try:
        reach_your_ending(terminal)
        terminal.wait_for("THE END", timeout=120)
        terminal.keys("q")
        assert terminal.exit_status() == 0
    finally:
        terminal.close()


def watch_json(env: dict[str, str], *args: str):
    """The JSON a `watch` command prints."""
    result = subprocess.run([watch_executable(), *args], capture_output=True, text=True, env={**os.environ, **env})
    return json.loads(result.stdout)
