"""The query tree (search.query) compiled to one SQL condition over the engine's tables.

Text, code and id words become one ``tsquery`` (answered by the GIN index alone: no lexeme
carries a weight restriction unless the query asks for ``text:``); dates become conditions on
``f.day`` (the narrow facet table). The result is a ``Compiled``: the condition with its
parameters, the tsquery that ranks, and the cable ids the query names (listed first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.backends.postgres.analysis import (
    CODE_PREFIX,
    ID_PREFIX,
    MARKING_PREFIX,
    MAX_WORD,
    WORD_PREFIX,
    pairs,
    plain_words,
    quote,
    terms,
)
from search.query import (
    CABLE_ID_RE,
    And,
    Cite,
    DateRange,
    Marking,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Word,
)

_PREFIX_OK = re.compile(r"\w+(?:\.\w+)*\.?")


@dataclass(frozen=True, slots=True)
class Tsq:
    """A tsquery text (operators and quoted lexemes)."""

    text: str


@dataclass(frozen=True, slots=True)
class Sql:
    """A SQL condition over ``d`` (search_pg_doc) and ``f`` (search_pg_facet)."""

    text: str
    params: tuple = ()


@dataclass(frozen=True, slots=True)
class Compiled:
    where: Sql | None  # None: matches every cable
    rank: str | None  # tsquery text that ranks (the query's positive words), None: unscored
    ids: tuple[str, ...] = field(default=())  # cable ids named by the query: shown first
    # The positive words as subject lexemes: cables matching it are always ranked.
    subject_rank: str | None = None
    # The words every match holds, ANDed (_cover): their cover density ranks, matches nothing.
    cover: str | None = None

    @property
    def needs_doc(self) -> bool:
        return self.where is not None and "d.tsv" in self.where.text


def _any(parts: list[str]) -> str | None:
    parts = list(dict.fromkeys(p for p in parts if p))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _lexemes(lexemes: list[str], weight: str = "", paired: bool = False) -> str | None:
    """Words read from one query word: alone, or several that must follow each other.

    ``paired`` (matching, on an index that holds pair lexemes, analysis.PAIR_PREFIX): two
    pairable words are their pair lexeme, answered by the GIN index alone; otherwise the
    phrase's pairs are ANDed with its positions, so that only cables holding every pair have
    their vectors re-read. Ranking keeps the positions (``ts_rank_cd`` ignores lexemes
    without them)."""
    if not lexemes:
        return None
    marked = [quote(lex) + (f":{weight}" if weight else "") for lex in lexemes]
    if len(marked) == 1:
        return marked[0]
    chain = "(" + " <-> ".join(marked) + ")"
    found = sorted(pairs(lexemes)) if paired and not weight else []
    if len(lexemes) == 2 and found:
        return quote(found[0])
    return "(" + " & ".join([*map(quote, found), chain]) + ")" if found else chain


def _text(fieldname: str, text: str, prefix: bool, paired: bool = False) -> str | None:
    """Subject/text/any words (stemmed) and person/origin/classification words (folded)."""
    if fieldname in _FOLDED:
        tag = WORD_PREFIX[fieldname]
        words = plain_words(text)
        if prefix and len(words) == 1:
            return quote(tag + words[0]) + ":*"
        if fieldname in ("addressee", "signer") and len(words) > 1:
            # Stored without positions (several addressees in one list): all of the words.
            return "(" + " & ".join(quote(tag + w) for w in words) + ")"
        return _lexemes([tag + w for w in words])
    tag = WORD_PREFIX["subject"] if fieldname == "subject" else ""
    weight = "D" if fieldname == "text" else ""  # paragraphs are the unweighted positions
    if prefix:
        folded = text.lower()
        if _PREFIX_OK.fullmatch(folded) and len(folded) <= MAX_WORD:
            return quote(tag + folded.rstrip(".")) + ":*" + weight
    return _lexemes([tag + t for t in terms(text)], weight, paired and not tag)


_FOLDED = ("person", "origin", "classification", "addressee", "signer")
NEAR_ORDERS = 2  # "a b"~N with two words: every distance up to N+1, both orders; more: AND


def _near(node: Near) -> str | None:
    """``"words"~N``: two words within N others of each other, in either order, as tsquery
    distances; three or more words are read as all of them (tsquery has no window)."""
    fieldname = node.field if node.field in ("subject", "text") else "any"
    parts = [_text(fieldname, w, False) for w in node.text.split()]
    parts = [p for p in parts if p]
    if len(parts) != NEAR_ORDERS:
        return (
            None if not parts else (parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")")
        )
    a, b = parts
    options = [f"{x} <{d}> {y}" for d in range(1, node.slop + 2) for x, y in ((a, b), (b, a))]
    return "(" + " | ".join(options) + ")"


def _word(node: Word, paired: bool = False) -> str | None:
    if node.field == "id":
        return quote(ID_PREFIX + node.text[:MAX_WORD]) + (":*" if node.prefix else "")
    if node.field in CODE_PREFIX:
        return quote(CODE_PREFIX[node.field] + node.text[:MAX_WORD]) + (":*" if node.prefix else "")
    fieldname = node.field if node.field in ("subject", "text", *WORD_PREFIX) else "any"
    words = _text(fieldname, node.text, node.prefix, paired)
    if fieldname == "any" and not node.prefix and CABLE_ID_RE.match(node.text):
        return _any([quote(ID_PREFIX + node.text.upper()[:MAX_WORD]), words or ""])
    return words


def _phrase(node: Phrase, paired: bool = False) -> str | None:
    fieldname = node.field if node.field in ("subject", "text", *WORD_PREFIX) else "any"
    return _text(fieldname, node.text, False, paired)


def _day(d) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def _as_sql(part: Tsq | Sql) -> Sql:
    if isinstance(part, Sql):
        return part
    return Sql("d.tsv @@ %s::tsquery", (part.text,))


def _node(node: Node, paired: bool) -> Tsq | Sql | None:
    if isinstance(node, Cite):
        ids = [quote(ID_PREFIX + i[:MAX_WORD]) for i in node.ids]
        # The words as typed, as text only (the ids above already stand for the id).
        typed = node.words.children if isinstance(node.words, And) else (node.words,)
        texts = [_text("any", w.text, False, paired) for w in typed if isinstance(w, Word)]
        texts = [t for t in texts if t]
        words = texts[0] if len(texts) == 1 else ("(" + " & ".join(texts) + ")" if texts else "")
        return Tsq(_any([*ids, words]))
    if isinstance(node, Near):
        text = _near(node)
        return Tsq(text) if text else None
    if isinstance(node, Marking):
        # The cables holding such a paragraph; this engine does not restrict the words to
        # those paragraphs (Match.notes says so).
        return Tsq(quote(MARKING_PREFIX + node.code[:MAX_WORD]))
    if isinstance(node, Word):
        text = _word(node, paired)
        return Tsq(text) if text else None
    if isinstance(node, Phrase):
        text = _phrase(node, paired)
        return Tsq(text) if text else None
    if isinstance(node, DateRange):
        lo = _day(node.start) if node.start else 10000101
        hi = _day(node.end) if node.end else 99991231
        return Sql("f.day BETWEEN %s AND %s", (lo, hi))
    if isinstance(node, Not):
        inner = _node(node.child, paired)
        if inner is None:
            return None
        if isinstance(inner, Tsq):
            return Tsq(f"!{inner.text}" if _atomic(inner.text) else f"!({inner.text})")
        return Sql(f"NOT ({inner.text})", inner.params)
    if isinstance(node, (And, Or)):
        parts = [p for p in (_node(c, paired) for c in node.children) if p is not None]
        if not parts:
            return None
        op = " & " if isinstance(node, And) else " | "
        texts = [p.text for p in parts if isinstance(p, Tsq)]
        if len(texts) == len(parts):
            return Tsq(texts[0] if len(texts) == 1 else "(" + op.join(texts) + ")")
        if isinstance(node, And) and texts:
            # The text parts stay one tsquery: one GIN scan answers them together.
            joined = texts[0] if len(texts) == 1 else "(" + " & ".join(texts) + ")"
            parts = [Tsq(joined), *(p for p in parts if isinstance(p, Sql))]
        sqls = [_as_sql(p) for p in parts]
        if len(sqls) == 1:
            return sqls[0]
        sep = " AND " if isinstance(node, And) else " OR "
        return Sql(
            "(" + sep.join(f"({s.text})" for s in sqls) + ")",
            tuple(p for s in sqls for p in s.params),
        )
    return None


def _atomic(text: str) -> bool:
    return text.startswith("(") or " " not in text


def _positives(node: Node | None, negated: bool = False, *, subject: bool = False) -> list[str]:
    """tsquery texts of the words and phrases that make a cable match (what ranks it);
    ``subject``: the subject-lexeme form of the text words (other fields left out)."""
    if node is None:
        return []
    if isinstance(node, Cite):
        return _positives(node.words, negated, subject=subject)
    if isinstance(node, Near):
        words = [Word(node.field, w) for w in node.text.split()]
        return [t for w in words for t in _positives(w, negated, subject=subject)]
    if isinstance(node, (Word, Phrase)):
        if negated or node.field in ("id", *CODE_PREFIX):
            return []
        if subject:
            if node.field not in ("any", "subject"):
                return []
            text = _text("subject", node.text, isinstance(node, Word) and node.prefix)
        else:
            text = _word(node) if isinstance(node, Word) else _phrase(node)
        return [text] if text else []
    if isinstance(node, Not):
        return _positives(node.child, not negated, subject=subject)
    if isinstance(node, (And, Or)):
        return [t for child in node.children for t in _positives(child, negated, subject=subject)]
    return []


def _either(texts: list[str]) -> str | None:
    texts = list(dict.fromkeys(texts))
    return None if not texts else (texts[0] if len(texts) == 1 else " | ".join(texts))


def _cover(node: Node | None) -> str | None:
    """The words every match holds (the top-level And's positive words and phrases), ANDed:
    ``ts_rank_cd`` over it scores the shortest stretches of text holding them all, so a cable
    where the typed words stand together ranks above one holding them pages apart (the role
    of the Whoosh engine's proximity pairs). None for fewer than two. It only ranks."""
    children = node.children if isinstance(node, And) else ()
    parts: list[str] = []
    for child in children:
        if isinstance(child, (Word, Phrase)) and child.field in ("any", "text", "subject"):
            parts.extend(_positives(child))
    parts = list(dict.fromkeys(parts))
    return " & ".join(p if _atomic(p) else f"({p})" for p in parts) if len(parts) > 1 else None


def _named_ids(node: Node | None, negated: bool = False) -> list[str]:
    if isinstance(node, Cite) and not negated:
        return list(node.ids)  # without a year: every year's (those that exist come first)
    named = isinstance(node, Word) and not negated and not node.prefix
    if named and (node.field == "id" or (node.field == "any" and CABLE_ID_RE.match(node.text))):
        return [node.text.upper()]
    if isinstance(node, Not):
        return _named_ids(node.child, not negated)
    if isinstance(node, (And, Or)):
        return [i for child in node.children for i in _named_ids(child, negated)]
    return []


def compile_query(tree: Node | None, *, paired: bool = False) -> Compiled:
    """The condition for ``tree`` (None or nothing searchable: every cable); ``paired``: the
    index holds pair lexemes (every vector written since it was built or rebuilt)."""
    part = _node(tree, paired) if tree is not None else None
    where = _as_sql(part) if part is not None else None
    return Compiled(
        where,
        _either(_positives(tree)),
        tuple(dict.fromkeys(_named_ids(tree))),
        _either(_positives(tree, subject=True)),
        _cover(tree),
    )


def unsearchable(node: Node | None) -> list[str]:
    """Words of the query that hold nothing the index can match ("§", "--")."""
    out: list[str] = []
    if isinstance(node, (Word, Phrase)):
        if node.field not in ("id", *CODE_PREFIX) and not (isinstance(node, Word) and node.prefix):
            found = plain_words(node.text) if node.field in _FOLDED else terms(node.text)
            if not found:
                out.append(node.text)
    elif isinstance(node, Not):
        out.extend(unsearchable(node.child))
    elif isinstance(node, (And, Or)):
        for child in node.children:
            out.extend(unsearchable(child))
    return out
