"""The branch of an imported film: its question and its authored endings, each with its scenes.

A declared branch takes its endings from the `# Ending:` sections. Without one, the last scene becomes the
screenplay's own ending (or the last part of it, in a film of one scene), and a second, minimal ending stops
before it (the catalog wants two). A branch note followed by plain scenes makes those the screenplay's own ending.
"""

from __future__ import annotations

from player.engine.importing.beat_split import shorten
from player.engine.catalog.films import State
from player.engine.base.errors import ImportFailed
from player.engine.importing.names import UniqueIds, slug
from player.engine.importing.screenplay import WRITTEN, WRITTEN_LABEL, Builder, DraftBeat, DraftEnding, DraftScene, \
    DraftWay, apply_tags, tone

MINIMAL_ENDING_ID = "stop"
SUMMARY_CELLS = 160  # an ending's summary made from its first line is cut to this


def branch_endings(builder: Builder) -> tuple[str, list[tuple[DraftEnding, list[DraftScene]]]]:
    """The branch question and its authored endings, each with its scenes."""
    if builder.branch is None or not builder.endings and builder.scenes_of(WRITTEN):
        scenes, before = (builder.scenes_of(WRITTEN), "its ending") if builder.branch else _last_part(builder)
        written = DraftEnding(label=WRITTEN_LABEL, line=0, id=WRITTEN, summary=shorten(
            f"The screenplay's own ending: {_first_text(scenes, scenes[0].heading)}", SUMMARY_CELLS))
        written.tags = _ending_tags(written, scenes)
        question = builder.branch[0] if builder.branch else "How should it end?"
        return question, [(written, scenes), _minimal_ending(before)]
    question, labels, line = builder.branch
    result = []
    ids = UniqueIds()
    for label in labels:
        ending = builder.endings.get(label.casefold())
        scenes = builder.scenes_of(label.casefold())
        if ending is None or not scenes:
            raise ImportFailed(f"line {line}: the branch offers {label!r} but no '# Ending: {label}' section with "
                               "scenes follows; write one for each choice")
        ending.summary = ending.summary or shorten(_first_text(scenes, label), SUMMARY_CELLS)
        ending.id = ids.new(slug(label), "ending")
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
                              ("decision", "[[watch: decision: Mara throws the book into the sea]]"),
                              ("follows", "[[watch: follows: what happens | then | then]]"),
                              ("tags", "[[watch: tags: dark, spectacle]]")):
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


def _last_part(builder: Builder) -> tuple[list[DraftScene], str]:
    """Without a branch note, the screenplay's own ending is its last scene, taken out of the main film; in a
    film of one scene, the last third of that scene's beats (at least one), so that even a short plays."""
    main = builder.scenes_of(None)
    last = main[-1]
    if len(main) > 1:
        last.ending = WRITTEN
        return [last], "its last scene"
    cut = len(last.beats) - max(1, len(last.beats) // 3)
    rest = DraftScene(heading=last.heading, ending=WRITTEN, beats=last.beats[cut:], title=last.title)
    del last.beats[cut:]
    builder.scenes.append(rest)
    return [rest], "the end of its scene"


def _first_text(scenes: list[DraftScene], fallback: str) -> str:
    return next((beat.text for scene in scenes for beat in scene.beats), fallback)


def _ending_tags(ending: DraftEnding, scenes: list[DraftScene]) -> tuple[str, ...]:
    """An ending's tone: the two tags its beats carry most (all talk, if they carry nothing but dialogue)."""
    tags = tuple(tone(beat for scene in scenes for beat in scene.beats)) or ("dialogue",)
    for override in ending.overrides:
        tags = apply_tags(tags, override, ending.line)
    return tags


def _minimal_ending(before: str) -> tuple[DraftEnding, list[DraftScene]]:
    """Without authored endings the screenplay has one ending; the catalog wants two. The second is honest about
    being nothing more than the film stopping `before` its own ending ("its last scene"); the player adds the
    personalised one."""
    scene = DraftScene(heading="", ending=MINIMAL_ENDING_ID, title="The Story Stops Here", beats=[
        DraftBeat("caption", f"THE STORY STOPS HERE, BEFORE {before.upper()}.", ("quiet", "mystery")),
        DraftBeat("caption", "What happens next is yours to imagine.", ("mystery", "hopeful"))])
    label = "Stop before the last scene" if before == "its last scene" else "Stop before the ending"
    ending = DraftEnding(label=label, line=0, id=MINIMAL_ENDING_ID, tags=("quiet", "mystery"),
                         summary=f"The film stops before {before} and leaves the ending open.")
    return ending, [scene]
