"""Where a query's words are in a text, by this engine's analysis (analysis.py).

A regex finds the few words that could match (a stem's first letters, a prefix), and only those
are stemmed: tokenising and stemming whole paragraphs in Python would cost ~15 ms a hit. A phrase
is one span where its words follow each other with nothing but spaces or punctuation between
(as positions in the index run), its words alone are not spans.
"""

from __future__ import annotations

from functools import lru_cache

from search.backends.postgres.analysis import TEXT_PATTERN, terms
from search.backends.spans import candidate_start, candidate_words, join_phrases
from search.query import Node, Word, positive_words

MAX_CANDIDATES = 160  # candidate words looked at when a limit is asked (a phrase's words alone)


@lru_cache(maxsize=50_000)
def _stems(word: str) -> tuple[str, ...]:
    return tuple(terms(word))


class Highlighter:
    def __init__(self, tree: Node | None) -> None:
        self.stems: set[str] = set()
        self.subject_stems: set[str] = set()
        self.prefixes: list[str] = []
        self.phrases: set[tuple[str, ...]] = set()
        self.subject_phrases: set[tuple[str, ...]] = set()
        for node in positive_words(tree):
            if node.field not in ("any", "text", "subject"):
                continue
            if isinstance(node, Word) and node.prefix:
                self.prefixes.append(node.text.lower())
                continue
            stems = tuple(terms(node.text))
            subject = node.field == "subject"
            if len(stems) > 1:  # a phrase, or a word read as several tokens ("U.S.-Japan")
                (self.subject_phrases if subject else self.phrases).add(stems)
            else:
                (self.subject_stems if subject else self.stems).update(stems)
        self._phrase_stems = {s for p in self.phrases | self.subject_phrases for s in p}
        starts = {candidate_start(s) for s in self.stems | self.subject_stems | self._phrase_stems}
        starts |= set(self.prefixes)
        # Every match starts with one of these (any case): hydration loads only paragraphs
        # holding one (search/hydrate.py).
        self.starts = tuple(sorted(starts))
        self._candidates = candidate_words(starts)
        assert TEXT_PATTERN == r"\w+(?:\.\w+)*"  # the candidate regex reads words the same way

    def __bool__(self) -> bool:
        return self._candidates is not None

    def spans(
        self, text: str, *, subject: bool = False, limit: int | None = None
    ) -> list[tuple[int, int, str]]:
        if self._candidates is None:
            return []
        stems = self.stems | self.subject_stems if subject else self.stems
        phrases = self.phrases | self.subject_phrases if subject else self.phrases
        tokens: list[tuple[int, int, str, bool]] = []  # start, end, stem, a match alone
        for m in self._candidates.finditer(text):
            found = _stems(m.group().lower())
            if len(found) != 1:
                continue
            stem = found[0]
            alone = stem in stems or any(stem.startswith(p) for p in self.prefixes)
            if alone or stem in self._phrase_stems:
                tokens.append((m.start(), m.end(), stem, alone))
                if limit is not None and len(tokens) >= max(MAX_CANDIDATES, 4 * limit):
                    break
        return join_phrases(text, tokens, phrases, limit)
