"""Snapshots of the screens at 80x24, the smallest size the player is drawn for.

Update after an intended change with `pytest tests/snapshots --snapshot-update`, then look at the report.
"""

from tests.app.helpers import build
from tests.snapshots.steps import steps, why_of_your_ending




def test_player_screen(snap_compare, private_home):
    app = build(private_home, "lighthouse")
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(42.0, "space"))


def test_player_screen_dialogue(snap_compare, private_home):
    app = build(private_home, "tallow")
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(80.0, "right_square_bracket"))


def test_branch_screen(snap_compare, private_home):
    app = build(private_home, "tiny", timer=0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(30.0))


def test_catalog_screen(snap_compare, private_home):
    app = build(private_home, None, samples=False)  # the test titles only, so new samples do not change it
    assert snap_compare(app, terminal_size=(80, 24))


def test_branch_screen_with_your_ending(snap_compare, private_home):
    from tests.fakes.backend import FakeBackend

    app = build(private_home, "lighthouse", timer=0, backend=FakeBackend(), samples=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(600.0))


def test_your_ending_why_panel(snap_compare, private_home):
    from tests.fakes.backend import FakeBackend

    app = build(private_home, "tiny", timer=0, backend=FakeBackend(), seed=4)

    assert snap_compare(app, terminal_size=(80, 24), run_before=why_of_your_ending)
