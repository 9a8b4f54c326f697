"""Relevance ranking in numpy: BM25F over the matching documents, like Whoosh's default.

Whoosh scores hits one posting at a time in Python: ~100 ms p95 for a top-20 page at 26,000
cables, so most of a second at Cablegate scale. The same BM25F formula (K1=1.2, B=0.75, the
subject's field boost already in its weights) over postings read a block at a time, plus the
per-document field lengths kept per segment, ranks the same way in a few milliseconds.
Ties (and queries with nothing to score, such as tag:RS) go newest first. A phrase scores by
how often the whole phrase occurs, as one term whose document frequency is the number of cables
holding it (Whoosh adds up its words' scores: a cable full of "prime" and "minister" would then
beat one that says "prime minister" twice).
"""

from __future__ import annotations

import math

import numpy as np
from whoosh import query as wq

K1 = 1.2
B = 0.75
SCORED_FIELDS = ("subject", "body")


def scores(q: wq.Query, docsets, arrays, reader) -> np.ndarray:
    """A score for every document (0 where nothing scored); only matching ones are used."""
    out = np.zeros(arrays.size, dtype=np.float32)
    _add(q, docsets, arrays, reader, out, 1.0)
    return out


def _add(q: wq.Query, docsets, arrays, reader, out: np.ndarray, boost: float) -> None:
    boost *= getattr(q, "boost", 1.0) or 1.0
    if isinstance(q, wq.Term):
        if q.fieldname in SCORED_FIELDS:
            docs, tf = docsets.weighted(q.fieldname, q.text)
            _bm25(
                q.fieldname,
                docs,
                tf,
                reader.doc_frequency(q.fieldname, q.text),
                arrays,
                reader,
                out,
                boost,
            )
        elif boost != 1.0:  # a boosted exact term: the cable id a query names
            out[docsets.term(q.fieldname, q.text)] += boost
        return
    if isinstance(q, wq.Phrase):
        if q.fieldname in SCORED_FIELDS and q.slop == 1 and len(q.words) > 1:
            docs, count = docsets.phrase_postings(q.fieldname, list(q.words))
            # Term weights carry the field's boost (the subject counts double); so must these.
            tf = count * reader.schema[q.fieldname].format.field_boost
            _bm25(q.fieldname, docs, tf, len(docs), arrays, reader, out, boost)
        else:
            for word in q.words:
                _add(wq.Term(q.fieldname, word), docsets, arrays, reader, out, boost)
        return
    if isinstance(q, wq.AndNot):
        _add(q.a, docsets, arrays, reader, out, boost)
        return
    if isinstance(q, (wq.And, wq.Or)):
        for sub in q.subqueries:
            _add(sub, docsets, arrays, reader, out, boost)
        return
    if isinstance(q, wq.WrappingQuery):  # marking:S: the words rank as they would anywhere
        _add(q.child, docsets, arrays, reader, out, boost)
        return
    if isinstance(q, wq.Prefix):
        for text in reader.expand_prefix(q.fieldname, q.text):
            _add(wq.Term(q.fieldname, text), docsets, arrays, reader, out, boost)
    # Every, ranges, Not and the rest only filter: no score.


# Proximity reranks this many of the best matches by their words alone. Measured with
# bench/relevance.py (six remembered words, MRR): 500 -> 0.919, 200 -> 0.913, 100 -> 0.901;
# three-word searches at 251,287 cables, p95: 123 ms at 500, 89 ms at 200.
RESCORE_TOP = 200


def add_proximity(pairs: list[wq.Phrase], docsets, arrays, reader, out, final) -> None:
    """Add each typed word pair's score where the pair stands together (compile.proximity),
    for the RESCORE_TOP best matches only, like a Lucene rescorer: those pairs' positions are
    read for a few hundred cables, not for every cable holding "of the". A pair's document
    frequency is how many of those cables hold it (the library-wide one would cost the full
    phrase search): a pair few of the candidates share tells them apart, one they all share
    does not."""
    docs = np.flatnonzero(final)
    if not len(docs) or not pairs:
        return
    if len(docs) > RESCORE_TOP:
        docs = np.sort(docs[np.argpartition(-out[docs], RESCORE_TOP - 1)[:RESCORE_TOP]])
    for pair in pairs:
        found, count = docsets.phrase_counts(pair.fieldname, list(pair.words), docs)
        tf = count * reader.schema[pair.fieldname].format.field_boost
        _bm25(pair.fieldname, found, tf, len(found), arrays, reader, out, pair.boost)


def _bm25(
    fieldname: str,
    docs: np.ndarray,
    tf: np.ndarray,
    doc_frequency: int,
    arrays,
    reader,
    out: np.ndarray,
    boost: float,
) -> None:
    if not len(docs):
        return
    count = max(1, reader.doc_count_all())
    idf = math.log(count / (doc_frequency + 1)) + 1
    lengths = arrays.lengths[fieldname][docs]
    avg = arrays.avg_length[fieldname] or 1.0
    out[docs] += (boost * idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / avg))).astype(
        np.float32
    )


def top(
    final: np.ndarray, score: np.ndarray, newest_rank: np.ndarray, limit: int
) -> tuple[list[int], list[float]]:
    """The `limit` best matching docnums, best first; equal scores newest first."""
    docs = np.flatnonzero(final)
    if not len(docs) or limit <= 0:
        return [], []
    s = score[docs]
    if len(docs) > limit and not s.any():  # nothing scored (tag:RS): newest first, cheaply
        rank = newest_rank[docs]
        part = np.argpartition(rank, limit - 1)[:limit]
        docs = docs[part][np.argsort(rank[part])]
        return docs.tolist(), [0.0] * len(docs)
    if len(docs) > limit:
        # Everything scoring at least the limit-th best score, ties included, so that every
        # page cuts the same order.
        kth = np.partition(s, len(s) - limit)[len(s) - limit]
        keep = s >= kth
        docs, s = docs[keep], s[keep]
    order = np.lexsort((newest_rank[docs], -s))[:limit]
    return docs[order].tolist(), s[order].astype(float).tolist()
