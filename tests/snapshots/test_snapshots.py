"""Snapshots of the screens at 80x24, the smallest size the player is drawn for.

Update after an intended change with `pytest tests/snapshots --snapshot-update`, then look at the report.
"""

from tests.app.helpers import build


def _at(seconds: float, *keys: str):
    async def run_before(pilot) -> None:
        pilot.app.services.time_source.advance(seconds)
        await pilot.pause(0.2)
        if keys:
            await pilot.press(*keys)
        await pilot.pause(0.2)
    return run_before


def test_player_screen(snap_compare, private_home):
    app = build(private_home, "lighthouse")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at(42.0, "space"))


def test_player_screen_dialogue(snap_compare, private_home):
    app = build(private_home, "tallow")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at(80.0, "right_square_bracket"))


def test_branch_screen(snap_compare, private_home):
    app = build(private_home, "tiny", timer=0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at(30.0))


def test_catalog_screen(snap_compare, private_home):
    app = build(private_home, None, samples=False)  # the test titles only, so new samples do not change it
    assert snap_compare(app, terminal_size=(80, 24))
