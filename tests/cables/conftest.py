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


@pytest.fixture(scope="session")
def corpus_member(corpus_dir: Path):
    """Read one member of a shared corpus archive: corpus_member("cables-text.tar.xz", "text/X.txt")."""
    import tarfile

    cache: dict[tuple[str, str], bytes] = {}

    def read(archive: str, name: str) -> bytes:
        key = (archive, name)
        if key not in cache:
            with tarfile.open(corpus_dir / archive, "r:xz") as tar:
                handle = tar.extractfile(name)
                assert handle is not None, f"{name} is not a file in {archive}"
                cache[key] = handle.read()
        return cache[key]

    return read


@pytest.fixture
def three_forms(tmp_path: Path, corpus_member) -> dict[str, Path]:
    """05DUBLIN143 as a cablegate page, as text and as a body-only fragment, one file each."""
    forms = {
        "html": ("cablegate-html.tar.xz", "cable/2005/02/05DUBLIN143.html"),
        "text": ("cables-text.tar.xz", "text/05DUBLIN143.txt"),
        "html-body": ("body-only-html.tar.xz", "cables/05DUBLIN143.txt"),
    }
    paths = {}
    for kind, (archive, member) in forms.items():
        folder = tmp_path / kind
        folder.mkdir()
        path = folder / member.rsplit("/", 1)[-1]
        path.write_bytes(corpus_member(archive, member))
        paths[kind] = path
    return paths
