"""Fixtures shared by the whole suite. App-specific fixtures live beside their tests."""

from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_CORPUS = PROJECT_DIR.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real shared corpus (../shared/corpus). CI lays it beside the clone."""
    assert SHARED_CORPUS.is_dir(), f"the shared corpus is missing at {SHARED_CORPUS}"
    return SHARED_CORPUS


@pytest.fixture
def index_dir(tmp_path, settings) -> Path:
    """A fresh, empty search index folder for one test."""
    path = tmp_path / "index"
    settings.SEARCH_INDEX_DIR = path
    return path
