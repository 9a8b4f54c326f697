"""The Whoosh engine's highlighter: where a query's words and phrases are in a text.

The same analyzer as the index decides what matches, so "defenses" is found as "defense" exactly
when the index matched it. Only positions come out of here: search/snippets.py picks snippets,
escapes the text and adds <mark> (the same for every engine).
"""

from __future__ import annotations

from functools import lru_cache

from search.backends.spans import candidate_start, candidate_words, join_phrases
from search.backends.whoosh.compile import analyse
from search.backends.whoosh.schema import TEXT_ANALYZER
from search.query import Phrase, Word

# Candidate words looked at per span asked for: a phrase's words can occur alone many times
# before they occur together.
CANDIDATES_PER_SPAN = 4


@lru_cache(maxsize=50_000)
def _stems(word: str) -> tuple[str, ...]:
    return tuple(analyse(TEXT_ANALYZER, word))


class Matcher:
    """Which stretches of a text count as a match for the query's positive words and phrases.

    Tokenising and stemming every paragraph of a page in Python cost ~15 ms per hit; instead a
    regex finds the few words that could match and only those are stemmed. A phrase is marked
    only where its words follow one another (nothing but spaces or punctuation between them,
    as the index reads positions), as one stretch; its words alone are not marked.
    """

    def __init__(self, words: list[Word | Phrase]) -> None:
        self.stems: set[str] = set()
        self.prefixes: list[str] = []
        self.subject_only: set[str] = set()
        self.phrases: set[tuple[str, ...]] = set()
        self.subject_phrases: set[tuple[str, ...]] = set()
        for node in words:
            if node.field not in ("any", "text", "subject"):
                continue
            if isinstance(node, Word) and node.prefix:
                self.prefixes.append(node.text.lower())
                continue
            stems = analyse(TEXT_ANALYZER, node.text)
            if isinstance(node, Phrase) and len(stems) > 1:
                phrases = self.subject_phrases if node.field == "subject" else self.phrases
                phrases.add(tuple(stems))
            else:
                (self.subject_only if node.field == "subject" else self.stems).update(stems)
        self._phrase_stems = {stem for p in self.phrases | self.subject_phrases for stem in p}
        starts = {candidate_start(s) for s in self.stems | self.subject_only}
        starts |= {candidate_start(s) for s in self._phrase_stems}
        starts |= set(self.prefixes)
        # Every match starts with one of these (any case): hydration loads only paragraphs
        # holding one (search/hydrate.py).
        self.starts = tuple(sorted(starts))
        self._candidates = candidate_words(starts)

    def __bool__(self) -> bool:
        return self._candidates is not None

    def spans(
        self, text: str, *, subject: bool = False, limit: int | None = None
    ) -> list[tuple[int, int, str]]:
        """(start, end, key) of each match, in order; the key is the word's stem, or the
        phrase's stems joined by spaces. ``limit=None`` finds every match."""
        if self._candidates is None:
            return []
        stems = self.stems | self.subject_only if subject else self.stems
        phrases = self.phrases | self.subject_phrases if subject else self.phrases
        # (start, end, stem, marked alone) of the words that are a query word or phrase word.
        tokens: list[tuple[int, int, str, bool]] = []
        for m in self._candidates.finditer(text):
            found = _stems(m.group().lower())
            if len(found) != 1:
                continue
            stem = found[0]
            alone = stem in stems or any(stem.startswith(p) for p in self.prefixes)
            if alone or (phrases and stem in self._phrase_stems):
                tokens.append((m.start(), m.end(), stem, alone))
                if limit is not None and len(tokens) >= CANDIDATES_PER_SPAN * limit:
                    break
        return join_phrases(text, tokens, phrases, limit)
