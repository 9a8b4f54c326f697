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
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from whoosh.lang.porter import stem

TEXT_PATTERN = r"\w+(?:\.\w+)*"
MAX_POSITION = 16383  # PostgreSQL's limit: larger positions are stored as this one
MAX_POSITIONS = 256  # positions PostgreSQL keeps per lexeme
# PostgreSQL refuses lexemes over 2,047 bytes: longer words are cut to this many characters
# (4 bytes each at most), in the index and in queries alike, so they still match each other.
MAX_WORD = 500
SUBJECT_GAP = 2  # body positions start this far after the subject's: no phrase spans both
# Exact codes, as written. anomaly: the parser's codes ("header-body"), cables.parsing.record.
CODE_PREFIX = {"tag": "t:", "country": "c:", "program": "g:", "org": "o:", "anomaly": "y:"}
WORD_PREFIX = {
    "subject": "s:",
    "person": "p:",
    "origin": "f:",
    "classification": "k:",
    "addressee": "a:",
    "signer": "w:",
}
MARKING_PREFIX = "m:"  # each paragraph marking a cable holds, and its level ("m:S/NF", "m:S")
# Every two words that stand side by side, as one bare lexeme "q:first second": a two-word
# phrase is then one GIN lookup, where "first <-> second" re-reads the stored tsvector of
# every cable holding both words (a common phrase: 1.2 s at 251,287 cables, docs/scaling.md).
PAIR_PREFIX = "q:"
PAIR_WORD_MAX = 100  # longer words form no pairs (a pair must stay under 2,047 bytes)
# Nor do numbers, single letters and the commonest words: with them, a real cable has ~1,090
# distinct pairs, without ~400 (500 cables of the shared corpus), and every pair made the
# import at 251,287 cables twice as slow (the GIN index's work). A phrase holding such words
# is found by the pairs it has and its positions.
_COMMONEST = (
    "a an and are as at be been but by for from had has have he his in is it its of on or our "
    "said that the their there they this to was we were which who will with would"
)
PAIR_STOP = frozenset(map(stem, _COMMONEST.split()))
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
    if len(text) > MAX_WORD and max(map(len, found), default=0) > MAX_WORD:
        found = [w[:MAX_WORD] for w in found]
    return found


def stems(found: list[str]) -> list[str]:
    """The stems of folded words, in order."""
    if len(_stems) > _STEM_CACHE_MAX:
        _stems.clear()
    return list(map(_stems.__getitem__, found))


def terms(text: str) -> list[str]:
    """The stems of ``text`` in order: what the index holds and a query word looks up."""
    return stems(words(text))


class Folded(NamedTuple):
    """A cable's folded words, read once for its vector and for the spelling vocabulary."""

    subject: list[str]
    body: list[str]  # the paragraphs' words in order, positions running on across them


def fold(subject: str, paragraphs: Iterable[str]) -> Folded:
    # Whoosh reads the paragraphs joined by blank lines; no word spans the join.
    return Folded(words(subject), words("\n\n".join(paragraphs)))


def plain_words(text: str) -> list[str]:
    """Folded, unstemmed ``\\w+`` words (persons, origin, classification)."""
    return [w[:MAX_WORD] for w in _PLAIN.findall(text.lower())]


def quote(lexeme: str) -> str:
    """A lexeme quoted for a tsvector or tsquery literal."""
    if "'" in lexeme or "\\" in lexeme:
        lexeme = lexeme.replace("\\", "\\\\").replace("'", "''")
    return f"'{lexeme}'"


# Positions as the strings the literal needs, made once (1..MAX_POSITION).
_POSITION = tuple(str(i) for i in range(MAX_POSITION + 1))


def _position_lists(found: list[str], start: int) -> dict[str, list[str]]:
    """lexeme -> its positions (strings) from ``start`` on; past the limit all are the limit."""
    out: defaultdict[str, list[str]] = defaultdict(list)
    for position, term in zip(_POSITION[start:], found, strict=False):
        out[term].append(position)
    for term in found[MAX_POSITION + 1 - start :]:
        positions = out[term]  # empty for a word first seen past the limit
        if not positions or positions[-1] != _POSITION[-1]:
            positions.append(_POSITION[-1])
    return out


def _pairable(term: str) -> bool:
    return 1 < len(term) <= PAIR_WORD_MAX and term not in PAIR_STOP and not term.isdigit()


def pairs(found: list[str]) -> set[str]:
    """The pair lexemes of terms in order: two side by side, both pairable."""
    return {
        f"{PAIR_PREFIX}{a} {b}"
        for a, b in zip(found, found[1:], strict=False)
        if _pairable(a) and _pairable(b)
    }


def _item(lexeme: str, positions: list[str]) -> str:
    return f"{quote(lexeme)}:{','.join(positions[:MAX_POSITIONS])}"


def document_vector(
    folded: Folded,
    tags: dict[str, tuple[str, ...]],
    origin: str,
    classification: str,
    cable_id: str,
    *,
    addressees: str = "",
    signer: str = "",
    markings: Iterable[str] = (),
    anomalies: Iterable[str] = (),
) -> str:
    """The tsvector literal of one cable: subject words weighted A (and again as ``s:``),
    paragraph words unweighted (D), then the field lexemes without positions.

    Plain dicts and joins: this runs for every imported cable (~1,900 words)."""
    subject_terms = stems(folded.subject)
    body_terms = stems(folded.body)
    in_subject = _position_lists(subject_terms, 1)
    start = len(subject_terms) + SUBJECT_GAP
    in_body = _position_lists(body_terms, start)
    parts = [_item("s:" + term, positions) for term, positions in in_subject.items()]
    for term, positions in in_subject.items():
        # A word of both is one lexeme: its subject positions weighted A, the others not.
        weighted = [p + "A" for p in positions]
        parts.append(_item(term, weighted + in_body.pop(term, [])))
    parts.extend(_item(term, positions) for term, positions in in_body.items())
    bare = {ID_PREFIX + cable_id[:MAX_WORD]}
    for facet, codes in tags.items():
        for code in codes:
            bare.add(CODE_PREFIX["tag"] + code[:MAX_WORD])
            if facet in CODE_PREFIX:
                bare.add(CODE_PREFIX[facet] + code[:MAX_WORD])
    bare.update("p:" + w for code in tags.get("person", ()) for w in plain_words(code))
    bare.update("f:" + w for w in plain_words(origin))
    bare.update("k:" + w for w in plain_words(classification))
    bare.update("a:" + w for w in plain_words(addressees))
    bare.update(WORD_PREFIX["signer"] + w for w in plain_words(signer))
    bare.update(CODE_PREFIX["anomaly"] + a[:MAX_WORD] for a in anomalies)
    bare.update(MARKING_PREFIX + m[:MAX_WORD] for m in markings)
    # Pairs where positions still tell words apart (a phrase past the last position is
    # missed either way), which also bounds a giant cable's vector.
    bare.update(pairs(subject_terms[:MAX_POSITION]))
    bare.update(pairs(body_terms[: max(0, MAX_POSITION + 1 - start)]))
    parts.extend(map(quote, sorted(bare)))
    return " ".join(parts)
