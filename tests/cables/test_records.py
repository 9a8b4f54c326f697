"""cables/records.py: rows back to the record the parser made."""

from __future__ import annotations

from pathlib import Path

import pytest

from cables.ingest.importer import import_paths
from cables.models import Cable
from cables.parsing import parse
from cables.records import cable_queryset_for_records, record_from_cable

SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", [SAMPLE / "07MOSCOW5100.txt", SAMPLE / "text" / "06REYKJAVIK150.txt"]
)
def test_record_from_rows_equals_the_parsed_record(path):
    import_paths([path])
    parsed = parse(path.read_bytes(), source=str(path))
    cable = Cable.objects.get(pk=parsed.id)
    assert record_from_cable(cable).to_json() == parsed.to_json()


def test_prefetched_queryset_reads_in_a_fixed_number_of_queries(django_assert_num_queries):
    import_paths([SAMPLE / "cablegate-pages.tar.xz"])
    with django_assert_num_queries(7):
        records = [record_from_cable(c) for c in cable_queryset_for_records()]
    assert len(records) == Cable.objects.count() > 50
