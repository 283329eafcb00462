"""The history store under real processes and real signals: nothing acknowledged is lost."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from player.engine.history.store import History

ROOT = Path(__file__).resolve().parents[2]


class Driver:
    """tests/process/driver.py in a subprocess, with its acknowledgements read as they come."""

    def __init__(self, home: Path, viewer: str, writer: str, count: int, interval: float, user: int | None = None):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.process.driver", str(home), viewer, writer, str(count), str(interval)],
            stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env, user=user)
        self.acks: list[tuple[int, float]] = []  # (event number, when the ack was read)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            line = line.strip()
            self.lines.append(line)
            if line.startswith("ack "):
                self.acks.append((int(line.split()[1]), time.monotonic()))

    def wait_for_acks(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acks) < count:
            assert time.monotonic() < deadline, f"only {len(self.acks)} acks; output: {self.lines[-5:]}"
            assert self.process.poll() is None, f"driver died: {self.lines[-5:]}"
            time.sleep(0.01)

    def finish(self, timeout: float = 30) -> int:
        status = self.process.wait(timeout)
        self._reader.join(timeout)
        return status


def assert_saved_every_ack(saved: list[int], acked: int) -> None:
    """Every acknowledged event is saved, in order. The signal may land after log() and before the ack is
    printed, so one more event may be saved than was acknowledged."""
    assert saved[:acked] == list(range(acked)) and len(saved) in (acked, acked + 1), (acked, saved[-3:])


def saved_numbers(home: Path, viewer: str, writer: str) -> list[int]:
    return [event["n"] for event in History(home, viewer).events() if event.get("writer") == writer]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_saves_every_acknowledged_event(private_home, sig):
    driver = Driver(private_home, "ann", "w1", 100_000, 0.002)
    driver.wait_for_acks(300)
    driver.process.send_signal(sig)
    assert driver.finish() == 0
    assert "closed" in driver.lines
    acked = [number for number, _ in driver.acks]
    assert_saved_every_ack(saved_numbers(private_home, "ann", "w1"), len(acked))
    assert len(acked) >= 300


def test_kill_9_loses_at_most_the_last_second_and_leaves_readable_files(private_home):
    for round_number in range(4):
        writer = f"w{round_number}"
        driver = Driver(private_home, "ann", writer, 100_000, 0.001)
        driver.wait_for_acks(400 + 300 * round_number)  # kill at a different moment each round
        killed_at = time.monotonic()
        driver.process.kill()
        driver.finish()
        history = History(private_home, "ann")
        saved = set(saved_numbers(private_home, "ann", writer))
        must_have = {number for number, acked_at in driver.acks if acked_at < killed_at - 1.0}
        assert must_have <= saved, f"round {round_number}: lost {sorted(must_have - saved)[:10]}"
        assert saved <= {number for number, _ in driver.acks}
        assert history.notices == []  # every file is still valid JSON
        assert history.counts()[0] == len(history.events())  # and the summary agrees with the files


def test_two_writers_for_one_viewer_lose_nothing(private_home):
    first = Driver(private_home, "ann", "a", 1500, 0.001)
    second = Driver(private_home, "ann", "b", 1500, 0.001)
    assert first.finish(60) == 0 and second.finish(60) == 0
    assert saved_numbers(private_home, "ann", "a") == list(range(1500))
    assert saved_numbers(private_home, "ann", "b") == list(range(1500))
    history = History(private_home, "ann")
    assert history.counts()[0] == 3000 and history.notices == []


class ReadOnlySwitch:
    """A data directory that can be made read-only and writable again. Root ignores file permissions, so as
    root it is a tmpfs mount remounted read-only (EROFS); otherwise it is chmod."""

    def __init__(self, base: Path):
        self.base = base
        self.root = os.geteuid() == 0
        base.mkdir(parents=True, exist_ok=True)
        if self.root:
            result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(base)],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                pytest.skip(f"running as root without mount, no way to make a read-only dir: {result.stderr}")
        self.home = base / "home"
        self.home.mkdir()

    def read_only(self, on: bool) -> None:
        if self.root:
            subprocess.run(["mount", "-o", f"remount,{'ro' if on else 'rw'}", str(self.base)], check=True)
        else:
            os.chmod(self.home, 0o555 if on else 0o755)

    def close(self) -> None:
        if self.root:
            subprocess.run(["umount", str(self.base)], capture_output=True)


@pytest.fixture
def switch(tmp_path):
    switch = ReadOnlySwitch(tmp_path / "mnt")
    yield switch
    switch.close()


def test_a_read_only_data_dir_warns_keeps_events_and_retries(switch):
    home = switch.home
    switch.read_only(True)
    driver = Driver(home, "ann", "w", 100_000, 0.005)  # still logging long after the disk is writable again
    wait_for_line(driver, lambda line: line.startswith("warning history not saved"))
    assert driver.process.poll() is None  # it did not crash
    time.sleep(1.0)
    switch.read_only(False)  # the disk is writable again
    wait_for_line(driver, lambda line: line == "warning None")  # the warning cleared once saving worked again
    driver.process.send_signal(signal.SIGTERM)
    assert driver.finish(60) == 0 and "closed" in driver.lines
    assert_saved_every_ack(saved_numbers(home, "ann", "w"), len(driver.acks))


def wait_for_line(driver: Driver, wanted, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not any(wanted(line) for line in driver.lines):
        assert time.monotonic() < deadline, driver.lines[-5:]
        assert driver.process.poll() is None, f"driver died: {driver.lines[-5:]}"
        time.sleep(0.05)


def test_a_damaged_file_is_moved_aside_and_the_cli_still_starts(private_home):
    history = History(private_home, "ann")
    for title in ("lighthouse", "tallow"):
        for number in range(10):
            history.log({"kind": "pause", "viewer": "ann", "title": title, "session": "s", "scene": "x",
                         "beat": number, "position": 0.0, "at": f"2026-01-01T00:00:{number:02d}.000Z"})
    history.close()
    segment = private_home / "viewers" / "ann" / "events" / "lighthouse" / "000001.json"
    truncated = segment.read_bytes()[:50]
    segment.write_bytes(truncated)
    summary = private_home / "viewers" / "ann" / "titles.json"
    summary.write_bytes(b"\x00\xffnot json")
    result = subprocess.run([sys.executable, "-m", "player", "history", "--viewer", "ann", "--json"],
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ})
    assert result.returncode == 0, result.stderr
    notes = result.stderr.strip().splitlines()
    assert len(notes) == 2 and all("moved it aside to" in note and ".corrupt-" in note for note in notes)
    aside = list(segment.parent.glob("000001.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == truncated  # kept as it was, never overwritten
    assert len(list(summary.parent.glob("titles.json.corrupt-*"))) == 1
    assert '"tallow"' in result.stdout  # the undamaged title is all there
    again = History(private_home, "ann")
    assert again.counts() == (10, 0) and again.notices == []
