"""Search fixtures: real cables from the shared corpus in the test database, real indexes.

`library` loads a sample of real cables once per module and indexes it in a module tmp folder;
tests that only read use it through `searchable`. Tests that write (imports, deletions) use the
`index_dir` fixture and `store()` to create cables and send the signal the importer sends.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.search.corpus import corpus_ids, store_cables

SAMPLE_SIZE = 240
# Cables the tests name: the project's seed cable and a few the assertions rely on.
NAMED = ("07MOSCOW5100",)


@pytest.fixture(scope="session")
def sample_ids(corpus_dir: Path) -> list[str]:
    ids = corpus_ids(corpus_dir)
    step = max(1, len(ids) // SAMPLE_SIZE)
    picked = ids[::step][:SAMPLE_SIZE]
    return list(dict.fromkeys([*NAMED, *picked]))


@pytest.fixture(scope="module")
def backend_path() -> str:
    """The backend under test; a module testing another backend overrides this fixture."""
    return "search.backends.whoosh.WhooshBackend"


def spread_first_imports(ids: list[str]) -> None:
    """One import an hour, in id order, so that "added" windows and sorts have work to do."""
    from datetime import timedelta

    from django.utils import timezone

    from cables.models import Cable

    latest = timezone.now().replace(microsecond=0)
    for n, cable_id in enumerate(sorted(ids)):
        Cable.objects.filter(pk=cable_id).update(first_imported=latest - timedelta(hours=n))


@pytest.fixture(scope="module")
def library(
    django_db_setup, django_db_blocker, corpus_dir, sample_ids, tmp_path_factory, backend_path
):
    """The sample stored in the database and indexed in its own folder, for one module."""
    from django.test import override_settings

    from cables.models import Cable, Tag
    from search.service import get_backend, reset_backend

    path = tmp_path_factory.mktemp("library-index")
    overrides = {"SEARCH_INDEX_DIR": path, "CABLESEARCH_SEARCH_BACKEND": backend_path}
    with django_db_blocker.unblock(), override_settings(**overrides):
        tags_before = set(Tag.objects.values_list("code", flat=True))
        store_cables(corpus_dir, sample_ids)
        spread_first_imports(sample_ids)
        get_backend().rebuild()
        reset_backend()
        yield path
        reset_backend()
        Cable.objects.filter(pk__in=sample_ids).delete()
        Tag.objects.exclude(code__in=tags_before).delete()


@pytest.fixture
def searchable(library, db, settings, backend_path) -> Path:
    """Read-only tests: the module's library is the index in use."""
    settings.CABLESEARCH_SEARCH_BACKEND = backend_path
    settings.SEARCH_INDEX_DIR = library
    return library


@pytest.fixture
def store(corpus_dir, index_dir, db) -> Callable[..., list[str]]:
    """Store real cables with the ORM and announce them the way the importer does."""
    from cables.signals import cables_stored

    def _store(*ids: str) -> list[str]:
        stored = store_cables(corpus_dir, ids)
        cables_stored.send(sender=None, ids=stored)
        return stored

    return _store
