"""Spans from matched words: the step every engine's highlighter shares once it has found, by
its own analysis, which words of a text are query words or words of a query phrase."""

from __future__ import annotations

import re

Token = tuple[int, int, str, bool]  # start, end, stem, a match on its own (not only in a phrase)
Span = tuple[int, int, str]

_WORD_CHAR = re.compile(r"\w")


def candidate_start(stem: str) -> str:
    """What every word stemming to ``stem`` starts with: a Porter stem can differ from its word
    in the last two letters ("relate" from "relational", "poni" from "ponies")."""
    return stem if len(stem) <= 3 else stem[: max(3, len(stem) - 2)]


def candidate_words(starts: set[str]) -> re.Pattern | None:
    """The words (``\\w+(\\.\\w+)*``, as both engines read them) that begin with one of
    ``starts``, any case: the few a highlighter stems, instead of tokenising and stemming whole
    paragraphs in Python (~15 ms a hit). None when there is nothing to look for."""
    if not starts:
        return None
    alternatives = "|".join(re.escape(s) for s in sorted(starts, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})\w*(?:\.\w+)*", re.I)


def join_phrases(
    text: str, tokens: list[Token], phrases: set[tuple[str, ...]], limit: int | None
) -> list[Span]:
    """(start, end, key) spans, in order: a run of tokens standing for a phrase (nothing but
    spaces or punctuation between them) is one span keyed by its stems joined by spaces; a token
    that is a match on its own is a span keyed by its stem. At most ``limit`` (None: all)."""
    out: list[Span] = []
    i = 0
    while i < len(tokens) and (limit is None or len(out) < limit):
        start, end, stem, alone = tokens[i]
        run = _phrase_at(text, tokens, i, phrases) if phrases else 0
        if run:
            last = tokens[i + run - 1]
            out.append((start, last[1], " ".join(t[2] for t in tokens[i : i + run])))
            i += run
            continue
        if alone:
            out.append((start, end, stem))
        i += 1
    return out


def _phrase_at(text: str, tokens: list[Token], i: int, phrases: set[tuple[str, ...]]) -> int:
    """How many tokens from ``i`` on make up one of ``phrases`` (the longest), or 0."""
    best = 0
    for phrase in phrases:
        n = len(phrase)
        if n <= best or i + n > len(tokens) or tokens[i][2] != phrase[0]:
            continue
        for k in range(1, n):
            before, token = tokens[i + k - 1], tokens[i + k]
            if token[2] != phrase[k] or _WORD_CHAR.search(text, before[1], token[0]):
                break
        else:
            best = n
    return best
