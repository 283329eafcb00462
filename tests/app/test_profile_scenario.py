"""Two opposite viewers watch two sample films in the real app (headless, on a manual clock). Their profiles,
read back through `watch profile --json`, must rank the tags in opposite directions, with evidence naming the
films."""

import json

from player.cli import run
from tests.clocks import ManualTime
from player.screens.branch import BranchScreen
from player.screens.end import EndScreen
from player.screens.player import PlayerScreen
from player.screens.profile import ProfileScreen
from tests.app.helpers import build
from tests.conftest import TEST_CATALOG

ACTION_FAN = ("action-fan", {"romance", "dialogue"}, {"action"})
ROMANTIC = ("romantic", {"action"}, {"romance", "dialogue"})


async def watch_as(home, viewer: str, film_id: str, skips: set[str], rewinds: set[str]) -> None:
    now = ManualTime()
    app = build(home, film_id, viewer=viewer, now=now, timer=0, offer_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        player = app.screen
        assert isinstance(player, PlayerScreen)
        rewound: set[tuple] = set()
        while not isinstance(app.screen, EndScreen):
            if isinstance(app.screen, BranchScreen):
                endings = list(player.film.branch.endings)
                best = max(range(len(endings)), key=lambda i: len(set(endings[i].tags) & rewinds)
                           - len(set(endings[i].tags) & skips))
                await pilot.press(str(best + 1))
                continue
            playback = player.playback
            slot = playback.slot
            here = (playback.part, slot.scene_index, slot.beat_index)
            if set(slot.beat.tags) & skips:
                await pilot.press("right")
            elif set(slot.beat.tags) & rewinds and here not in rewound:
                now.advance(slot.end - playback.position + 1e-6)  # watch it to the end, then go back to it once
                player.tick()
                await pilot.press("left")
                rewound.add(here)
            else:
                now.advance(slot.end - playback.position + 1e-6)
                player.tick()
                if isinstance(app.screen, PlayerScreen):
                    continue
            await pilot.pause()
        await pilot.press("q")
    app.services.history.close()


def profile_json(viewer: str, capsys, *args: str) -> dict:
    assert run(["profile", "--viewer", viewer, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def rank(profile: dict, tag: str) -> int:
    return list(profile["tags"]).index(tag)  # the JSON lists tags most liked first


async def test_opposite_viewers_get_opposite_profiles(private_home, capsys):
    for viewer, skips, rewinds in (ACTION_FAN, ROMANTIC):
        for film in ("lighthouse", "tallow"):
            await watch_as(private_home, viewer, film, skips, rewinds)
    fan, romantic = profile_json("action-fan", capsys), profile_json("romantic", capsys)
    for profile in (fan, romantic):
        assert profile["known"] and profile["sessions"] == 2
    assert fan["tags"]["action"]["score"] > 0 > fan["tags"]["romance"]["score"]
    assert fan["tags"]["dialogue"]["score"] < 0
    assert romantic["tags"]["action"]["score"] < 0 < romantic["tags"]["romance"]["score"]
    assert romantic["tags"]["dialogue"]["score"] > 0
    for liked, disliked in (("action", "romance"), ("action", "dialogue")):
        assert rank(fan, liked) < rank(fan, disliked)
        assert rank(romantic, liked) > rank(romantic, disliked)
    assert list(fan["tags"])[0] == "action" and list(romantic["tags"])[-1] == "action"
    for profile in (fan, romantic):
        lines = " ".join(profile["evidence"])
        assert "The Last Lighthouse" in lines and "Ink and Flour" in lines
    assert any(line.startswith("skipped") and "romance beats in" in line for line in fan["evidence"])
    assert any(line.startswith("skipped") and "action beats in" in line for line in romantic["evidence"])
    assert fan["pace"]["skip_rate"] > 0 and romantic["pace"]["skip_rate"] > 0


async def test_the_profile_screen_shows_the_same_profile(private_home, capsys):
    await watch_as(private_home, "ann", "tiny", {"romance"}, {"action"})
    app = build(private_home, None, viewer="ann")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, ProfileScreen)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        shown = app.screen.described
        screenshot = app.export_screenshot()
        await pilot.press("escape")
        assert not isinstance(app.screen, ProfileScreen)
    assert shown == profile_json("ann", capsys, "--catalog", str(TEST_CATALOG))
    assert shown["tags"]["action"]["score"] > 0 > shown["tags"]["romance"]["score"]
    for text in ("Taste", "profile", "action", "romance", "Tiny", "Film"):
        assert text in screenshot
