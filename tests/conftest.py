"""Shared fixtures. No test ever touches a real home: WATCH_HOME points at a temporary folder."""

from __future__ import annotations

from pathlib import Path

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
