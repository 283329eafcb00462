"""Snapshots of the catalog at 80x24 over a made-up history (tests/app/test_catalog_for_you.py): its marks and
lengths, with two titles of one name told apart by id; a title's details; and the order for you.

Update after an intended change with `pytest tests/snapshots/test_snapshots_catalog.py --snapshot-update`, then
look at the report.
"""

from tests.app.helpers import build, wait_until
from tests.app.test_catalog_for_you import made_up_history


def _ready(*keys: str):
    """Once the marks and the profile are read, press `keys`."""
    async def run_before(pilot) -> None:
        await wait_until(pilot, lambda: pilot.app.screen.marks, "the marks")
        await wait_until(pilot, pilot.app.profile.loaded.is_set, "the profile")
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.2)
    return run_before


def test_catalog_with_marks(snap_compare, private_home):
    made_up_history(private_home)
    assert snap_compare(build(private_home, None), terminal_size=(80, 24), run_before=_ready())


def test_catalog_details_of_a_long_synopsis(snap_compare, private_home):
    made_up_history(private_home)  # wages: its details and synopsis are longer than the pane, which scrolls
    assert snap_compare(build(private_home, None), terminal_size=(80, 24), run_before=_ready("down", "i"))


def test_catalog_for_you(snap_compare, private_home):
    made_up_history(private_home)
    assert snap_compare(build(private_home, None), terminal_size=(80, 24), run_before=_ready("f"))


def test_catalog_for_you_without_history(snap_compare, private_home):
    assert snap_compare(build(private_home, None), terminal_size=(80, 24), run_before=_ready("f"))
