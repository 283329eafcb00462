"""The branch of an imported film: its question and its authored endings, each with its scenes.

A declared branch takes its endings from the `# Ending:` sections. Without one, the last scene becomes the
screenplay's own ending, and a second, minimal ending stops before it (the catalog wants two).
"""

from __future__ import annotations

from player.engine.importing.beat_split import shorten
from player.engine.catalog.films import State
from player.engine.base.errors import ImportFailed
from player.engine.importing.names import slug, unique
from player.engine.importing.screenplay import Builder, DraftBeat, DraftEnding, DraftScene, DraftWay, apply_tags, tone

MINIMAL_ENDING_ID = "stop"
SUMMARY_CELLS = 160  # an ending's summary made from its first line is cut to this


def branch_endings(builder: Builder) -> tuple[str, list[tuple[DraftEnding, list[DraftScene]]]]:
    """The branch question and its authored endings, each with its scenes."""
    if builder.branch is None:
        main = builder.scenes_of(None)
        if len(main) < 2:
            raise ImportFailed("there is only one scene, so no branch can go before the last one; add a scene "
                               "or declare the branch with [[branch: Question? | Choice | Choice]]")
        last = main[-1]
        last.ending = "written"
        written = DraftEnding(label="The ending as written", line=0, id="written", summary=shorten(
            f"The screenplay's own ending: {_first_text([last], last.heading)}", SUMMARY_CELLS))
        written.tags = _ending_tags(written, [last])
        return "How should it end?", [(written, [last]), _minimal_ending()]
    question, labels, line = builder.branch
    result = []
    taken: set[str] = set()
    for label in labels:
        ending = builder.endings.get(label.casefold())
        scenes = builder.scenes_of(label.casefold())
        if ending is None or not scenes:
            raise ImportFailed(f"line {line}: the branch offers {label!r} but no '# Ending: {label}' section with "
                               "scenes follows; write one for each choice")
        ending.summary = ending.summary or shorten(_first_text(scenes, label), SUMMARY_CELLS)
        ending.id = unique(slug(label), taken, "ending")
        ending.tags = _ending_tags(ending, scenes)
        result.append((ending, scenes))
    return question, result


def branch_ways(builder: Builder, characters: dict) -> tuple[list[DraftWay], dict[str, tuple]]:
    """The `# Way:` sections and the world notes, checked: a way needs a decision, what follows and a tone, and the
    cast and each state's character must be characters of the film. The world's "state" holds the States."""
    taken = {ending.id for ending in builder.endings.values()}
    for way in builder.ways:
        if way.id in taken:
            raise ImportFailed(f"line {way.line}: the way {way.id!r} has the id of an ending; give it its own")
        for name, example in (("summary", "a '= one-line summary' under the section"),
                              ("decision", "[[decision: Mara throws the book into the sea]]"),
                              ("follows", "[[follows: what happens | then | then]]"),
                              ("tags", "[[tags: dark, spectacle]]")):
            if not getattr(way, name):
                raise ImportFailed(f"line {way.line}: the way {way.id!r} has no {name}; add {example}")
    world = dict(builder.world)
    if "cast" in world:
        cast = tuple(builder.character_id(cue) for cue in world["cast"])
        unknown = [cue for cue, cid in zip(world["cast"], cast) if cid not in characters]
        if unknown:
            raise ImportFailed(f"the cast note names {unknown[0]!r}, who is not a character of the film")
        world["cast"] = cast
    if builder.states:
        world["state"] = _states(builder, characters)
    return builder.ways, world


def _states(builder: Builder, characters: dict) -> tuple[State, ...]:
    """The state notes by character id: one for each, and only for characters of the film."""
    states: dict[str, State] = {}
    for state in builder.states:
        character = builder.character_id(state.cue)
        if character not in characters:
            raise ImportFailed(f"line {state.line}: the state note names {state.cue!r}, who is not a character of "
                               "the film")
        if character in states:
            raise ImportFailed(f"line {state.line}: a second state note for {state.cue}; write one per character")
        states[character] = State(character, state.now, state.cannot)
    return tuple(states.values())


def _first_text(scenes: list[DraftScene], fallback: str) -> str:
    return next((beat.text for scene in scenes for beat in scene.beats), fallback)


def _ending_tags(ending: DraftEnding, scenes: list[DraftScene]) -> tuple[str, ...]:
    """An ending's tone: the two tags its beats carry most (all talk, if they carry nothing but dialogue)."""
    tags = tuple(tone(beat for scene in scenes for beat in scene.beats)) or ("dialogue",)
    for override in ending.overrides:
        tags = apply_tags(tags, override, ending.line)
    return tags


def _minimal_ending() -> tuple[DraftEnding, list[DraftScene]]:
    """Without a branch note the screenplay has one ending; the catalog wants two. The second is honest about
    being nothing more than the film stopping before its last scene (the player adds the personalised one)."""
    scene = DraftScene(heading="", ending=MINIMAL_ENDING_ID, title="The Story Stops Here", beats=[
        DraftBeat("caption", "THE STORY STOPS HERE, BEFORE ITS LAST SCENE.", ("quiet", "mystery")),
        DraftBeat("caption", "What happens next is yours to imagine.", ("mystery", "hopeful"))])
    ending = DraftEnding(label="Stop before the last scene", line=0, id=MINIMAL_ENDING_ID, tags=("quiet", "mystery"),
                         summary="The film stops before its last scene and leaves the ending open.")
    return ending, [scene]
