"""tests/hostile: watch against a fake OpenAI-compatible server that misbehaves (tests/hostile/server.py).
Every test here is marked `hostile`."""

from pathlib import Path

import pytest

from tests.hostile.server import backend_for, fake, log_text  # noqa: F401  (fixtures)

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.hostile)
