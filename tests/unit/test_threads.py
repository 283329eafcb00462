"""The thread count follows the free cores (threads.py), and the settings that fix it are checked."""

from __future__ import annotations

import os

import pytest

from player.cli import run
from player.engine.llm import threads
from player.engine.base.config import ConfigError, read_config
from player.engine.base.locations import config_file


def test_one_busy_process_on_two_cores_leaves_one_thread():
    assert threads.choose(2, [2, 2, 1, 2, 2]) == (1, "1 thread: 1 of 2 cores busy")  # the reader counts itself


def test_an_idle_machine_uses_every_core_up_to_the_cap():
    assert threads.choose(2, [1, 1, 1]) == (2, "2 threads: 0 of 2 cores busy")
    assert threads.choose(32, [1])[0] == threads.MAX_THREADS


def test_a_loaded_machine_still_gets_one_thread():
    assert threads.choose(2, [9, 8, 9]) == (1, "1 thread: 2 of 2 cores busy")


def test_unknown_load_falls_back_to_half_the_cores():
    assert threads.choose(4, [])[0] == 2 and "load unknown" in threads.choose(4, [])[1]


def test_the_real_reading_with_a_busy_core(busy_core):
    if len(os.sched_getaffinity(0)) != 2:
        pytest.skip("the figure is for a 2-core machine")
    assert threads.free_threads()[0] == 1


@pytest.mark.parametrize("value", ["0", "true", '"two"', "100", "-1"])
def test_a_bad_threads_setting_is_one_line(private_home, value):
    config_file(private_home).parent.mkdir(parents=True, exist_ok=True)
    config_file(private_home).write_text(f"threads = {value}\n")
    with pytest.raises(ConfigError, match="`threads` must be a whole number from 1 to 64"):
        read_config(private_home)


def test_a_good_threads_setting(private_home):
    config_file(private_home).parent.mkdir(parents=True, exist_ok=True)
    config_file(private_home).write_text("threads = 3\n")
    assert read_config(private_home)["threads"] == 3


@pytest.mark.parametrize("value", ["0", "65"])
def test_a_bad_threads_option_exits_2(value, capsys):
    assert run(["doctor", "--threads", value]) == 2
    assert "--threads" in capsys.readouterr().err


def test_the_threads_option_reaches_the_backend(private_home):
    from player.cli import _backend

    backend = _backend(private_home, None, None, None, None, None, 3)[1]()
    assert (backend.n_threads, backend.threads_reason) == (3, "3 threads: set by --threads")
    config_file(private_home).parent.mkdir(parents=True, exist_ok=True)
    config_file(private_home).write_text("threads = 1\n")
    backend = _backend(private_home, None, None, None, None, None)[1]()
    assert backend.threads_reason == "1 thread: set by config.toml"
