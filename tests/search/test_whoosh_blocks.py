"""PackedCodec stores the same postings as whoosh3's codec, read back through either API."""

from __future__ import annotations

import random

import numpy as np
from whoosh import fields
from whoosh import index as windex
from whoosh.codec.whoosh3 import W3Codec

from search.backends.whoosh import blocks
from search.backends.whoosh.blocks import PackedCodec, block_ids, block_weights, narrow, widen
from search.backends.whoosh.docsets import mapped_postings
from search.backends.whoosh.schema import StemmedText
from tests.search.whoosh_files import segment_files

WORDS = [f"w{n}" for n in range(40)]


def _index(path, codec):
    rng = random.Random(5)
    schema = fields.Schema(body=StemmedText(), code=fields.KEYWORD())
    path.mkdir()
    ix = windex.create_in(str(path), schema)
    writer = ix.writer(codec=codec)
    for n in range(300):
        writer.add_document(body=" ".join(rng.choices(WORDS, k=30)), code=f"c{n % 3}")
    writer.commit()
    return ix


def _postings(ix, field, text):
    with ix.searcher() as searcher:
        matcher = searcher.reader().postings(field, text)
        out = []
        while matcher.is_active():
            out.append((matcher.id(), matcher.weight(), matcher.value_as("positions")))
            matcher.next()
        return out


def test_packed_postings_read_like_whoosh3_postings(tmp_path):
    plain = _index(tmp_path / "plain", W3Codec(blocklimit=16))
    packed = _index(tmp_path / "packed", PackedCodec(blocklimit=16))
    for word in ("w0", "w7", "w39"):
        assert _postings(packed, "body", word) == _postings(plain, "body", word)


def test_packed_postings_decode_with_numpy(tmp_path):
    plain = _index(tmp_path / "plain", W3Codec(blocklimit=16))
    packed = _index(tmp_path / "packed", PackedCodec(blocklimit=16))
    for field, word in (("body", "w3"), ("code", "c1")):
        with plain.reader() as a, packed.reader() as b:
            ids_a, weights_a, _ = mapped_postings(a.postings(field, word))
            ids_b, weights_b, _ = mapped_postings(b.postings(field, word))
        assert ids_b.tolist() == ids_a.tolist()
        assert weights_b.tolist() == weights_a.tolist()


def test_block_helpers_read_every_form():
    deltas = (3, 1, 4)
    packed = np.asarray(deltas, dtype="<u4").tobytes()
    narrowed = narrow(np.asarray(deltas))
    assert block_ids(deltas).tolist() == block_ids(packed).tolist() == [3, 4, 8]
    assert block_ids(narrowed).tolist() == [3, 4, 8]
    assert block_weights(None, 2).tolist() == [1.0, 1.0]
    assert block_weights(2.0, 2).tolist() == [2.0, 2.0]
    assert block_weights(np.asarray([1, 3], "<f4").tobytes(), 2).tolist() == [1.0, 3.0]
    assert block_weights(narrow(np.asarray([1, 3])), 2).tolist() == [1.0, 3.0]


def test_narrow_keeps_integers_in_the_smallest_unsigned_type():
    for values, size in (([0, 255], 1), ([3, 256], 2), ([65_535], 2), ([65_536, 1], 4)):
        raw = narrow(np.asarray(values))
        assert raw[0] == size
        assert widen(raw).tolist() == values


def test_packed_blocks_are_written_narrowed(tmp_path):
    packed = _index(tmp_path / "packed", PackedCodec(blocklimit=16))
    with packed.reader() as reader:
        matcher = reader.postings("body", "w3")
        matcher._read_data()
        ids, weights, values = matcher._data
    assert ids[0] == 1 and weights[0] == 1  # deltas and frequencies below 256
    assert values[0][0] == 1 and values[1][0] == 1  # counts, and positions below 256


def test_fractional_weights_stay_float32(tmp_path):
    schema = fields.Schema(body=StemmedText(field_boost=1.5))
    (tmp_path / "ix").mkdir()
    ix = windex.create_in(str(tmp_path / "ix"), schema)
    writer = ix.writer(codec=PackedCodec(blocklimit=16))
    for n in range(40):
        writer.add_document(body="alpha " * (1 + n % 3))
    writer.commit()
    with ix.reader() as reader:
        _, weights, _ = mapped_postings(reader.postings("body", "alpha"))
    assert sorted(set(weights.tolist())) == [1.5, 3.0, 4.5]


def _old_style_index(path):
    """An index as earlier versions wrote it: whoosh3's codec and pickled positions."""
    from whoosh import formats

    from search.backends.whoosh.schema import make_schema

    schema = make_schema()
    for name in ("subject", "body"):
        schema[name].format = formats.Positions(field_boost=schema[name].format.field_boost)
    path.mkdir()
    return windex.create_in(str(path), schema)


def test_phrases_on_an_index_mixing_old_and_packed_segments(tmp_path):
    from whoosh import query as wq

    from search.backends.whoosh.docsets import DocSets

    ix = _old_style_index(tmp_path / "ix")
    rng = random.Random(9)
    for codec in (W3Codec(), PackedCodec(blocklimit=16, compression=0)):
        writer = ix.writer(codec=codec)
        for n in range(200):
            words = " ".join(rng.choices(WORDS[:8], k=20))
            writer.add_document(id=f"{type(codec).__name__}{n}", body=words)
        writer.commit(merge=False)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) == 2
        docsets = DocSets(reader, reader.doc_count_all())
        for phrase in (["w1", "w2"], ["w3", "w3", "w4"]):
            ours = sorted(docsets.phrase("body", phrase).tolist())
            theirs = sorted(searcher.docs_for_query(wq.Phrase("body", phrase)))
            assert ours == theirs and theirs


def _forms(values: list[bytes], lengths: bytes) -> list:
    """One block's CompactPositions values as whoosh3, PackedCodec before narrowing, and now."""
    joined = b"".join(values)
    counts = np.frombuffer(lengths, dtype="<u4").astype(np.int64) // 4
    narrowed = [narrow(counts), narrow(np.frombuffer(joined, dtype="<u4"))]
    return [tuple(values), [lengths, joined], narrowed]


def test_block_positions_read_every_form():
    from search.backends.whoosh.blocks import block_positions
    from search.backends.whoosh.schema import CompactPositions

    fmt = CompactPositions()
    values = [fmt.encode([1, 5]), fmt.encode([0]), fmt.encode([2, 3, 9])]
    lengths = np.fromiter(map(len, values), dtype="<u4").tobytes()
    ids, hit = np.array([10, 11, 12]), np.array([0, 2])
    for raw in _forms(values, lengths):
        docs, counts, positions = block_positions(raw, hit, ids)
        assert docs.tolist() == [10, 12]
        assert counts.tolist() == [2, 3]
        assert positions.tolist() == [1, 5, 2, 3, 9]


def test_block_positions_of_a_whole_block_read_every_form():
    from search.backends.whoosh.blocks import block_positions
    from search.backends.whoosh.schema import CompactPositions

    fmt = CompactPositions()
    values = [fmt.encode([1, 5]), fmt.encode([0]), fmt.encode([2, 3, 9])]
    lengths = np.fromiter(map(len, values), dtype="<u4").tobytes()
    ids, hit = np.array([10, 11, 12]), np.arange(3)
    for raw in _forms(values, lengths):
        docs, counts, positions = block_positions(raw, hit, ids)
        assert docs.tolist() == [10, 11, 12]
        assert counts.tolist() == [2, 1, 3]
        assert positions.tolist() == [1, 5, 0, 2, 3, 9]


def _mixed_index(path):
    """Blocks of every kind: positions, whole and fractional weights, keywords."""
    rng = random.Random(9)
    schema = fields.Schema(
        body=StemmedText(), title=StemmedText(field_boost=1.5), code=fields.KEYWORD()
    )
    path.mkdir()
    ix = windex.create_in(str(path), schema)
    writer = ix.writer(codec=PackedCodec(blocklimit=40))
    for n in range(400):
        words = rng.choices(WORDS, k=rng.randint(1, 60))
        writer.add_document(body=" ".join(words), title=" ".join(words[:5]), code=f"c{n % 7}")
    writer.commit()
    return ix


def test_small_blocks_are_packed_without_numpy_to_the_same_bytes(tmp_path, monkeypatch):
    python = _mixed_index(tmp_path / "python")
    monkeypatch.setattr(blocks, "SMALL_BLOCK", 0)  # every block through numpy
    numpy = _mixed_index(tmp_path / "numpy")
    assert segment_files(python) == segment_files(numpy)


def test_narrow_packs_a_list_as_it_packs_an_array():
    for values in ([], [0], [7, 255], [256, 3], [65_535], [65_536, 0, 9], [2**32 - 1]):
        assert narrow(values) == narrow(np.asarray(values, dtype=np.int64))
