"""A taste learned from real behaviour in the TUI changes the ending: a viewer plays The Last Lighthouse in the
real app, skipping romance and dialogue and going back to action, and the plan of their next personalised
ending (from the app's own current profile) differs from a newcomer's the way that taste says it should."""

from player.engine.ending.plan import make_plan
from tests.app.helpers import build
from tests.app.test_profile_scenario import ACTION_FAN, ROMANTIC, watch_as


async def plan_for(home, viewer: str, seed: int = 3):
    app = build(home, "lighthouse", viewer=viewer, timer=0, offer_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.profile.loaded.wait(10)  # loaded off the UI thread, as the app starts
        profile = app.profile.current
        plan = make_plan(app.services.catalog.films["lighthouse"], profile, seed)
        await pilot.press("q")
    app.services.history.close()
    return profile, plan


async def test_skips_and_rewinds_in_the_player_change_the_ending(private_home):
    newcomer_profile, newcomer = await plan_for(private_home, "newcomer")
    assert not newcomer_profile["known"]
    viewer, skips, rewinds = ACTION_FAN
    await watch_as(private_home, viewer, "lighthouse", skips, rewinds)
    profile, plan = await plan_for(private_home, viewer)
    assert profile["known"]

    assert plan.emphasis[0] == "action" and "romance" in plan.avoid and "romance" not in newcomer.avoid
    assert plan.beats[0].tags == ("action",) != newcomer.beats[0].tags  # different from the first beat on
    assert plan.beats[0].opener != newcomer.beats[0].opener
    assert plan.way != "truth"  # not the romance-and-dialogue answer this viewer skipped through
    assert plan.decision and plan.beats[0].opener.startswith(plan.decision)
    assert any("action" in reason for reason in plan.reasons) and \
        not any("does not say yet" in reason for reason in plan.reasons)

    romantic, skipped, sought = ROMANTIC
    await watch_as(private_home, romantic, "lighthouse", skipped, sought)
    _, their_plan = await plan_for(private_home, romantic)
    assert "romance" in their_plan.emphasis and "action" in their_plan.avoid
    assert their_plan.way != plan.way and their_plan.beats[0].opener != plan.beats[0].opener
