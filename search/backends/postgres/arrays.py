"""Per generation: every cable's facet values, day and date order, held by each web process.

PostgreSQL finds the matches of the text (the GIN index); counting their facets in SQL
(``unnest`` + ``GROUP BY``) costs ~0.4 us a value, about a second for a common word at the full
release, and ordering them re-reads the match. So a process reads ``search_pg_facet`` once
per index generation (every write bumps it) into numpy arrays, indexed by the cable's row
number ``n``: the facet pairs, counted by ``search.backends.pairs`` as the Whoosh engine counts
them, the day (date filters) and each cable's place in newest-first and oldest-first order.
A search then fetches only the matching ``n``s. Memory: ~60 bytes a cable (15 MB at 251,287).
"""

from __future__ import annotations

import itertools

import numpy as np

from search.backends.pairs import PairCounts
from search.backends.postgres.store import FACET_SLOTS, SLOT_SHIFT, ValueIds


class LibraryArrays:
    """The library as of one generation. Documents are row numbers ``n`` (0..size-1)."""

    __slots__ = ("generation", "size", "present", "day", "by_newest", "by_oldest",
                 "newest_rank", "facets")  # fmt: skip

    def __init__(self, generation: int, cursor, value_ids: ValueIds) -> None:
        cursor.execute("SELECT n, newest, oldest, day, vals FROM search_pg_facet ORDER BY n")
        rows = cursor.fetchall()
        count = len(rows)
        ns = np.fromiter((r[0] for r in rows), dtype=np.int64, count=count)
        newest = np.fromiter((r[1] for r in rows), dtype=np.int64, count=count)
        oldest = np.fromiter((r[2] for r in rows), dtype=np.int64, count=count)
        days = np.fromiter((r[3] for r in rows), dtype=np.int64, count=count)
        lengths = np.fromiter((len(r[4]) for r in rows), dtype=np.int64, count=count)
        flat = np.fromiter(
            itertools.chain.from_iterable(r[4] for r in rows),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        del rows
        self.generation = generation
        self.size = int(ns[-1]) + 1 if count else 0
        self.present = np.zeros(self.size, dtype=bool)
        self.present[ns] = True
        self.day = np.zeros(self.size, dtype=np.int64)
        self.day[ns] = days
        # Ties by row number, as the SQL orders did ("ORDER BY newest, n").
        self.by_newest = ns[np.lexsort((ns, newest))]
        self.by_oldest = ns[np.lexsort((ns, oldest))]
        self.newest_rank = np.full(self.size, count, dtype=np.int64)
        self.newest_rank[self.by_newest] = np.arange(count)
        docs = np.repeat(ns, lengths)
        names = value_ids.names(cursor, np.unique(flat).tolist())
        slots = flat >> SLOT_SHIFT
        self.facets: dict[str, PairCounts] = {}
        for facet, slot in FACET_SLOTS.items():
            at = np.flatnonzero(slots == slot)
            vs, index = np.unique(flat[at], return_inverse=True)
            labels = [names[v][1] if v in names else str(v) for v in vs.tolist()]
            order = sorted(range(len(labels)), key=labels.__getitem__)
            place = np.empty(len(order), dtype=np.int64)
            place[order] = np.arange(len(order))
            self.facets[facet] = PairCounts([labels[i] for i in order], docs[at], place[index])

    def mask(self, ns) -> np.ndarray:
        """The mask of these row numbers (any written after this generation left out)."""
        out = np.zeros(self.size, dtype=bool)
        ns = np.asarray(ns if ns is not None else (), dtype=np.int64)
        out[ns[(ns >= 0) & (ns < self.size)]] = True
        return out & self.present

    def in_order(self, mask: np.ndarray, sort: str = "newest") -> np.ndarray:
        """The row numbers of ``mask``, newest (or oldest) first."""
        by = self.by_oldest if sort == "oldest" else self.by_newest
        return by[mask[by]]
