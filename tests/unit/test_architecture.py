"""The architecture holds: the [tool.importlinter] contracts in pyproject.toml are kept, and each one really fails
when the import it forbids is added to a copy of the code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = "import sys\nfrom importlinter.cli import lint_imports\nsys.exit(lint_imports(config_filename='pyproject.toml', " \
       "limit_to_contracts=tuple(sys.argv[1:]), no_cache=True, no_logo=True))"

# contract id -> (a module of the copy, an import the contract forbids there)
FORBIDDEN = {
    "app-above-screens": ("player/screens/help.py", "import player.app"),
    "engine-areas": ("player/engine/base/text.py", "import player.engine.catalog.films"),
    "engine-without-ui": ("player/engine/history/store.py", "import textual.app"),
    "llm-without-endings": ("player/engine/llm/threads.py", "import player.engine.ending.prompt"),
    "importing-alone": ("player/engine/importing/names.py", "import player.engine.taste.scoring"),
    "history-without-taste": ("player/engine/history/journal.py", "from player.engine.taste import scoring"),
}


def lint(root: Path, *contracts: str) -> subprocess.CompletedProcess:
    # PYTHONPATH first, so a copy in root is analysed rather than the installed package
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", LINT, *contracts], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)


def test_every_contract_is_kept():
    result = lint(ROOT)
    assert result.returncode == 0 and "0 broken" in result.stdout, result.stdout + result.stderr


def test_every_contract_is_proved_here():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert sorted(contract["id"] for contract in contracts) == sorted(FORBIDDEN)


@pytest.mark.parametrize("contract", sorted(FORBIDDEN))
def test_a_forbidden_import_breaks_its_contract(contract, tmp_path):
    shutil.copytree(ROOT / "player", tmp_path / "player", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    assert lint(tmp_path, contract).returncode == 0  # kept before the import is added
    module, line = FORBIDDEN[contract]
    with open(tmp_path / module, "a", encoding="utf-8") as file:
        file.write(f"\n{line}  # added by the test\n")
    result = lint(tmp_path, contract)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout and "1 broken" in result.stdout, result.stdout
