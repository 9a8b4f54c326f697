"""cables/ingest/pipeline.py: parsing in a second process gives the same items, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from cables.ingest.importer import import_paths
from cables.ingest.pipeline import RemoteProgress, iter_parsed_in_background
from cables.ingest.reading import Parsed, iter_parsed
from cables.ingest.sources import Limits, Sources
from cables.models import Cable

SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"


def as_json(items) -> list[dict]:
    return [
        {**item.record.to_json(), "raw": item.original.decode()}
        if isinstance(item, Parsed)
        else item.to_json()
        for item in items
    ]


def test_background_parsing_yields_what_parsing_here_yields(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 8)
    paths = [SAMPLE / "cablegate-pages.tar.xz", junk, SAMPLE / "07MOSCOW5100.txt"]
    progress = RemoteProgress()
    background = as_json(iter_parsed_in_background(paths, Limits(), progress))
    here = as_json(iter_parsed(Sources(paths, Limits())))
    assert background == here
    assert progress.bytes_done == progress.bytes_total == sum(p.stat().st_size for p in paths)


@pytest.mark.django_db
def test_parallel_import_stores_the_same_as_serial():
    parallel = import_paths([SAMPLE / "cablegate-pages.tar.xz"], parallel=True)
    hashes = dict(Cable.objects.values_list("id", "content_hash"))
    Cable.objects.all().delete()
    serial = import_paths([SAMPLE / "cablegate-pages.tar.xz"], parallel=False)
    assert parallel.as_dict() == serial.as_dict()
    assert dict(Cable.objects.values_list("id", "content_hash")) == hashes
