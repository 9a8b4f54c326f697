"""PairCounts.counts: every way of counting gives what counting by hand gives."""

import numpy as np
import pytest

from search.backends.pairs import SPARSE_SHARE, PairCounts

DOCS = 1_000


def _by_hand(pairs: list[tuple[int, int]], mask: np.ndarray, values: int) -> list[int]:
    out = [0] * values
    for doc, value in pairs:
        if mask[doc]:
            out[value] += 1
    return out


def _facet(pairs: list[tuple[int, int]], values: int) -> PairCounts:
    docs = np.array([d for d, _ in pairs], dtype=np.int64)
    vals = np.array([v for _, v in pairs], dtype=np.int64)
    return PairCounts([f"v{i:03d}" for i in range(values)], docs, vals)


def _many_values(rng) -> list[tuple[int, int]]:
    # Value-major, as a segment's postings give them: several values per document.
    return sorted(
        {
            (int(d), int(v))
            for d, v in zip(rng.integers(0, DOCS, 3_000), rng.integers(0, 40, 3_000), strict=True)
        },
        key=lambda p: (p[1], p[0]),
    )


def _one_value(rng) -> list[tuple[int, int]]:
    # Some documents have none (undated cables in the year facet).
    return [(d, int(rng.integers(0, 7))) for d in range(DOCS) if d % 10]


KINDS = {  # pairs, number of values, seed
    "several values per document": (_many_values, 40, 1),
    "one value per document": (_one_value, 7, 2),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("share", [0.0, SPARSE_SHARE / 4, 0.4, 1.0])
def test_counts_equal_counting_by_hand(kind, share):
    make_pairs, values, seed = KINDS[kind]
    rng = np.random.default_rng(seed)
    pairs = make_pairs(rng)
    mask = rng.random(DOCS) < share
    assert _facet(pairs, values).counts(mask).tolist() == _by_hand(pairs, mask, values)


def test_counts_of_a_facet_with_few_pairs_among_many_documents():
    pairs = [(3, 0), (500, 1), (998, 0)]
    mask = np.ones(DOCS, dtype=bool)
    assert _facet(pairs, 2).counts(mask).tolist() == [2, 1]


def test_counts_are_integers():
    rng = np.random.default_rng(3)
    counts = _facet(_one_value(rng), 7).counts(np.ones(DOCS, dtype=bool))
    assert counts.dtype == np.int64
