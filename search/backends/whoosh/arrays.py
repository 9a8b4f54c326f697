"""Per index generation: numpy arrays for filtering, counting and sorting without Whoosh.

Whoosh's own grouping (``groupedby``) walks every hit in Python and was measured at ~1.3 s p95
on 50k documents; here each facet is a (doc, value) pair list, counted by
``search.backends.pairs`` over a boolean document mask.

Segments never change once written (only their deletion lists do), so the arrays are read once
per segment and cached; a new index generation (after each import commit) only reads its new
small segments and joins the cached ones, instead of re-reading the whole library.
"""

from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.util.numeric import byte_to_length

from search.backends.pairs import PairCounts
from search.backends.whoosh.docsets import leaf_ids, segment_key
from search.backends.whoosh.ranking import SCORED_FIELDS
from search.backends.whoosh.schema import FACET_FIELDS


class FacetArrays(PairCounts):
    """One facet's pairs (search.backends.pairs counts them), and a way to list the docs of
    one value from the segments' own postings."""

    __slots__ = ("_parts",)

    def __init__(
        self,
        values: list[str],
        pair_docs: np.ndarray,
        pair_values: np.ndarray,
        parts: list[tuple[SegmentFacet, int]],
    ) -> None:
        super().__init__(values, pair_docs, pair_values)
        self._parts = parts

    def docs_of(self, value: str) -> np.ndarray:
        found = [seg.docs_of(value) + offset for seg, offset in self._parts]
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


class SegmentFacet:
    """One facet within one segment: segment-local docnums grouped by value."""

    __slots__ = ("values", "index", "by_value", "offsets", "_by_doc")

    def __init__(self, values: list[str], postings: list[np.ndarray]) -> None:
        self.values = values
        self.index = {v: i for i, v in enumerate(values)}
        sizes = np.fromiter((len(p) for p in postings), dtype=np.int64, count=len(postings))
        self.offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(sizes, out=self.offsets[1:])
        self.by_value = (
            np.concatenate(postings).astype(np.int64) if postings else np.zeros(0, np.int64)
        )
        self._by_doc: tuple[np.ndarray, np.ndarray] | None = None

    def docs_of(self, value: str) -> np.ndarray:
        i = self.index.get(value)
        if i is None:
            return np.zeros(0, dtype=np.int64)
        return self.by_value[self.offsets[i] : self.offsets[i + 1]]

    def pair_values(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.values), dtype=np.int64), np.diff(self.offsets))

    def pairs_by_doc(self) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, value indexes) of every pair in doc order: sorted once per segment, so
        that joining a generation's segments (in docnum order) keeps them sorted."""
        if self._by_doc is None:
            order = np.argsort(self.by_value, kind="stable")
            self._by_doc = (self.by_value[order], self.pair_values()[order])
        return self._by_doc


def _numeric_column(leaf, fieldname: str, count: int) -> np.ndarray:
    """A NUMERIC sortable column of one segment as int64: read straight from the column's
    bytes (whoosh3 stores 32-bit signed values big-endian, shifted by 2**31), checked against
    Whoosh's own reader on a sample; on any surprise, Whoosh's reader for everything."""
    try:
        raw_reader = leaf.column_reader(fieldname, translate=False)
        size = raw_reader._count * raw_reader._fixedlen
        raw = np.frombuffer(
            bytes(raw_reader._dbfile.get(raw_reader._basepos, size)),
            dtype=">" + raw_reader._typecode,
        ).astype(np.int64) - (1 << 31)
        values = np.zeros(count, dtype=np.int64)
        values[: min(len(raw), count)] = raw[:count]
        check = leaf.column_reader(fieldname)
        if any(int(values[d]) != check[d] for d in range(0, count, max(1, count // 16))):
            raise ValueError("column layout differs")
        return values
    except (AttributeError, ValueError, TypeError):
        return np.fromiter(leaf.column_reader(fieldname), dtype=np.int64, count=count)


_LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)


def _field_lengths(leaf, fieldname: str, count: int) -> np.ndarray:
    """Per-document length of a text field in one segment (for BM25), from the length column's
    bytes, checked against Whoosh's reader on a sample; else Whoosh's reader for every doc."""

    def slow() -> np.ndarray:
        return np.fromiter(
            (leaf.doc_field_length(d, fieldname) or 0 for d in range(count)),
            dtype=np.float32,
            count=count,
        )

    try:
        column = leaf._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if column is None:
            return np.zeros(count, dtype=np.float32)
        raw = np.frombuffer(
            bytes(column._dbfile.get(column._basepos, column._count * column._fixedlen)),
            dtype=np.uint8,
        )
        codes = np.zeros(count, dtype=np.uint8)
        codes[: min(len(raw), count)] = raw[:count]
        lengths = _LENGTH_OF_BYTE[codes]
        for d in range(0, count, max(1, count // 16)):
            if float(lengths[d]) != float(leaf.doc_field_length(d, fieldname) or 0):
                return slow()
        return lengths
    except (AttributeError, TypeError, ValueError):
        return slow()


class SegmentArrays:
    """Everything per document of one segment (deleted documents included)."""

    def __init__(self, leaf) -> None:
        n = leaf.doc_count_all()
        self.size = n
        self.day = _numeric_column(leaf, "day", n)
        self.minute = _numeric_column(leaf, "minute", n)
        self.year = _numeric_column(leaf, "year", n)
        self.ids: list[str] = list(leaf.column_reader("id")) if n else []
        self.lengths = {f: _field_lengths(leaf, f, n) for f in SCORED_FIELDS}
        self.facets: dict[str, SegmentFacet] = {}
        for facet, fieldname in FACET_FIELDS.items():
            values: list[str] = []
            postings: list[np.ndarray] = []
            # An index written before a facet existed has no such field: the facet is empty.
            lexicon = leaf.lexicon(fieldname) if fieldname in leaf.schema else ()
            for btext in lexicon:
                values.append(btext.decode("utf-8"))
                postings.append(np.asarray(leaf_ids(leaf.postings(fieldname, btext))))
            self.facets[facet] = SegmentFacet(values, postings)


def _live(reader, leaves: list[tuple[object, int]], n: int) -> np.ndarray:
    live = np.ones(n, dtype=bool)
    for leaf, offset in leaves:
        if leaf.has_deletions():
            deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
            live[deleted + offset] = False
    return live


class IndexArrays:
    """Everything per document a request needs, for one reader generation."""

    def __init__(self, reader, segments: dict[str, SegmentArrays] | None = None) -> None:
        """`segments`: a cache of SegmentArrays by segment id, reused and updated."""
        cache = segments if segments is not None else {}
        leaves = list(reader.leaf_readers()) if reader.doc_count_all() else []
        parts: list[tuple[SegmentArrays, int]] = []
        for leaf, offset in leaves:
            key = segment_key(leaf)
            seg = cache.get(key) if key is not None else None
            if seg is None:
                seg = SegmentArrays(leaf)
                if key is not None:
                    cache[key] = seg
            parts.append((seg, offset))
        n = sum(seg.size for seg, _ in parts)
        self.size = n
        # When each cable was first imported (µs), filled from the database by the engine
        # the first time a request filters or sorts on it: the index does not hold it.
        self.added: np.ndarray | None = None
        try:
            self.live = _live(reader, leaves, n)
        except (AttributeError, TypeError):  # no deletion list to read: ask the reader
            self.live = np.zeros(n, dtype=bool)
            self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True

        def joined(name: str) -> np.ndarray:
            arrays = [getattr(seg, name) for seg, _ in parts]
            return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)

        self.day, self.minute, self.year = joined("day"), joined("minute"), joined("year")
        self.ids: list[str] = [cable_id for seg, _ in parts for cable_id in seg.ids]
        self.lengths = {
            f: np.concatenate([seg.lengths[f] for seg, _ in parts])
            if parts
            else np.zeros(0, dtype=np.float32)
            for f in SCORED_FIELDS
        }
        self.avg_length = {
            f: (reader.field_length(f) / (reader.doc_count() or 1)) if n else 1.0
            for f in SCORED_FIELDS
        }
        self.facets: dict[str, FacetArrays] = {}
        for facet in FACET_FIELDS:
            segs = [(seg.facets[facet], offset) for seg, offset in parts]
            values = sorted(set().union(*(s.values for s, _ in segs)))
            index = {v: i for i, v in enumerate(values)}
            docs, vals = [], []
            for s, offset in segs:
                to_global = np.fromiter((index[v] for v in s.values), np.int64, len(s.values))
                seg_docs, seg_values = s.pairs_by_doc()
                docs.append(seg_docs + offset)
                vals.append(to_global[seg_values])
            self.facets[facet] = FacetArrays(
                values,
                np.concatenate(docs) if docs else np.zeros(0, np.int64),
                np.concatenate(vals) if vals else np.zeros(0, np.int64),
                segs,
            )
        self.facets["year"] = self._year_facet()
        # Newest first: descending date and time, then docnum for a stable order among equals;
        # undated cables last.
        order = np.lexsort((np.arange(n), -self.minute))
        self.newest_rank = np.empty(n, dtype=np.int64)
        self.newest_rank[order] = np.arange(n)

    def _year_facet(self) -> FacetArrays:
        years = np.array(sorted(int(y) for y in np.unique(self.year[self.live]) if y > 0))
        postings = [np.flatnonzero(self.year == y) for y in years.tolist()]
        whole = SegmentFacet([str(y) for y in years.tolist()], postings)
        # One year per cable: the pairs in doc order are the dated cables themselves.
        docs = np.flatnonzero(np.isin(self.year, years))
        values = np.searchsorted(years, self.year[docs])
        return FacetArrays(whole.values, docs, values, [(whole, 0)])
