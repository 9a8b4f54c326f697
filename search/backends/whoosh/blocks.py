"""A whoosh3 codec whose postings blocks hold packed arrays instead of tuples of objects.

whoosh3 pickles each block of postings as three tuples (docnum deltas, weights, values): one
Python object per posting and field, so reading a common word's postings at 251,287 cables
meant unpickling ~300,000 objects, half of a search's time. Here the same block holds a few
bytes strings (uint32 deltas, float32 weights, value lengths and the values joined), which
numpy reads in one call each (search/backends/whoosh/docsets.py) and Whoosh's own matcher API
still decodes. The codec is pickled into each segment it writes, so readers pick it up from
the index; segments written by the plain codec keep reading as before. Keep the names.

Each array is written in the smallest unsigned type that holds it (``narrow``): docnum deltas
and term frequencies are nearly always below 256, positions below 65,536, so a block is about
half its uint32 size and reads as fast (numpy widens it in the same call). A narrowed array is
a list ``[itemsize, bytes]``; plain ``bytes`` are the uint32/float32 arrays of segments written
before, still read as they were.
"""

from __future__ import annotations

import sys
from array import array

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.matching import ListMatcher

from search.backends.whoosh.schema import CompactPositions

_UNSIGNED = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}


# Blocks of at most this many postings are packed in Python: most blocks are a rare word's one
# to three postings, where numpy's cost per call was most of writing them.
SMALL_BLOCK = 16
# array's types are native-endian; the packed format is little-endian.
_ARRAY_TYPES = {1: "B", 2: "H", 4: "I"} if sys.byteorder == "little" else None


def narrow(values: np.ndarray | list[int]) -> list:
    """Non-negative integers below 2**32 as ``[itemsize, bytes]`` in the smallest type
    (a list is packed without numpy, the same bytes)."""
    if isinstance(values, list):
        if _ARRAY_TYPES is None:
            return narrow(np.asarray(values, dtype=np.int64))
        size = _itemsize(max(values) if values else 0)
        return [size, array(_ARRAY_TYPES[size], values).tobytes()]
    size = _itemsize(int(values.max()) if values.size else 0)
    return [size, values.astype(_UNSIGNED[size]).tobytes()]


def _itemsize(top: int) -> int:
    return 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4


def widen(raw: list) -> np.ndarray:
    """The array of a ``narrow`` list, in its stored type (callers widen as they need)."""
    size, data = raw
    return np.frombuffer(data, dtype=_UNSIGNED[size])


class PackedPostingsWriter(W3PostingsWriter):
    def add_many(self, ids: array, weights: array | list, values: list) -> None:
        """``add_posting`` for a term's postings at once (docnums ascending, no lengths:
        PackedCodec keeps no length stats), the same blocks as one call per posting."""
        limit = self._blocklimit
        start, count = 0, len(ids)
        while start < count:
            if len(self._ids) >= limit:
                self._write_block()
            end = min(count, start + limit - len(self._ids))
            self._ids.extend(ids[start:end])
            chunk = weights[start:end]
            self._weights.fromlist(chunk if isinstance(chunk, list) else chunk.tolist())
            top = max(chunk)
            if top > self._maxweight:
                self._maxweight = top
            self._values.extend(filter(None, values[start:end]))
            start = end

    def _mini_ids(self):
        if self._byteids:
            return super()._mini_ids()
        ids = self._ids
        if len(ids) <= SMALL_BLOCK:
            return narrow([ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False))])
        ids = np.asarray(ids, dtype=np.int64)
        deltas = np.empty_like(ids)
        deltas[0] = ids[0]
        np.subtract(ids[1:], ids[:-1], out=deltas[1:])
        return narrow(deltas)

    def _mini_weights(self):
        weights = self._weights
        if self._byteids or all(w == weights[0] for w in weights):
            return super()._mini_weights()  # None or one float, as whoosh3 writes them
        if len(weights) <= SMALL_BLOCK and _ARRAY_TYPES is not None:
            # float32 values as Python floats, tested as the numpy path tests them.
            if (
                min(weights) >= 0
                and max(weights) < 1 << 16
                and all(w.is_integer() for w in weights)
            ):
                return narrow([int(w) for w in weights])
            return weights.tobytes()
        floats = np.asarray(weights, dtype="<f4")
        # Term frequencies times a whole field boost: whole numbers, nearly all below 256.
        if floats.min() >= 0 and floats.max() < 1 << 16 and (floats == np.floor(floats)).all():
            return narrow(floats.astype(np.int64))
        return floats.tobytes()

    def _mini_values(self):
        fixedsize = self._format.fixed_value_size()
        if self._byteids or (fixedsize is not None and fixedsize >= 0):
            return super()._mini_values()
        values = self._values
        # A list, where whoosh3 writes a tuple: how a reader tells the two apart.
        if isinstance(self._format, CompactPositions):
            # Each value is uint32 positions: their counts and all of them, narrowed.
            if len(values) <= SMALL_BLOCK and _ARRAY_TYPES is not None:
                positions = array("I")
                positions.frombytes(b"".join(values))
                return [narrow([len(v) // 4 for v in values]), narrow(positions.tolist())]
            counts = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // 4
            return [narrow(counts), narrow(np.frombuffer(b"".join(values), dtype="<u4"))]
        lengths = np.fromiter(map(len, values), dtype="<u4", count=len(values))
        return [lengths.tobytes(), b"".join(values)]


class PackedLeafMatcher(W3LeafMatcher):
    def _read_ids(self):
        if self._data is None:
            self._read_data()
        ids = self._data[0]
        if isinstance(ids, (bytes, list)) and not self._byteids:
            self._ids = block_ids(ids).tolist()
        else:
            super()._read_ids()

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if isinstance(weights, (bytes, list)):
            self._weights = block_weights(weights, 0).tolist()
        else:
            super()._read_weights()

    def _read_values(self):
        if self._data is None:
            self._read_data()
        packed = self._data[2]
        if isinstance(packed, list):
            lengths, joined = packed
            if isinstance(lengths, list):  # narrowed positions: back to uint32 values
                lengths = (widen(lengths).astype("<u4") * 4).tobytes()
                joined = widen(joined).astype("<u4").tobytes()
            ends = np.cumsum(np.frombuffer(lengths, dtype="<u4"), dtype=np.int64).tolist()
            starts = [0, *ends[:-1]]
            self._values = tuple(joined[a:b] for a, b in zip(starts, ends, strict=True))
        else:
            super()._read_values()


class PackedCodec(W3Codec):
    # whoosh3 looks up the length of the field of every posting it writes (a column read per
    # posting, 11% of indexing) to store each block's shortest and longest document, which
    # only its own ranking's block skipping reads. Without them (0, as for the plaintext
    # codec) that bound is looser and stays correct; the numpy ranking reads the per-document
    # length columns, which are written as before.
    length_stats = False

    def postings_writer(self, dbfile, byteids=False):
        return PackedPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(
                ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo
            )
        offset, length = terminfo.extent()
        return PackedLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def block_ids(raw) -> np.ndarray:
    """The docnums of one block's minified ids, packed or whoosh3's tuple of deltas."""
    if isinstance(raw, list):
        return np.cumsum(widen(raw), dtype=np.int64)
    if isinstance(raw, bytes):
        return np.cumsum(np.frombuffer(raw, dtype="<u4"), dtype=np.int64)
    return np.cumsum(np.asarray(raw, dtype=np.int64))


def block_weights(raw, count: int) -> np.ndarray:
    """One block's weights as float32, from any of the forms whoosh3 or PackedCodec write
    (``count`` is read only for the forms that hold one weight for the whole block)."""
    if isinstance(raw, list):
        return widen(raw).astype(np.float32)
    if raw is None or isinstance(raw, float):
        return np.full(count, 1.0 if raw is None else raw, dtype=np.float32)
    if isinstance(raw, bytes):
        return np.frombuffer(raw, dtype="<f4")
    return np.asarray(raw, dtype=np.float32)


def block_positions(raw, hit: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, ...]:
    """Docnums, per-posting counts and positions of the postings at ``hit`` (indexes in the
    block) of CompactPositions values, packed by PackedCodec or in whoosh3's tuple."""
    if not isinstance(raw, list):
        chosen_values = [raw[j] for j in hit.tolist()]
        lengths = np.fromiter(map(len, chosen_values), dtype=np.int64, count=len(chosen_values))
        joined = np.frombuffer(b"".join(chosen_values), dtype="<u4").astype(np.int64)
        return ids[hit], lengths // 4, joined
    if isinstance(raw[0], list):  # narrowed: counts and positions
        counts = widen(raw[0]).astype(np.int64)
        positions = widen(raw[1])
    else:
        counts = np.frombuffer(raw[0], dtype="<u4").astype(np.int64) // 4
        positions = np.frombuffer(raw[1], dtype="<u4")
    if len(hit) == len(counts):  # the whole block (hit is sorted and distinct)
        return ids, counts, positions.astype(np.int64)
    starts = np.cumsum(counts) - counts
    chosen = counts[hit]
    total = int(chosen.sum())
    # Index of every chosen position: each posting's start, repeated, plus a running offset.
    before = np.cumsum(chosen) - chosen
    index = np.repeat(starts[hit] - before, chosen) + np.arange(total)
    return ids[hit], chosen, positions[index].astype(np.int64)
