"""The seed of another ending (`r` at the end of Your ending) stays a seed: 0 to 4294967295, never the old one."""

import pytest

from player import cli
from player.engine.ending.plan import SEEDS, next_seed


@pytest.mark.parametrize("seed, after", [(0, 1), (41, 42), (SEEDS - 2, SEEDS - 1), (SEEDS - 1, 0)])
def test_the_next_seed_is_in_range_and_new(seed, after):
    assert next_seed(seed) == after and 0 <= after < SEEDS and after != seed


def test_the_range_is_the_one_the_command_line_accepts():
    assert SEEDS == cli.SEEDS == 4294967296
