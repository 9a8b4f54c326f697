"""Segments are read in place: opening a reader does not copy the index into memory."""

from __future__ import annotations

import io
import random
import tracemalloc

import pytest
from whoosh import fields
from whoosh import index as windex
from whoosh.filedb import structfile

from search.backends.whoosh import fixes

DATA = b"first line\nsecond line\n" + bytes(range(256)) * 40


def test_view_file_reads_like_bytesio():
    ours, theirs = fixes.ViewFile(memoryview(DATA)), io.BytesIO(DATA)
    steps = [("read", 5), ("readline",), ("seek", 100), ("read", 300), ("tell",), ("seek", -10, 2)]
    steps += [("read", -1), ("seek", 3, 0), ("seek", 4, 1), ("readline",), ("read", 10**6)]
    for name, *args in steps:
        assert getattr(ours, name)(*args) == getattr(theirs, name)(*args)


def test_pickles_load_from_a_view_file():
    import pickle

    items = [("header", n, 2.5, b"x" * n) for n in (1, 100, 2000)]
    blob = b"".join(pickle.dumps(item, 2) for item in items)
    f = fixes.ViewFile(memoryview(blob))
    assert [pickle.load(f) for _ in items] == items
    assert f.tell() == len(blob)


def test_opening_a_compound_segment_does_not_copy_its_postings(tmp_path):
    fixes.apply()
    rng = random.Random(1)
    words = [f"w{n}" for n in range(5000)]
    ix = windex.create_in(str(tmp_path), fields.Schema(body=fields.TEXT()))
    with ix.writer() as writer:
        for _ in range(3000):
            writer.add_document(body=" ".join(rng.choices(words, k=200)))
    seg_bytes = sum(f.stat().st_size for f in tmp_path.glob("*.seg"))
    assert seg_bytes > 2_000_000  # one compound segment, postings inside
    tracemalloc.start()
    try:
        reader = windex.open_dir(str(tmp_path)).reader()
        assert reader.doc_frequency("body", "w1") > 0
        grown, _ = tracemalloc.get_traced_memory()
        reader.close()
    finally:
        tracemalloc.stop()
    assert grown < seg_bytes / 4


def test_an_untested_whoosh_version_is_refused_and_nothing_is_patched():
    before = structfile.BufferFile.__init__
    with pytest.raises(fixes.UntestedWhoosh, match="whoosh3 9.9.9 is installed"):
        fixes.apply("9.9.9")
    assert structfile.BufferFile.__init__ is before


def test_the_installed_whoosh_is_a_tested_version():
    assert fixes.installed_version() in fixes.TESTED_VERSIONS
