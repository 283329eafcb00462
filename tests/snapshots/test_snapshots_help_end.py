"""Snapshots at 80x24 of help over the player, the backlog, and the end card with its ending read back.

Update after an intended change with `pytest tests/snapshots/test_snapshots_help_end.py --snapshot-update`, then
look at the report.
"""

from tests.app.helpers import build
from tests.snapshots.steps import steps


def test_help_over_the_player(snap_compare, private_home):
    app = build(private_home, "lighthouse")
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(42.0, "question_mark"))


def test_the_backlog(snap_compare, private_home):
    app = build(private_home, "tallow")
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(80.0, "h"))


def test_the_end_card_with_its_ending_read_back(snap_compare, private_home):
    app = build(private_home, "lighthouse", timer=0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(900.0, "1", 400.0, 400.0, "h"))
