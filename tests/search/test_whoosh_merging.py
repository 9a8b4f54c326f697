"""The merge policy: small segments merge together, big ones stay, mostly deleted ones shrink."""

from __future__ import annotations

from whoosh import fields
from whoosh import index as windex

from search.backends.whoosh.merging import merge_policy

SCHEMA = fields.Schema(id=fields.ID(stored=True, unique=True), body=fields.TEXT())


def _commit(ix, ids, policy, delete=()):
    writer = ix.writer()
    for doc_id in ids:
        writer.add_document(id=doc_id, body=f"cable {doc_id}")
    for doc_id in delete:
        writer.delete_by_term("id", doc_id)
    writer.commit(mergetype=policy)


def _sizes(ix) -> list[int]:
    return sorted(s.doc_count_all() for s in ix._segments())


def test_small_segments_merge_once_enough_pile_up(tmp_path):
    ix = windex.create_in(str(tmp_path), SCHEMA)
    policy = merge_policy(small=10, merge_at=3)
    for doc_id in "abc":
        _commit(ix, [doc_id], policy)
    assert _sizes(ix) == [1, 1, 1]
    _commit(ix, ["d"], policy)  # the next commit writes them into its own segment
    assert _sizes(ix) == [4]


def test_big_segments_are_never_merged(tmp_path):
    ix = windex.create_in(str(tmp_path), SCHEMA)
    policy = merge_policy(small=3, merge_at=2)
    _commit(ix, ["a", "b", "c"], policy)
    _commit(ix, ["d", "e", "f"], policy)
    _commit(ix, ["g", "h", "i"], policy)
    assert _sizes(ix) == [3, 3, 3]


def test_mostly_deleted_segment_is_rewritten(tmp_path):
    ix = windex.create_in(str(tmp_path), SCHEMA)
    policy = merge_policy(small=2, merge_at=5)
    _commit(ix, ["a", "b", "c", "d"], policy)
    _commit(ix, [], policy, delete=["a", "b", "c"])
    assert _sizes(ix) == [1]
    with ix.searcher() as searcher:
        assert [d["id"] for d in searcher.documents()] == ["d"]
