"""Writes a personalised ending beat by beat: the plan opens each beat, the model finishes it.

Each beat is one request whose prompt is the story prefix, the ending so far, and the beat's opener, so the
model keeps the film's people and situation in view, and the backend reuses the prefix it has already
evaluated. A beat the model loops on or copies is written again with another seed, then dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import beat_text
from .backend import Backend, Request, Sampler, drain
from .catalog import Beat, Film, Scene, reading_seconds
from .plan import YOURS, Plan
from .prompt import beat_line, line, opening, story_prefix

RETRIES = 2
TOKENS_PER_BEAT = 48
SEED_STRIDE = 1009  # seeds of successive beats and attempts, far apart


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
class Result:
    beats: list[Beat] = field(default_factory=list)
    prompt: str = ""  # the story as the model saw it: the prefix, then every line of the ending
    tokens: int = 0
    seconds: float = 0.0
    first_token_seconds: float | None = None  # of the first request: the wait at the branch point
    refused: list[str] = field(default_factory=list)


Listener = Callable[[object], None]


def film_text(film: Film) -> str:
    return "\n".join(beat_line(film, beat) for scene in film.scenes for beat in scene.beats)


def write(film: Film, plan: Plan, backend: Backend, *, sampler: Sampler = Sampler(),
          on_event: Listener = lambda event: None, stopped: Callable[[], bool] = lambda: False,
          tokens_per_beat: int = TOKENS_PER_BEAT) -> Result:
    """Write the planned beats. Raises backend.ModelError when the model fails."""
    result = Result()
    prefix = story_prefix(film)
    known_text = film_text(film)
    written_lines: list[str] = []
    for index, planned in enumerate(plan.beats):
        if stopped():
            break
        start = opening(film, planned)
        on_event(Started(index, planned.opener))
        for attempt in range(RETRIES + 1):
            prompt = prefix + "".join(f"{text}\n" for text in written_lines) + start
            request = Request(prompt=prompt, max_tokens=tokens_per_beat,
                              stop=("\n", '"') if planned.kind == "dialogue" else ("\n",),
                              seed=plan.seed * SEED_STRIDE + index * 31 + attempt, sampler=sampler)
            generated = _stream(backend, request, index, on_event, result)
            text = beat_text.clean(planned.kind, planned.opener, generated)
            reason = beat_text.refusal(text, planned.opener, [b.text for b in result.beats], known_text)
            if reason is None:
                break
            result.refused.append(f"beat {index + 1}: {reason}")
            on_event(Refused(index, reason))
        else:
            continue  # three tries and still a loop or a copy: the ending goes on without this beat
        beat = Beat(kind=planned.kind, text=text, tags=planned.tags, duration=reading_seconds(text),
                    speaker=planned.speaker)
        result.beats.append(beat)
        written_lines.append(line(film, beat.kind, beat.text, beat.speaker))
        on_event(Written(index, beat))
    result.prompt = prefix + "".join(f"{text}\n" for text in written_lines)
    return result


def _stream(backend: Backend, request: Request, index: int, on_event: Listener, result: Result) -> str:
    pieces, generated = drain(backend.stream(request), lambda piece: on_event(Piece(index, piece)))
    if generated is not None:
        result.tokens += generated.tokens
        result.seconds += generated.seconds
        if result.first_token_seconds is None:
            result.first_token_seconds = generated.first_token_seconds
    return "".join(pieces)


def ending_scene(film: Film, plan: Plan, beats: list[Beat]) -> Scene:
    """The ending as a scene, with the storyboard of the authored ending closest in tone."""
    closest = max(film.branch.endings, key=lambda e: len(set(e.tags) & set(plan.tags)))
    frame = closest.scenes[-1].storyboard
    return Scene(id=YOURS, title="Your ending", storyboard=frame, beats=tuple(beats), place="written for you")
