"""Grouped writers write the segments whoosh3's writer writes, from real cables."""

from __future__ import annotations

import pytest
from whoosh import index as windex
from whoosh.writing import NO_MERGE, OPTIMIZE, IndexingError

from search.backends.whoosh.backend import WhooshBackend, to_fields
from search.backends.whoosh.blocks import PackedCodec
from search.backends.whoosh.schema import make_schema
from search.backends.whoosh.writer import GroupedMpWriter, GroupedSegmentWriter
from search.documents import iter_documents
from tests.search.whoosh_files import segment_files


def _codec(blocklimit: int = 16) -> PackedCodec:
    # Small blocks: most terms span several, so bulk adds cross block boundaries.
    return PackedCodec(blocklimit=blocklimit, compression=0)


def _documents(ids: list[str]) -> list[dict]:
    return [to_fields(doc) for doc in iter_documents(ids)]


def _write(path, writer_class, batches, mergetype=NO_MERGE, blocklimit=16):
    """One commit per batch of documents, each by a new writer of ``writer_class``."""
    path.mkdir()
    ix = windex.create_in(str(path), make_schema())
    codec = _codec(blocklimit)
    for n, batch in enumerate(batches):
        last = n == len(batches) - 1
        cls = writer_class if last else GroupedSegmentWriter
        writer = cls(ix, codec=codec) if cls else ix.writer(codec=codec)
        for fields in batch:
            writer.add_document(**fields)
        writer.commit(mergetype=mergetype if last else NO_MERGE)
    return ix


@pytest.mark.parametrize("blocklimit", [16, 512])  # 512: the engine's, packed by numpy
def test_grouped_writer_writes_whoosh3s_segment_byte_for_byte(
    searchable, sample_ids, tmp_path, blocklimit
):
    docs = _documents(sample_ids)
    ours = _write(tmp_path / "grouped", GroupedSegmentWriter, [docs], blocklimit=blocklimit)
    theirs = _write(tmp_path / "whoosh3", None, [docs], blocklimit=blocklimit)
    assert segment_files(ours) == segment_files(theirs)


def test_grouped_writer_merges_older_segments_like_whoosh3(searchable, sample_ids, tmp_path):
    docs = _documents(sample_ids)
    batches = [docs[:80], docs[80:160], docs[160:]]
    # The last writer adds its documents and merges the two older segments into its own.
    ours = _write(tmp_path / "grouped", GroupedSegmentWriter, batches, mergetype=OPTIMIZE)
    theirs = _write(tmp_path / "whoosh3", None, batches, mergetype=OPTIMIZE)
    assert len(ours._segments()) == 1
    assert segment_files(ours) == segment_files(theirs)


def test_grouped_mp_writer_writes_a_segment_per_process(searchable, sample_ids, tmp_path):
    docs = _documents(sample_ids)
    (tmp_path / "mp").mkdir()
    ix = windex.create_in(str(tmp_path / "mp"), make_schema())
    writer = GroupedMpWriter(ix, procs=2, batchsize=50, start_method="spawn", codec=_codec())
    for fields in docs:
        writer.add_document(**fields)
    writer.commit(mergetype=NO_MERGE)
    single = _write(tmp_path / "single", GroupedSegmentWriter, [docs])
    assert len(ix._segments()) == 2
    assert _contents(ix) == _contents(single)


def _contents(ix) -> tuple[dict, set]:
    """Stored fields by cable id, and every (field, term, cable id) posting (the spelling
    field's postings all name a segment's first document, not a cable: left out)."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        stored = {n: searcher.stored_fields(n) for n in reader.all_doc_ids()}
        ids = {n: fields["id"] for n, fields in stored.items()}
        postings = {
            (field, text, ids[n])
            for field, text in reader.all_terms()
            if not field.startswith("spell_")
            for n in reader.postings(field, text).all_ids()
        }
        return {fields["id"]: fields for fields in stored.values()}, postings


def test_a_failed_writer_process_fails_the_commit(tmp_path):
    (tmp_path / "mp").mkdir()
    ix = windex.create_in(str(tmp_path / "mp"), make_schema())
    writer = GroupedMpWriter(ix, procs=2, batchsize=1, start_method="spawn", codec=_codec())
    writer.add_document(id="A", body="kept")
    writer.add_document(id="B", nosuchfield="the sub-writer refuses this document")
    with pytest.raises(IndexingError, match="failed"):
        writer.commit(mergetype=NO_MERGE)
    assert ix.doc_count() == 0
    ix.writer().cancel()  # the lock was released


def test_a_writer_whose_processes_all_died_fails_instead_of_waiting(tmp_path):
    (tmp_path / "mp").mkdir()
    ix = windex.create_in(str(tmp_path / "mp"), make_schema())
    writer = GroupedMpWriter(ix, procs=2, batchsize=1, start_method="spawn", codec=_codec())
    with pytest.raises(IndexingError):
        # More jobs than the queue holds: whoosh3 waited forever on the twelfth.
        for n in range(40):
            writer.add_document(id=str(n), nosuchfield="refused")
        writer.commit(mergetype=NO_MERGE)
    if not writer.is_closed:  # a failed add: index_cables cancels the writer
        writer.cancel()
    ix.writer().cancel()  # the lock was released


def test_a_large_request_is_indexed_a_group_at_a_time(searchable, sample_ids, tmp_path):
    options = {"PATH": tmp_path, "GROUP_LIMIT": 100, "MULTIPROCESS_GROUP": 10**9}
    backend = WhooshBackend(options)
    backend.index_cables(sample_ids)
    ix = windex.open_dir(str(backend.live_dir()))
    sizes = sorted(segment.doc_count_all() for segment in ix._segments())
    assert sizes == sorted([100, 100, len(sample_ids) - 200])
    backend.close()
