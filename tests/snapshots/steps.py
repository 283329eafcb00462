"""What the snapshot tests do before the picture is taken."""


def steps(*steps, settle: float = 0.2):
    """Seconds of film to play (a number) or a key to press (a string), in turn, letting the app settle after each."""
    async def run_before(pilot) -> None:
        for step in steps:
            if isinstance(step, str):
                await pilot.press(step)
            else:
                pilot.app.services.time_source.advance(step)
            await pilot.pause(settle)
    return run_before


async def why_of_your_ending(pilot) -> None:
    """Through the tiny film to its branch, Your ending (choice 3) written by a fake model, then its Why panel."""
    pilot.app.services.time_source.advance(30.0)
    await pilot.pause(0.2)
    await pilot.press("3")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)
    await pilot.press("w")
    await pilot.pause(0.2)
