"""Facet counting over (document, value) pairs with numpy, shared by the engines.

An engine holds, per facet, every (document, value) pair of its library in document order and
counts a match, given as a boolean mask over its documents, with ``np.bincount``: a hundred
thousand matching documents count in milliseconds, where counting in Python (Whoosh's
``groupedby``) or in SQL (``unnest`` and ``GROUP BY`` in PostgreSQL) costs a second or more at
the full release. ``facet_counts`` turns counts into a ``FacetCounts`` with one set of rules
(most first, then alphabetical; every value for the year histogram; pinned values kept).
"""

from __future__ import annotations

import numpy as np

from search.backends.base import Criteria, FacetCounts, FacetRequest
from search.state import FACETS

# Below this share of the documents, counting reads the matching documents' own values;
# above it, one pass over every (doc, value) pair is cheaper (measured at 251,287 cables:
# 0.1 against 1.2 ms at 0.1% of the documents, even at 10%).
SPARSE_SHARE = 0.05


class PairCounts:
    """One facet: its values (sorted, so an index is an alphabetical rank) and the
    (doc, value index) pairs, in doc order."""

    __slots__ = ("values", "index", "pair_docs", "pair_values", "_starts", "_of_doc")

    def __init__(self, values: list[str], pair_docs: np.ndarray, pair_values: np.ndarray) -> None:
        self.values = values
        self.index = {v: i for i, v in enumerate(values)}
        if pair_docs.size > 1 and (pair_docs[1:] < pair_docs[:-1]).any():
            order = np.argsort(pair_docs, kind="stable")
            pair_docs, pair_values = pair_docs[order], pair_values[order]
        # In doc order, the mask is read front to back (twice as fast as in value order).
        self.pair_docs = pair_docs
        self.pair_values = pair_values
        self._starts: np.ndarray | None = None
        self._of_doc: np.ndarray | None = None

    def docs_of(self, value: str) -> np.ndarray:
        """The documents holding ``value``."""
        i = self.index.get(value)
        if i is None:
            return np.zeros(0, dtype=np.int64)
        return self.pair_docs[self.pair_values == i]

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """How many of the ``mask``'s documents hold each value."""
        n, size = len(mask), len(self.values)
        starts = self._doc_starts(n)
        if np.count_nonzero(mask) <= SPARSE_SHARE * n:
            docs = np.flatnonzero(mask)
            if self._of_doc is not None:
                return np.bincount(self._of_doc[docs], minlength=size + 1)[:size]
            first, sizes = starts[docs], starts[docs + 1] - starts[docs]
            # The positions of every pair of those documents: each run first..first+size.
            runs = np.repeat(first - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
            return np.bincount(self.pair_values[runs], minlength=size)
        # Weighing by the mask instead of selecting with it: a scattered selection costs
        # a branch mispredicted per document (3x slower at 40% of them).
        if self._of_doc is not None and 4 * len(self.pair_docs) > n:  # origin, year...
            counted = np.bincount(self._of_doc, weights=mask, minlength=size + 1)[:size]
        else:
            counted = np.bincount(self.pair_values, weights=mask[self.pair_docs], minlength=size)
        return counted.astype(np.int64)

    def _doc_starts(self, n: int) -> np.ndarray:
        """Where each document's pairs start (at n, where the last one's end); on the way,
        whether every document holds at most one value, and then each one's value."""
        if self._starts is None or len(self._starts) != n + 1:
            per_doc = np.bincount(self.pair_docs, minlength=n)[:n]
            starts = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(per_doc, out=starts[1:])
            if per_doc.size and per_doc.max() <= 1:
                of_doc = np.full(n, len(self.values), dtype=np.int64)  # none
                of_doc[self.pair_docs] = self.pair_values
                self._of_doc = of_doc
            self._starts = starts
        return self._starts


def facet_counts(facet: PairCounts, counts: np.ndarray, request: FacetRequest) -> FacetCounts:
    """The ``request``ed view of one facet's ``counts``: the most frequent values first (ties
    alphabetical) up to the limit, or every value in order for ``every``; pinned values
    (ticked ones) are always listed, with their count, 0 if none."""
    has_more = False
    if request.every:
        order = np.arange(len(facet.values))  # the values are sorted: ascending
    else:
        nz = np.flatnonzero(counts)
        # The values are sorted, so a value's index is its alphabetical rank.
        order = nz[np.lexsort((nz, -counts[nz]))]
        if request.limit is not None:
            has_more = len(order) > request.limit
            order = order[: request.limit]
    values = [(facet.values[i], int(counts[i])) for i in order.tolist()]
    seen = {v for v, _ in values}
    for value in request.pinned:
        if value not in seen:
            i = facet.index.get(value)
            values.append((value, int(counts[i]) if i is not None else 0))
            seen.add(value)
    return FacetCounts(name=request.name, values=tuple(values), has_more=has_more)


def facet_masks(
    facets: dict[str, PairCounts], criteria: Criteria, size: int
) -> dict[str, np.ndarray]:
    """facet -> mask of the documents its ticked and excluded values let through: any of the
    ticked values (all of them for an all-of facet), none of the excluded ones."""
    masks: dict[str, np.ndarray] = {}
    for facet in FACETS:
        include, exclude = criteria.values(facet), criteria.excluded_values(facet)
        if not include and not exclude:
            continue
        fa = facets[facet]
        if include and criteria.is_all_of(facet):  # every ticked value must hold
            mask = np.ones(size, dtype=bool)
            for value in include:
                holds = np.zeros(size, dtype=bool)
                holds[fa.docs_of(value)] = True
                mask &= holds
        elif include:
            mask = np.zeros(size, dtype=bool)
            for value in include:
                mask[fa.docs_of(value)] = True
        else:
            mask = np.ones(size, dtype=bool)
        for value in exclude:
            mask[fa.docs_of(value)] = False
        masks[facet] = mask
    return masks
