"""Which documents match a query, as a numpy mask, without walking hits one by one in Python.

``searcher.docs_for_query()`` yields every matching docnum through Python generators: ~20 ms
for a word in half of 3,000 cables, so seconds at Cablegate scale. Here each term's postings are
read block by block (and kept per index generation), and And/Or/Not become numpy boolean
operations. Query types this module does not know (phrases) fall back to Whoosh itself.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from whoosh import query as wq

TERM_CACHE = 512  # postings arrays kept per index generation


def leaf_ids(matcher) -> list[int] | np.ndarray:
    # whoosh3's on-disk leaf matcher decodes a whole block at a time; take the blocks whole
    # instead of asking for one id after another. Anything else: its own iterator.
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        out: list = []
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            out.extend(matcher._ids[matcher._i :])
            matcher._next_block()
        return out
    return list(matcher.all_ids())


def leaf_postings(matcher) -> tuple[list[int], list[float]]:
    """Ids and weights (term frequency times field boost), a block at a time like leaf_ids."""
    if hasattr(matcher, "_read_weights") and hasattr(matcher, "_next_block"):
        ids: list = []
        weights: list = []
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.extend(matcher._ids[matcher._i :])
            weights.extend(matcher._weights[matcher._i :])
            matcher._next_block()
        return ids, weights
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


class DocSets:
    """Per index generation: evaluates queries to boolean document masks."""

    def __init__(self, reader, size: int) -> None:
        self.reader = reader
        self.size = size
        self.leaves = list(reader.leaf_readers())
        self._terms: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._weights: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def term(self, fieldname: str, text) -> np.ndarray:
        key = (fieldname, text)
        docs = self._terms.get(key)
        if docs is not None:
            self._terms.move_to_end(key)
            return docs
        parts = []
        for leaf, offset in self.leaves:
            if (fieldname, text) not in leaf:
                continue
            ids = np.asarray(leaf_ids(leaf.postings(fieldname, text)), dtype=np.int64)
            parts.append(ids + offset)
        docs = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        self._remember(key, docs)
        return docs

    def weighted(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """A term's docnums and weights (for ranking), kept like term()."""
        key = ("weights:" + fieldname, text)
        found = self._weights.get(key)
        if found is not None:
            return found
        docs_parts, weight_parts = [], []
        for leaf, offset in self.leaves:
            if (fieldname, text) not in leaf:
                continue
            ids, weights = leaf_postings(leaf.postings(fieldname, text))
            docs_parts.append(np.asarray(ids, dtype=np.int64) + offset)
            weight_parts.append(np.asarray(weights, dtype=np.float32))
        found = (
            np.concatenate(docs_parts) if docs_parts else np.zeros(0, dtype=np.int64),
            np.concatenate(weight_parts) if weight_parts else np.zeros(0, dtype=np.float32),
        )
        self._weights[key] = found
        if len(self._weights) > TERM_CACHE:
            self._weights.popitem(last=False)
        return found

    def mask(self, q: wq.Query, searcher, arrays) -> np.ndarray:
        n = self.size
        if isinstance(q, wq.Term):
            out = np.zeros(n, dtype=bool)
            out[self.term(q.fieldname, q.text)] = True
            return out
        if isinstance(q, wq.Every):
            return arrays.live.copy()
        if isinstance(q, wq.Prefix):
            out = np.zeros(n, dtype=bool)
            for text in self.reader.expand_prefix(q.fieldname, q.text):
                out[self.term(q.fieldname, text)] = True
            return out
        if isinstance(q, wq.NumericRange) and q.fieldname in ("day", "year"):
            values = arrays.day if q.fieldname == "day" else arrays.year
            out = np.ones(n, dtype=bool)
            if q.start is not None:
                out &= values >= q.start
            if q.end is not None:
                out &= values <= q.end
            return out
        if isinstance(q, wq.AndNot):
            return self.mask(q.a, searcher, arrays) & ~self.mask(q.b, searcher, arrays)
        if isinstance(q, wq.And):
            out = np.ones(n, dtype=bool)
            for sub in q.subqueries:
                out &= self.mask(sub, searcher, arrays)
            return out
        if isinstance(q, wq.Or):
            out = np.zeros(n, dtype=bool)
            for sub in q.subqueries:
                out |= self.mask(sub, searcher, arrays)
            return out
        # Phrases and anything else: Whoosh's own matcher, remembered like a term.
        key = ("", repr(q))
        docs = self._terms.get(key)
        if docs is None:
            docs = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
            self._remember(key, docs)
        out = np.zeros(n, dtype=bool)
        out[docs] = True
        return out

    def _remember(self, key: tuple[str, str], docs: np.ndarray) -> None:
        self._terms[key] = docs
        if len(self._terms) > TERM_CACHE:
            self._terms.popitem(last=False)
