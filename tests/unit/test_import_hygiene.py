"""player.engine is the domain: every module in it must import without Textual (the UI) being loaded."""

import subprocess
import sys

IMPORT_ALL_ENGINE = """
import importlib, pkgutil, sys
import player.engine
for module in pkgutil.iter_modules(player.engine.__path__):
    importlib.import_module(f"player.engine.{module.name}")
print(len(list(pkgutil.iter_modules(player.engine.__path__))))
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] == "textual")))
"""


def test_engine_imports_without_textual():
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL_ENGINE], capture_output=True, text=True, check=True)
    count, loaded = (result.stdout.split("\n") + [""])[:2]
    assert int(count) >= 8
    assert loaded == "", f"player.engine pulled in: {loaded}"


def test_the_check_itself_detects_textual():
    code = "import sys, player.app\nprint('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
