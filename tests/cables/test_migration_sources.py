"""Migration 0006_cable_sources converts a library in place: the sample, stored as the old
schema stored it (raw_text, header, body, plain paragraphs), loses nothing."""

from __future__ import annotations

import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cables.ingest.reading import content_hash
from cables.parsing import parse

SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"
BEFORE = [("cables", "0005_parsed_anomalies")]
AFTER = [("cables", "0006_cable_sources")]

pytestmark = pytest.mark.django_db(transaction=True)


def sample_inputs() -> list[tuple[str, bytes]]:
    inputs = [(str(p), p.read_bytes()) for p in sorted(SAMPLE.rglob("*.txt"))]
    with tarfile.open(SAMPLE / "cablegate-pages.tar.xz") as tar:
        for member in tar:
            if member.isfile():
                inputs.append((member.name, tar.extractfile(member).read()))
    return inputs


def store_as_before(apps) -> dict[str, dict]:
    """The sample written as the old importer wrote it; what each cable held, by id."""
    Cable = apps.get_model("cables", "Cable")
    Paragraph = apps.get_model("cables", "Paragraph")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    held = {}
    for source, data in sample_inputs():
        record = parse(data, source=source)
        Cable.objects.create(
            id=record.id,
            classification=record.classification,
            origin=record.origin.label,
            subject=record.subject,
            header=record.header,
            body=record.body,
            format=record.format,
            source=source,
            raw_text=data.decode("utf-8"),
            content_hash=content_hash(record),
            seen_hashes=[content_hash(record)],
            first_imported=now,
            last_imported=now,
        )
        Paragraph.objects.bulk_create(
            Paragraph(cable_id=record.id, position=i, number=p.number, text=p.text)
            for i, p in enumerate(record.paragraphs)
        )
        held[record.id] = {
            "header": record.header,
            "body": record.body,
            "source": source,
            "original": data,
            "paragraphs": [p.text for p in record.paragraphs],
        }
    return held


@pytest.fixture
def migrated():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    held = store_as_before(executor.loader.project_state(BEFORE).apps)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    return held


def test_every_cable_keeps_its_text_upload_and_paragraphs_in_one_form(migrated):
    from cables.models import Cable, CableSource

    assert CableSource.objects.count() == len(migrated)
    cables = {c.id: c for c in Cable.objects.prefetch_related("paragraphs", "sources")}
    assert sorted(cables) == sorted(migrated)
    for cable_id, held in migrated.items():
        cable = cables[cable_id]
        assert (cable.header, cable.body, cable.source) == (
            held["header"],
            held["body"],
            held["source"],
        )
        assert cable.shown_source.original_bytes == held["original"]
        assert [p.text for p in cable.paragraphs.all()] == held["paragraphs"]
