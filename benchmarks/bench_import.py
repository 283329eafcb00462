"""How `watch import` scales: generated screenplays of 100 KB, 1 MB and 10 MB, one 1 MB paragraph, and a
feature-length script (the largest real fixture, and a generated one of 150 KB), each imported in a child
process so that its peak memory can be measured.

    python benchmarks/bench_import.py [--sizes 100000,1000000,10000000] [--feature-kb 150]

Prints JSON. Targets: the time per MB at the largest size is at most 1.5 times the time per MB at 1 MB; a
feature-length script imports in 2 s or less (on 2 cores); peak memory is at most 10 times the file's size
(the child's peak resident memory, VmHWM, minus its peak once the modules were imported), checked from 1 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20261203
FIXTURES = ROOT / "tests" / "fixtures" / "screenplays"
PEOPLE = ["MARA", "ELIAS", "ROSA QUINTERO", "CALLUM", "ZOË", "DR. WREN"]
PLACES = ["KITCHEN", "LIGHTHOUSE - LAMP ROOM", "RED MESA - COMPANY STORE", "HARBOUR", "TRAIN CAR", "ATTIC"]
WORDS = ("the door opens slowly and a cold wind runs through the empty room while she waits by the window "
         "he grabs the rifle and sprints down the stairs the storm breaks over the harbour in blinding light "
         "they laugh at the silly joke and she kisses him on the cheek a secret letter lies hidden in the "
         "ledger nobody knows who took the key blood on the floor and a funeral bell at dawn hope returns "
         "with the sunrise").split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    if rng.random() < 0.2:
        text = text.replace(" the ", " *the* ", 1)  # emphasis the parser must remove
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "!", "?"])


def screenplay(size: int, seed: int = SEED) -> str:
    """A Fountain screenplay of about `size` characters: scenes of action, speeches with parentheticals, notes,
    transitions and the odd lyric, in a fixed random order."""
    rng = random.Random(seed)
    parts = ["Title: The Generated Film\nCredit: Written by\nAuthor: Bench Mark\nDraft date: 2026\n"]
    length, scene = len(parts[0]), 0
    while length < size:
        scene += 1
        block = [f"{rng.choice(['INT.', 'EXT.'])} {rng.choice(PLACES)} - {rng.choice(['DAY', 'NIGHT'])} #{scene}#"]
        for _ in range(rng.randint(3, 9)):
            roll = rng.random()
            if roll < 0.35:
                block.append(" ".join(_sentence(rng, rng.randint(5, 25)) for _ in range(rng.randint(1, 4))))
            elif roll < 0.9:
                speech = [rng.choice(PEOPLE) + rng.choice(["", "", " (V.O.)", " (CONT'D)"])]
                if rng.random() < 0.3:
                    speech.append(f"({rng.choice(['quietly', 'to Mara', 'beat'])})")
                speech += [_sentence(rng, rng.randint(3, 18)) for _ in range(rng.randint(1, 3))]
                block.append("\n".join(speech))
            elif roll < 0.95:
                block.append(f"[[A note about scene {scene}]]")
            else:
                block.append("~" + _sentence(rng, 6) + "\n~" + _sentence(rng, 6))
        block.append(rng.choice(["CUT TO:", "> FADE OUT.", "DISSOLVE TO:"]))
        text = "\n\n".join(block) + "\n\n"
        parts.append(text)
        length += len(text)
    return "\n".join(parts)


def one_paragraph(size: int, seed: int = SEED) -> str:
    """A scene whose action is a single paragraph (one sentence with commas) of about `size` characters."""
    rng = random.Random(seed)
    words = []
    length = 0
    while length < size:
        word = rng.choice(WORDS) + ("," if rng.random() < 0.05 else "")
        words.append(word)
        length += len(word) + 1
    return ("INT. KITCHEN - DAY\n\n" + " ".join(words) + ".\n\nMARA\nWell.\n\nEXT. HARBOUR - NIGHT\n\n"
            "The boat leaves.\n\nELIAS\nGoodbye.\n")


# The child's peak resident memory is VmHWM, which starts afresh at exec; ru_maxrss would not (Linux keeps the
# forking parent's peak in it). The baseline is the peak once the modules are imported, in the same child.
_CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from player.engine.importing import importer

def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

base = peak_kb()
started = time.perf_counter()
importer.import_fountain(Path(sys.argv[1]), Path(sys.argv[2]), title_id="bench")
seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "peak_kb": peak_kb(), "baseline_kb": base}}))
"""


def _run_child(path: str, into: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT)), path, into], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def measure(text: str, label: str, work: Path) -> dict:
    source = work / f"{label}.fountain"
    source.write_text(text, encoding="utf-8")
    into = work / f"into-{label}"
    figures = _run_child(str(source), str(into))
    size = source.stat().st_size
    peak = max(0, figures["peak_kb"] - figures["baseline_kb"]) * 1024
    return {"label": label, "bytes": size, "seconds": round(figures["seconds"], 3),
            "seconds_per_mb": round(figures["seconds"] / (size / 1e6), 3), "baseline_memory_bytes":
            figures["baseline_kb"] * 1024, "peak_memory_bytes": peak, "memory_per_file_byte": round(peak / size, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--feature-kb", type=int, default=150)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        runs = [measure(screenplay(size), f"generated-{size}", work) for size in sizes]
        paragraph = measure(one_paragraph(1_000_000), "one-paragraph-1000000", work)
        largest = max(FIXTURES.glob("*.fountain"), key=lambda path: path.stat().st_size)
        real = measure(largest.read_text(encoding="utf-8"), f"fixture-{largest.stem}", work)
        feature = measure(screenplay(args.feature_kb * 1000), f"generated-feature-{args.feature_kb}kb", work)
    per_mb = {run["bytes"]: run["seconds_per_mb"] for run in runs}
    at_1mb = next((run for run in runs if run["bytes"] >= 900_000), runs[0])
    ratio = round(runs[-1]["seconds_per_mb"] / at_1mb["seconds_per_mb"], 3)
    everything = runs + [paragraph, real, feature]
    large = [run for run in everything if run["bytes"] >= 900_000]  # below that, the fixed cost of the
    # modules' first use (tables, caches) outweighs the file: reported, not held to the target
    print(json.dumps({
        "cpus": len(os.sched_getaffinity(0)),
        "runs": everything,
        "seconds_per_mb_by_size": per_mb,
        "largest_over_1mb_per_mb_ratio": ratio,
        "linear": ratio <= 1.5,
        "feature_seconds": max(real["seconds"], feature["seconds"]),
        "feature_within_2s": max(real["seconds"], feature["seconds"]) <= 2.0,
        "one_paragraph_seconds_per_mb": paragraph["seconds_per_mb"],
        "one_paragraph_linear": paragraph["seconds_per_mb"] <= 1.5 * at_1mb["seconds_per_mb"],
        "max_memory_per_file_byte_from_1mb": max(run["memory_per_file_byte"] for run in large),
        "memory_within_10x_from_1mb": all(run["memory_per_file_byte"] <= 10 for run in large),
    }, indent=2))


if __name__ == "__main__":
    main()
