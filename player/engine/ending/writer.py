"""Writes a personalised ending beat by beat: the plan opens each beat, the model finishes it.

Each beat is one request whose prompt is the story prefix, the ending so far, and the beat's opener, so the
model keeps the film's people and situation in view, and the backend reuses the prefix it has already
evaluated. A beat ends at its first sentence end: a 270M model finishes a sentence that knows where it is going
well, and drifts when it goes on. Each beat gets several candidates, ranked (ranking.py): a candidate that
loops, copies, or names someone or something the film does not have is refused; of the rest, the most fluent
and the closest to the beat's taste wins. The first new beat takes its first good candidate, streamed live, so
the ending starts at once; later beats are written while earlier ones play, which pays for the extra
candidates.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from player.engine.ending import beat_text
from player.engine.ending import ranking
from player.engine.llm.backend import Backend, Generated, Request, Sampler
from player.engine.catalog.films import YOURS, Beat, Film, Scene, reading_seconds
from player.engine.ending.plan import BeatPlan, Plan, decisions
from player.engine.ending.prompt import beat_line, opening, story_prefix

RETRIES = 2  # tries after the wanted candidates, when every one of them was refused
CANDIDATES = 3  # per round, for every beat but the first
TOKENS_PER_BEAT = 40
SEED_STRIDE = 1009  # seeds of successive beats and attempts, far apart
SENTENCE_STOPS = (". ", "! ", "? ", "\n")  # an action beat is one sentence
MARGIN = 1.5  # seconds of lead over the film that extra candidates must leave, for the next beat's first one


@dataclass(frozen=True)
class Started:
    index: int
    shown: str  # what to show while the beat is being written (its opener)


@dataclass(frozen=True)
class Piece:
    index: int
    text: str


@dataclass(frozen=True)
class Written:
    index: int
    beat: Beat


@dataclass(frozen=True)
class Refused:
    index: int
    reason: str


@dataclass
class WrittenEnding:
    """What write() produced: the beats (any done before it first), and what it cost."""

    beats: list[Beat] = field(default_factory=list)
    prompt: str = ""  # the story as the model saw it: the prefix, then every line of the ending
    tokens: int = 0
    seconds: float = 0.0
    first_token_seconds: float | None = None  # of the first request: the wait at the branch point
    refused: list[str] = field(default_factory=list)


Listener = Callable[[object], None]


def film_text(film: Film) -> str:
    return ranking.World.of(film).story


def write(film: Film, plan: Plan, backend: Backend, *, sampler: Sampler = Sampler(),
          on_event: Listener = lambda event: None, stopped: Callable[[], bool] = lambda: False,
          tokens_per_beat: int = TOKENS_PER_BEAT, done: Sequence[Beat] = (), start: int = 0,
          candidates: int = CANDIDATES, clock: Callable[[], float] = time.monotonic) -> WrittenEnding:
    """Write the planned beats from plan beat `start` on, after the beats already `done` (a resumed ending).
    WrittenEnding.beats is done + the new beats. Raises backend.ModelError when the model fails.

    The film starts playing the new beats as soon as the first is written; a beat's extra candidates are written
    only while the writing stays ahead of the film at 1x by MARGIN, so a slow machine gets fewer candidates,
    never a film that waits."""
    result = WrittenEnding(beats=list(done))
    prefix = story_prefix(film)
    world = ranking.World.of(film)
    written_lines = [beat_line(film, beat) for beat in done]
    playing_since: float | None = None  # when the first new beat was written: the film plays from then
    ahead = 0.0  # seconds of new beats written
    for index in range(start, len(plan.beats)):
        if stopped():
            break
        planned = plan.beats[index]

        def in_time() -> bool:
            return playing_since is not None and ahead - (clock() - playing_since) > MARGIN

        beat = _write_beat(film, plan, planned, index, backend, sampler, on_event, result, world,
                           prefix + "".join(f"{text}\n" for text in written_lines), tokens_per_beat,
                           1 if playing_since is None else candidates, stopped, in_time)
        if beat is None:
            continue  # every try looped or copied and there is no material to fall back on: go on without it
        result.beats.append(beat)
        written_lines.append(beat_line(film, beat))
        playing_since = clock() if playing_since is None else playing_since
        ahead += beat.duration
        on_event(Written(index, beat))
    result.prompt = prefix + "".join(f"{text}\n" for text in written_lines)
    return result


def _write_beat(film: Film, plan: Plan, planned: BeatPlan, index: int, backend: Backend, sampler: Sampler,
                on_event: Listener, result: WrittenEnding, world: "ranking.World", story: str, tokens: int,
                wanted: int, stopped: Callable[[], bool], in_time: Callable[[], bool]) -> Beat | None:
    """The best of the beat's candidates; the first candidate streams live (Piece events), the rest are silent
    and are written only while there is time (in_time)."""
    on_event(Started(index, planned.opener))
    earlier = [beat.text for beat in result.beats]
    good: list[tuple[float, str]] = []
    for attempt in range(wanted + RETRIES):  # `wanted` candidates, and a few more tries if all were refused
        if stopped() or (good and (attempt >= wanted or not in_time())):
            break
        live = attempt == 0 or wanted == 1  # the first new beat streams every try: the viewer is waiting for it
        request = Request(prompt=story + opening(film, planned), max_tokens=tokens,
                          stop=("\n", '"') if planned.kind == "dialogue" else SENTENCE_STOPS,
                          seed=plan.seed * SEED_STRIDE + index * 31 + attempt, sampler=sampler)
        generated, info = _stream(backend, request, index, on_event if live else None, result)
        text = beat_text.clean(planned.kind, planned.opener, generated)
        reason = ranking.refusal(text, planned.opener, earlier, world)
        if reason is None:
            good.append((ranking.score(text, planned, info, plan.avoid), text))
            continue
        result.refused.append(f"beat {index + 1}: {reason}")
        if live:
            on_event(Refused(index, reason))
    if good:
        return _beat(planned, max(good)[1])
    if planned.material and not stopped():  # the film's own clause, whole: the decision is made, what follows told
        return _beat(planned, beat_text.clean("action", planned.material, ""))
    return None


def _beat(planned: BeatPlan, text: str) -> Beat:
    return Beat(kind=planned.kind, text=text, tags=planned.tags, duration=reading_seconds(text),
                speaker=planned.speaker)


def _stream(backend: Backend, request: Request, index: int, on_event: Listener | None,
            result: WrittenEnding) -> tuple[str, Generated | None]:
    pieces = []
    stream = backend.stream(request)
    while True:
        try:
            piece = next(stream)
        except StopIteration as finished:
            generated = finished.value
            break
        pieces.append(piece)
        if on_event is not None:
            on_event(Piece(index, piece))
    if generated is not None:
        result.tokens += generated.tokens
        result.seconds += generated.seconds
        if result.first_token_seconds is None:
            result.first_token_seconds = generated.first_token_seconds
    return "".join(pieces), generated


def ending_scene(film: Film, plan: Plan, beats: list[Beat]) -> Scene:
    """The ending as a scene, with the storyboard of the authored ending closest in tone."""
    frame = _closest(film, plan).scenes[-1].storyboard
    return Scene(id=YOURS, title="Your ending", storyboard=frame, beats=tuple(beats), place="written for you")


def _closest(film: Film, plan: Plan):
    """The authored ending the plan's decision is, else the one closest in tone."""
    for ending in film.branch.endings:
        if ending.id == plan.way:
            return ending
    return max(film.branch.endings, key=lambda e: len(set(e.tags) & set(plan.tags)))


def closing_beat(film: Film, plan: Plan) -> Beat:
    """A beat that closes the ending on what it has, when the model fails part-way: written by the author, in
    the plan's tone. For a branch way, the last thing that follows from its decision; for an authored ending's
    decision (or a film without decisions), the last action beat of the authored ending closest to the plan."""
    tags = plan.beats[-1].tags if plan.beats else plan.tags
    way = next((d for d in decisions(film) if d.id == plan.way), None)
    if way is not None and way.id not in {e.id for e in film.branch.endings} and way.follows:
        last = Beat(kind="action", text=beat_text.clean("action", way.follows[-1], ""), tags=(), duration=0)
    else:
        beats = [beat for scene in _closest(film, plan).scenes for beat in scene.beats]
        last = next((beat for beat in reversed(beats) if beat.kind == "action"), beats[-1])
    return Beat(kind=last.kind, text=last.text, tags=tags, speaker=last.speaker, parenthetical=last.parenthetical,
                duration=reading_seconds(last.text, film.reading_wpm))
