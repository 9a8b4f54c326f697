"""Words to lexemes, in Python, the way the Whoosh engine's TEXT_ANALYZER reads them.

PostgreSQL's own ``to_tsvector('english', ...)`` drops stop words ("us", "a"), reads "U.S." and
hyphenated words its own way and stems with Snowball's english, so the two engines would find
different cables for the same query. Here the tokenizer (``\\w+(?:\\.\\w+)*``), case folding and
Porter stemmer are the Whoosh engine's (search/backends/whoosh/schema.py), and the tsvector is
written as a literal: both engines match the same cables, and the snippets mark what matched.

Lexemes other than text words carry a prefix no text word can have (``\\w`` excludes ':'):
``s:`` subject words, ``t:`` any tag code, ``c:``/``g:``/``o:`` country/program/org codes,
``p:``/``f:``/``k:`` words of persons/origin/classification, ``i:`` the cable id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from whoosh.lang.porter import stem

TEXT_PATTERN = r"\w+(?:\.\w+)*"
MAX_POSITION = 16383  # PostgreSQL's limit: larger positions are stored as this one
MAX_POSITIONS = 256  # positions PostgreSQL keeps per lexeme
# PostgreSQL refuses lexemes over 2,047 bytes: longer words are cut to this many characters
# (4 bytes each at most), in the index and in queries alike, so they still match each other.
MAX_WORD = 500
SUBJECT_GAP = 2  # body positions start this far after the subject's: no phrase spans both
CODE_PREFIX = {"tag": "t:", "country": "c:", "program": "g:", "org": "o:"}
WORD_PREFIX = {"subject": "s:", "person": "p:", "origin": "f:", "classification": "k:"}
ID_PREFIX = "i:"
_WORDS = re.compile(TEXT_PATTERN)
_PLAIN = re.compile(r"\w+")
_STEM_CACHE_MAX = 300_000


class _Stems(dict):
    def __missing__(self, word: str) -> str:
        stemmed = self[word] = stem(word)
        return stemmed


_stems = _Stems()


def words(text: str) -> list[str]:
    """The folded (unstemmed) words of ``text``, in order."""
    if text.isascii():
        found = _WORDS.findall(text.lower())
    else:
        found = _WORDS.findall(text)
        found = " ".join(found).lower().split(" ") if found else []
    if any(len(w) > MAX_WORD for w in found):
        found = [w[:MAX_WORD] for w in found]
    return found


def terms(text: str) -> list[str]:
    """The stems of ``text`` in order: what the index holds and a query word looks up."""
    if len(_stems) > _STEM_CACHE_MAX:
        _stems.clear()
    return list(map(_stems.__getitem__, words(text)))


def plain_words(text: str) -> list[str]:
    """Folded, unstemmed ``\\w+`` words (persons, origin, classification)."""
    return [w[:MAX_WORD] for w in _PLAIN.findall(text.lower())]


def quote(lexeme: str) -> str:
    """A lexeme quoted for a tsvector or tsquery literal."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


class VectorBuilder:
    """Collects lexemes with positions and weights, and writes one tsvector literal."""

    def __init__(self) -> None:
        self._positions: dict[str, list[str]] = {}
        self._bare: set[str] = set()

    def add(self, lexeme: str, position: int, weight: str = "") -> None:
        kept = self._positions.setdefault(lexeme, [])
        if len(kept) < MAX_POSITIONS:
            kept.append(f"{min(position, MAX_POSITION)}{weight}")

    def add_bare(self, lexemes: Iterable[str]) -> None:
        self._bare.update(lexemes)

    def literal(self) -> str:
        parts = [f"{quote(lex)}:{','.join(pos)}" for lex, pos in self._positions.items()]
        parts.extend(quote(lex) for lex in self._bare if lex not in self._positions)
        return " ".join(parts)


def document_vector(
    subject: str,
    paragraphs: Iterable[str],
    tags: dict[str, tuple[str, ...]],
    origin: str,
    classification: str,
    cable_id: str,
) -> str:
    """The tsvector literal of one cable: subject words weighted A (and again as ``s:``),
    paragraph words unweighted (D), then the field lexemes without positions."""
    vec = VectorBuilder()
    position = 0
    for position, term in enumerate(terms(subject), start=1):
        vec.add(term, position, "A")
        vec.add("s:" + term, position)
    position += SUBJECT_GAP
    for paragraph in paragraphs:
        # Whoosh reads the paragraphs joined by blank lines: positions run on across them.
        for term in terms(paragraph):
            position += 1
            vec.add(term, position)
    bare = {ID_PREFIX + cable_id[:MAX_WORD]}
    for facet, codes in tags.items():
        for code in codes:
            bare.add(CODE_PREFIX["tag"] + code[:MAX_WORD])
            if facet in CODE_PREFIX:
                bare.add(CODE_PREFIX[facet] + code[:MAX_WORD])
    bare.update("p:" + w for code in tags.get("person", ()) for w in plain_words(code))
    bare.update("f:" + w for w in plain_words(origin))
    bare.update("k:" + w for w in plain_words(classification))
    vec.add_bare(bare)
    return vec.literal()
