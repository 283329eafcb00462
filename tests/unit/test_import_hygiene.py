"""What gets loaded: every module of player.engine, down through its subpackages, imports without Textual (the UI),
and the quick commands (`watch list`, `watch --help`) load neither Textual nor llama.cpp."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

IMPORT_ALL_ENGINE = """
import importlib, pkgutil, sys
import player.engine
names = [m.name for m in pkgutil.walk_packages(player.engine.__path__, "player.engine.")]
for name in names:
    importlib.import_module(name)
print(len(names))
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] == "textual")))
"""


def engine_imports(root: Path | None = None) -> tuple[int, str]:
    """(how many engine modules were imported, the textual modules that came with them)."""
    env = {**os.environ, **({"PYTHONPATH": str(root)} if root else {})}
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL_ENGINE], capture_output=True, text=True, check=True,
                            env=env, cwd=root or ROOT)
    count, loaded = (result.stdout.split("\n") + [""])[:2]
    return int(count), loaded


def test_engine_imports_without_textual():
    count, loaded = engine_imports()
    assert count >= 40, "the walk must reach the modules inside the engine's subpackages"
    assert loaded == "", f"player.engine pulled in: {loaded}"


def test_the_check_finds_textual_deep_in_a_subpackage(tmp_path):
    shutil.copytree(ROOT / "player", tmp_path / "player", ignore=shutil.ignore_patterns("__pycache__"))
    with open(tmp_path / "player/engine/ending/prompt.py", "a", encoding="utf-8") as file:
        file.write("\nimport textual.widget  # added by the test\n")
    assert "textual.widget" in engine_imports(tmp_path)[1].split(",")


def loaded_by(*argv: str) -> set[str]:
    """The top-level packages a Python command imports, from -X importtime (which lists every import)."""
    result = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}


def test_watch_list_and_help_load_neither_textual_nor_llama_cpp(private_home):
    for command in (["list"], ["--help"]):
        heavy = loaded_by("-m", "player", *command) & {"textual", "llama_cpp"}
        assert not heavy, f"watch {' '.join(command)} loaded {heavy}"


def test_the_import_check_sees_textual_and_llama_cpp():
    assert {"textual", "llama_cpp"} <= loaded_by("-c", "import textual.app, llama_cpp")
