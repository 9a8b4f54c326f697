"""Parser fixtures: small real cables copied into the project, and the shared corpus archives."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "parsing"


@pytest.fixture(scope="session")
def parsing_fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def seed_cable(corpus_dir: Path) -> bytes:
    """The cable the project was specified from (plain text with Markdown link residue)."""
    return (corpus_dir / "seed" / "07MOSCOW5100.txt").read_bytes()
