"""Which documents match a query, as a numpy mask, without walking hits one by one in Python.

``searcher.docs_for_query()`` yields every matching docnum through Python generators: ~20 ms
for a word in half of 3,000 cables, so seconds at Cablegate scale. Here each term's postings are
read block by block (and kept per index generation), and And/Or/Not become numpy boolean
operations. Phrases compare their words' positions a postings block at a time, rarest word
first, decoding only the blocks that still hold a candidate; query types this module does not
know fall back to Whoosh itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from itertools import chain

import numpy as np
from whoosh import query as wq

from search.backends.whoosh.blocks import block_ids, block_positions, block_weights
from search.backends.whoosh.marking import in_ranges, marked_ranges
from search.backends.whoosh.schema import CompactPositions

TERM_CACHE = 512  # postings arrays kept per index generation
# A phrase key is docnum << POSITION_BITS | position: positions are uint32 (CompactPositions)
# and a segment's docnums stay far below 2**31, so any body, however long, fits in an int64.
POSITION_BITS = 32
WEIGHTED_FIELDS = ("subject", "body")  # the fields relevance ranking scores


def _blocks(matcher, weights: bool):
    """Yield (where, ids, weights or None) per postings block of a fresh whoosh3 on-disk leaf
    matcher, decoded with numpy (blocks of PackedCodec or of the plain whoosh3 codec);
    ``where``: the block's offset in the postings file (BlockMap)."""
    at = matcher._baseoffset  # a fresh matcher stands on its first block
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        data, start = matcher._data, matcher._i
        ids = block_ids(data[0])
        w = block_weights(data[1], len(ids))[start:] if weights else None
        yield at, ids[start:], w
        at = matcher._nextoffset
        matcher._next_block()


def _unwrap(matcher):
    # A segment with deletions wraps its postings to skip deleted documents; every caller here
    # ANDs with the live-document mask anyway, so read the raw postings (the fast path).
    if type(matcher).__name__ == "FilterMatcher" and getattr(matcher, "_exclude", False):
        return matcher.child
    return matcher


def _fast(matcher) -> bool:
    return (
        hasattr(matcher, "_read_data")
        and hasattr(matcher, "_next_block")
        # whoosh3 passes byteids=None (not False) for docnum postings: only vector postings
        # of term bytes have it set.
        and not getattr(matcher, "_byteids", True)
    )


def leaf_ids(matcher) -> np.ndarray:
    """Every docnum of one segment's postings (deleted ones too): whole blocks at a time."""
    matcher = _unwrap(matcher)
    if _fast(matcher):
        parts = [ids for _, ids, _ in _blocks(matcher, False)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return np.fromiter(matcher.all_ids(), dtype=np.int64)


class BlockMap:
    """Where each postings block of one term in one segment starts in the postings file, and
    how many of the term's postings end with it: with the docnums already read, enough to
    decode only the blocks that hold given documents, without walking the blocks before them
    (proximity reads a few hundred documents' positions of words already read for ranking)."""

    __slots__ = ("where", "ends")

    def __init__(self, where: list[int], ends: np.ndarray) -> None:
        self.where = where
        self.ends = ends


def mapped_postings(matcher) -> tuple[np.ndarray, np.ndarray, BlockMap | None]:
    """Ids and weights (term frequency times field boost) of one segment's postings, and
    their BlockMap where whoosh3's blocks are read (None otherwise)."""
    matcher = _unwrap(matcher)
    if _fast(matcher):
        blocks = list(_blocks(matcher, True))
        if not blocks:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), None
        ends = np.cumsum([len(ids) for _, ids, _ in blocks], dtype=np.int64)
        return (
            np.concatenate([ids for _, ids, _ in blocks]),
            np.concatenate([w for _, _, w in blocks]),
            BlockMap([at for at, _, _ in blocks], ends),
        )
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32), None


def leaf_positions(matcher, wanted: np.ndarray | None, fmt) -> tuple[np.ndarray, np.ndarray]:
    """Docnums and positions (one pair per occurrence) of the postings of the ``wanted``
    (sorted) docnums of one segment (None: all of them), for a field stored in ``fmt``."""
    matcher = _unwrap(matcher)
    if isinstance(fmt, CompactPositions) and _fast(matcher):
        return _compact_positions(matcher, wanted)
    # Short postings lists kept inline, and indexes built before CompactPositions.
    wanted_set = set(wanted.tolist()) if wanted is not None else None
    docs: list[int] = []
    positions: list[list[int]] = []
    while matcher.is_active():
        if wanted_set is None or matcher.id() in wanted_set:
            docs.append(matcher.id())
            positions.append(fmt.decode_positions(matcher.value()))
        matcher.next()
    counts = np.fromiter(map(len, positions), dtype=np.int64, count=len(positions))
    flat = np.fromiter(chain.from_iterable(positions), dtype=np.int64, count=int(counts.sum()))
    return np.repeat(np.asarray(docs, dtype=np.int64), counts), flat


def mapped_positions(
    matcher, ids: np.ndarray, blocks: BlockMap, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """leaf_positions of the ``wanted`` (sorted) docnums of one segment's CompactPositions
    postings whose docnums (``ids``) and BlockMap were read before: each block holding one of
    them is read straight from where it starts, the others not at all."""
    matcher = _unwrap(matcher)
    at = np.searchsorted(ids, wanted)
    inside = at < len(ids)
    at = at[inside][ids[at[inside]] == wanted[inside]]
    if not at.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    block = np.searchsorted(blocks.ends, at, "right")
    firsts = _firsts(block)
    docs, counts, found = [], [], []
    for first, last in zip(firsts.tolist(), [*firsts[1:].tolist(), len(at)], strict=True):
        b = int(block[first])
        start = int(blocks.ends[b - 1]) if b else 0
        matcher._goto(blocks.where[b])
        matcher._read_data()
        hit_docs, hit_counts, positions = block_positions(
            matcher._data[2], at[first:last] - start, ids[start : int(blocks.ends[b])]
        )
        docs.append(hit_docs)
        counts.append(hit_counts)
        found.append(positions)
    return np.repeat(np.concatenate(docs), np.concatenate(counts)), np.concatenate(found)


def _compact_positions(matcher, wanted: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    docs, counts, found = [], [], []
    below = -1  # every docnum of the blocks already passed is at most this
    while matcher.is_active():
        if wanted is not None:
            # A block whose docnum range holds no wanted document is skipped undecoded: a
            # phrase with a common word ("classified by") then reads only a few of its blocks.
            top = matcher.block_max_id()
            skip = np.searchsorted(wanted, below, "right") == np.searchsorted(wanted, top, "right")
            below = top
            if skip:
                matcher._next_block()
                continue
        if matcher._data is None:
            matcher._read_data()
        start = matcher._i
        ids = block_ids(matcher._data[0])
        if wanted is None:
            hit = np.arange(start, len(ids))
        else:
            at = np.searchsorted(wanted, ids[start:])
            hit = np.flatnonzero(wanted[np.minimum(at, len(wanted) - 1)] == ids[start:]) + start
        if hit.size:
            hit_docs, hit_counts, positions = block_positions(matcher._data[2], hit, ids)
            docs.append(hit_docs)
            counts.append(hit_counts)
            found.append(positions)
        matcher._next_block()
    if not docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.repeat(np.concatenate(docs), np.concatenate(counts)), np.concatenate(found)


# np.unique hashes (numpy 2.3+) and costs seconds on millions of values; these are sorted.
def _firsts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts, in a sorted, non-empty array."""
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]])


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    return values[_firsts(values)] if values.size else values


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted, non-empty array, and how many times each occurs."""
    starts = _firsts(values)
    return values[starts], np.diff(np.r_[starts, values.size])


def _leaf_phrase_keys(
    leaf, fieldname: str, order, wanted: np.ndarray | None, shared: PostingsCache | None = None
):
    """docnum << POSITION_BITS | start position of each occurrence of a phrase in one
    segment (``order``: (index in the phrase, word), rarest first), or None. ``shared``: the
    postings already read, whose BlockMaps let a word's wanted blocks be read directly."""
    fmt = leaf.schema[fieldname].format
    keys = None
    local = wanted
    segment = segment_key(leaf) if shared is not None else None
    for i, word in order:
        read = shared.get((segment, fieldname, word, True)) if segment is not None else None
        if read is None and (fieldname, word) not in leaf:
            return None
        if keys is not None:
            local = _distinct_sorted(keys >> POSITION_BITS)
        matcher = leaf.postings(fieldname, word)
        mapped = read is not None and read[2] is not None and isinstance(fmt, CompactPositions)
        if mapped and local is not None:
            docs, positions = mapped_positions(matcher, read[0], read[2], local)
        else:
            docs, positions = leaf_positions(matcher, local, fmt)
        keep = positions >= i
        word_keys = (docs[keep] << POSITION_BITS) | (positions[keep] - i)
        keys = word_keys if keys is None else np.intersect1d(keys, word_keys, True)
        if not keys.size:
            break
    return keys


def _leaf_near(leaf, fieldname: str, words: list[str], slop: int, wanted: np.ndarray | None):
    """(docnums, start positions) of the windows of one segment where every word stands
    within ``slop`` positions of the next one, in any order."""
    fmt = leaf.schema[fieldname].format
    distinct = list(dict.fromkeys(words))
    local = wanted
    for word in distinct:  # the documents holding every word
        if (fieldname, word) not in leaf:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        ids = leaf_ids(leaf.postings(fieldname, word))
        local = ids if local is None else np.intersect1d(local, ids, assume_unique=True)
        if not local.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    local = np.sort(local)
    docs_l, pos_l, word_l = [], [], []
    for i, word in enumerate(distinct):
        docs, positions = leaf_positions(leaf.postings(fieldname, word), local, fmt)
        docs_l.append(docs)
        pos_l.append(positions)
        word_l.append(np.full(docs.size, i, dtype=np.int64))
    docs, positions, which = np.concatenate(docs_l), np.concatenate(pos_l), np.concatenate(word_l)
    order = np.lexsort((positions, docs))
    docs, positions, which = docs[order], positions[order], which[order]
    k, width = len(distinct), (len(distinct) - 1) * (slop + 1)
    found_docs, found_starts = [], []
    starts = _firsts(docs) if docs.size else np.zeros(0, dtype=np.int64)
    ends = np.r_[starts[1:], docs.size]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        pos, kind = positions[start:end].tolist(), which[start:end].tolist()
        seen: dict[int, int] = {}
        lo = 0
        for hi in range(len(pos)):  # the smallest window holding every word ends at hi
            seen[kind[hi]] = seen.get(kind[hi], 0) + 1
            while len(seen) == k:
                if pos[hi] - pos[lo] <= width:
                    found_docs.append(int(docs[start]))
                    found_starts.append(pos[lo])
                seen[kind[lo]] -= 1
                if not seen[kind[lo]]:
                    del seen[kind[lo]]
                lo += 1
    return np.asarray(found_docs, dtype=np.int64), np.asarray(found_starts, dtype=np.int64)


def _leaf_occurrences(docsets, leaf, q, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(segment docnums, positions) where a body Term, Phrase or NearQuery occurs, for the
    ``wanted`` documents; other queries give none."""
    empty = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    fieldname = getattr(q, "fieldname", None)
    if fieldname != "body":
        return empty
    if isinstance(q, wq.Term):
        if (fieldname, q.text) not in leaf:
            return empty
        return leaf_positions(
            leaf.postings(fieldname, q.text), wanted, leaf.schema[fieldname].format
        )
    if isinstance(q, wq.Phrase) and q.slop > 1:
        return _leaf_near(leaf, fieldname, list(q.words), q.slop, wanted)
    if isinstance(q, wq.Phrase):
        keys = _leaf_phrase_keys(
            leaf, fieldname, docsets._rarest_first(fieldname, list(q.words)), wanted
        )
        if keys is None:
            return empty
        return keys >> POSITION_BITS, keys & ((1 << POSITION_BITS) - 1)
    return empty


def segment_key(leaf) -> str | None:
    segment = leaf.segment()
    return segment.segment_id() if segment is not None else None


class PostingsCache:
    """Postings per (segment, field, term), shared by every thread and kept across index
    generations: segments never change, so an import commit leaves the cache valid and a new
    generation re-reads only its new segments. Bounded by the number of postings held."""

    def __init__(self, max_postings: int) -> None:
        self.max = max_postings
        self.held = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        size = len(value[0])
        if size > self.max:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self.held += size
            while self.held > self.max and self._items:
                _, old = self._items.popitem(last=False)
                self.held -= len(old[0])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.held = 0


class DocSets:
    """Per index generation: evaluates queries to boolean document masks."""

    def __init__(self, reader, size: int, shared: PostingsCache | None = None) -> None:
        self.reader = reader
        self.shared = shared if shared is not None else PostingsCache(0)
        self.size = size
        self.leaves = list(reader.leaf_readers())
        self._terms: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._weights: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._phrases: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def _segment_postings(self, leaf, fieldname: str, text, *, weighted: bool):
        key = (segment_key(leaf), fieldname, text, weighted)
        found = self.shared.get(key) if key[0] is not None else None
        if found is None:
            matcher = leaf.postings(fieldname, text)
            found = mapped_postings(matcher) if weighted else (leaf_ids(matcher), None, None)
            if key[0] is not None:
                self.shared.put(key, found)
        return found

    def term(self, fieldname: str, text) -> np.ndarray:
        if fieldname in WEIGHTED_FIELDS:  # one read serves matching and ranking
            return self.weighted(fieldname, text)[0]
        key = (fieldname, text)
        docs = self._terms.get(key)
        if docs is not None:
            self._terms.move_to_end(key)
            return docs
        parts = []
        for leaf, offset in self.leaves:
            if (fieldname, text) not in leaf:
                continue
            ids, _, _ = self._segment_postings(leaf, fieldname, text, weighted=False)
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
            ids, weights, _ = self._segment_postings(leaf, fieldname, text, weighted=True)
            docs_parts.append(ids + offset)
            weight_parts.append(weights)
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
        if type(q).__name__ == "Marked":  # compile.Marked: marking:S restricts the words
            return self.marked(q, searcher, arrays)
        if isinstance(q, wq.Phrase) and q.slop == 1 and len(q.words) > 1:
            docs = self.phrase(q.fieldname, list(q.words))  # kept by phrase_postings
        elif isinstance(q, wq.Phrase) and q.slop > 1 and len(q.words) > 1:
            docs = self.near(q.fieldname, list(q.words), q.slop)
        else:  # anything else: Whoosh's own matcher, one hit at a time, remembered like a term
            key = ("", repr(q))
            docs = self._terms.get(key)
            if docs is None:
                docs = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
                self._remember(key, docs)
        out = np.zeros(n, dtype=bool)
        out[docs] = True
        return out

    def phrase(self, fieldname: str, words: list[str]) -> np.ndarray:
        """Docnums where ``words`` occur one after the other in ``fieldname``."""
        return self.phrase_postings(fieldname, words)[0]

    def phrase_postings(self, fieldname: str, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Docnums holding the phrase, and how many times each holds it (for ranking)."""
        key = (fieldname, tuple(words))
        found = self._phrases.get(key)
        if found is None:
            found = self._phrase_postings(fieldname, words)
            self._phrases[key] = found
            if len(self._phrases) > TERM_CACHE:
                self._phrases.popitem(last=False)
        return found

    def _phrase_postings(self, fieldname: str, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """See phrase_postings.

        Whoosh checks positions document by document through span objects (~99 ms CPU for a
        typical phrase at 50,000 cables); here the positions of a whole postings block are
        compared at once, with numpy. The rarest word's positions are read in full (reading
        its postings first to narrow the documents cost a third more at 251,287 cables, for
        blocks that almost always held a candidate anyway); each further word decodes only
        the blocks holding a document still in the running.
        """
        order = self._rarest_first(fieldname, words)
        found, counts = [], []
        for leaf, offset in self.leaves:
            keys = _leaf_phrase_keys(leaf, fieldname, order, None)
            if keys is not None and keys.size:
                docs, per_doc = _runs(keys >> POSITION_BITS)
                found.append(docs + offset)
                counts.append(per_doc)
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(found), np.concatenate(counts)

    def phrase_counts(
        self, fieldname: str, words: list[str], docs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """phrase_postings restricted to ``docs`` (sorted docnums): reads only the postings
        blocks that hold one of them (proximity ranking rescores the best matches only)."""
        order = self._rarest_first(fieldname, words)
        found, counts = [], []
        for leaf, offset in self.leaves:
            n = leaf.doc_count_all()
            lo, hi = np.searchsorted(docs, [offset, offset + n])
            if lo == hi:
                continue
            keys = _leaf_phrase_keys(leaf, fieldname, order, docs[lo:hi] - offset, self.shared)
            if keys is not None and keys.size:
                local, per_doc = _runs(keys >> POSITION_BITS)
                found.append(local + offset)
                counts.append(per_doc)
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(found), np.concatenate(counts)

    def _rarest_first(self, fieldname: str, words: list[str]) -> list[tuple[int, str]]:
        rarity = {w: self.reader.doc_frequency(fieldname, w) for w in set(words)}
        return sorted(enumerate(words), key=lambda item: rarity[item[1]])

    def near(self, fieldname: str, words: list[str], slop: int) -> np.ndarray:
        """Docnums where every word of ``words`` stands within ``slop`` positions of the
        next one, in any order (``"words"~N``)."""
        key = ("near:" + fieldname, f"{slop}:{' '.join(words)}")
        docs = self._terms.get(key)
        if docs is None:
            parts = []
            for leaf, offset in self.leaves:
                local, _ = _leaf_near(leaf, fieldname, words, slop, None)
                parts.append(_distinct_sorted(local) + offset)
            docs = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
            self._remember(key, docs)
        return docs

    def marked(self, q, searcher, arrays) -> np.ndarray:
        """The mask of a compile.Marked query: its child's matches whose body occurrences
        fall in a paragraph with the marking."""
        child = q.child
        if isinstance(child, (wq.And, wq.Or)):
            parts = [
                self.marked(type(q)(sub, q.code), searcher, arrays) for sub in child.subqueries
            ]
            out = parts[0].copy()
            for part in parts[1:]:
                out = (out & part) if isinstance(child, wq.And) else (out | part)
            return out
        if isinstance(child, wq.AndNot):
            return self.marked(type(q)(child.a, q.code), searcher, arrays) & ~self.mask(
                child.b, searcher, arrays
            )
        candidates = self.mask(child, searcher, arrays)
        candidates[~self.mask(wq.Term("markings", q.code), searcher, arrays)] = False
        out = np.zeros(self.size, dtype=bool)
        for leaf, offset in self.leaves:
            n = leaf.doc_count_all()
            wanted = np.flatnonzero(candidates[offset : offset + n])
            if not wanted.size:
                continue
            docs, positions = _leaf_occurrences(self, leaf, child, wanted)
            if not docs.size:
                continue
            order = np.lexsort((positions, docs))
            docs, positions = docs[order], positions[order]
            starts = _firsts(docs)
            ends = np.r_[starts[1:], docs.size]
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                doc = int(docs[start])
                ranges = marked_ranges(leaf.stored_fields(doc).get("paras"), q.code)
                if ranges and in_ranges(positions[start:end], ranges):
                    out[doc + offset] = True
        return out

    def _remember(self, key: tuple[str, str], docs: np.ndarray) -> None:
        self._terms[key] = docs
        if len(self._terms) > TERM_CACHE:
            self._terms.popitem(last=False)
