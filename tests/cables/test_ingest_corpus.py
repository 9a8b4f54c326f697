"""The whole shared corpus through the importer, twice: the second run changes nothing."""

from __future__ import annotations

import pytest

from cables.ingest.importer import import_paths
from cables.models import Cable

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_whole_corpus_imports_then_reimports_unchanged(corpus_dir):
    inputs = [*sorted(corpus_dir.glob("*.tar.xz")), corpus_dir / "seed"]
    first = import_paths(inputs)
    stored = Cable.objects.count()
    # About 3,100 distinct cables, most in several forms (page, text, fragment).
    assert first.new == stored > 2500
    assert first.new + first.updated + first.unchanged + first.failed == first.read
    second = import_paths(inputs)
    assert (second.new, second.updated) == (0, 0)
    assert second.unchanged == first.read - first.failed
    assert [f.source for f in second.failures] == [f.source for f in first.failures]
    assert Cable.objects.count() == stored
