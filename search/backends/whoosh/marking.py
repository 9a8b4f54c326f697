"""Paragraph markings: ``marking:S iran`` finds "iran" only in paragraphs marked (S).

The body is one field, its paragraphs one after the other. Each document stores where each of
its paragraphs starts in the body's term positions, with its marking (``paras``), and indexes
the markings it holds (``markings``: "S/NF" and its level "S"). A restricted word is matched
by its positions: a cable matches when one of them falls in a paragraph with the marking.
"""

from __future__ import annotations

import re

import numpy as np

from search.backends.whoosh.schema import term_count
from search.query import marking_codes, marking_matches


def _code(marking: str) -> str:
    return re.sub(r"[^A-Z/]", "", marking.upper())


def marking_fields(paragraphs: tuple[str, ...], markings: tuple[str, ...]) -> dict:
    """The index fields of a cable's markings (nothing when no paragraph is marked)."""
    codes = [_code(m) for m in markings]
    if not any(codes):
        return {}
    held = marking_codes(markings)
    starts, at = [], 0
    for text in paragraphs:
        starts.append(at)
        at += term_count(text)
    return {"markings": "\n".join(held), "paras": (tuple(starts), tuple(codes))}


def marked_ranges(paras, wanted: str) -> list[tuple[int, int]]:
    """[start, end) body positions of the paragraphs ``marking:wanted`` keeps."""
    if not paras:
        return []
    starts, codes = paras
    out = []
    for i, (start, code) in enumerate(zip(starts, codes, strict=True)):
        if code and marking_matches(wanted, code):
            end = starts[i + 1] if i + 1 < len(starts) else 2**32
            out.append((start, end))
    return out


def in_ranges(positions: np.ndarray, ranges: list[tuple[int, int]]) -> bool:
    """Whether any position falls in one of the ranges."""
    return any(((positions >= start) & (positions < end)).any() for start, end in ranges)
