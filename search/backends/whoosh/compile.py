"""Turn the query tree (search.query) into a Whoosh query."""

from __future__ import annotations

from whoosh import query as wq

from search.backends.whoosh.schema import TEXT_ANALYZER, WORD_ANALYZER
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
    marking_of,
)

ID_BOOST = 1000.0  # a query naming a cable id puts that cable first
# Relevance added for each pair of words typed next to each other that a cable also holds
# next to each other (times the pair's own BM25, like a phrase): unquoted words standing
# together, as in a remembered sentence or a subject line, rank above the same words apart.
PROXIMITY_BOOST = 1.0
TEXT_FIELDS = ("subject", "body")
# Query field -> (index field, analyzer or None for exact codes)
_WORD_FIELDS = {
    "subject": (("subject",), TEXT_ANALYZER),
    "text": (("body",), TEXT_ANALYZER),
    "any": (TEXT_FIELDS, TEXT_ANALYZER),
    "person": (("person_text",), WORD_ANALYZER),
    "origin": (("origin_text",), WORD_ANALYZER),
    "classification": (("class_text",), WORD_ANALYZER),
    "addressee": (("addressee_text",), WORD_ANALYZER),
    "signer": (("signer_text",), WORD_ANALYZER),
}
_CODE_FIELDS = {
    "tag": "tags",
    "country": "f_country",
    "program": "f_program",
    "org": "f_org",
    "anomaly": "anomaly",
}


class NearQuery(wq.Phrase):
    """``"words"~N``: every word within N positions of the next, in any order (search.query.Near).
    Matched by DocSets.near; ranked by its words, like Whoosh's sloppy phrase."""

    def __repr__(self) -> str:
        return f"NearQuery({self.fieldname!r}, {self.words!r}, slop={self.slop})"


class Marked(wq.WrappingQuery):
    """The child's body words matched only in paragraphs marked ``code`` (``marking:S``).
    Matched by DocSets.marked; ranked as the child."""

    def __init__(self, child: wq.Query, code: str) -> None:
        super().__init__(child)
        self.code = code

    def _rewrap(self, child: wq.Query) -> Marked:
        return Marked(child, self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Marked) and (self.child, self.code) == (other.child, other.code)

    def __hash__(self) -> int:
        return hash((self.child, self.code))

    def __repr__(self) -> str:
        return f"Marked({self.child!r}, {self.code!r})"


def analyse(analyzer, text: str) -> list[str]:
    return [t.text for t in analyzer(text, mode="query")]


def _day(d) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def _words(fields: tuple[str, ...], analyzer, text: str, prefix: bool) -> wq.Query | None:
    if prefix:
        # Index terms are stems: match the stems that start with the typed (folded) prefix.
        folded = text.lower()
        return _any([wq.Prefix(f, folded) for f in fields])
    terms = analyse(analyzer, text)
    if not terms:
        return None
    if len(terms) == 1:
        return _any([wq.Term(f, terms[0]) for f in fields])
    # "U.S.-Japan" reads as several tokens: they must follow each other.
    return _any([wq.Phrase(f, terms) for f in fields])


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def compile_tree(node: Node) -> wq.Query | None:
    """The whole query: with ``marking:S`` at its top, its text words match in S paragraphs."""
    return to_whoosh(node, marking_of(node))


def _marked(q: wq.Query | None, fields: tuple[str, ...], marking: str | None):
    """Text words under ``marking:``: in the paragraphs only (the subject has no marking)."""
    if q is None or marking is None or "body" not in fields:
        return q
    return Marked(_body_only(q), marking)


def _body_only(q: wq.Query) -> wq.Query:
    if isinstance(q, wq.Or):
        kept = [sub for sub in q.subqueries if getattr(sub, "fieldname", "body") == "body"]
        return kept[0] if len(kept) == 1 else wq.Or(kept)
    return q


def to_whoosh(node: Node, marking: str | None = None) -> wq.Query | None:
    """A Whoosh query, or None when the node can never narrow anything (e.g. only '-')."""
    if isinstance(node, Marking):
        return wq.Term("markings", node.code)
    if isinstance(node, Cite):
        by_id = [wq.Term("id", i, boost=ID_BOOST) for i in node.ids]
        words = to_whoosh(node.words, marking) if node.words is not None else None
        return _any([*by_id, *([words] if words is not None else [])])
    if isinstance(node, Near):
        fields, analyzer = _WORD_FIELDS.get(node.field, _WORD_FIELDS["any"])
        terms = analyse(analyzer, node.text)
        if not terms:
            return None
        if len(terms) == 1:
            q = _any([wq.Term(f, terms[0]) for f in fields])
        else:
            q = _any([NearQuery(f, terms, slop=node.slop) for f in fields])
        return _marked(q, fields, marking)
    if isinstance(node, Word) and marking is not None and node.field in ("any", "text"):
        fields, analyzer = _WORD_FIELDS[node.field]
        return _marked(_words(fields, analyzer, node.text, node.prefix), fields, marking)
    if isinstance(node, Phrase) and marking is not None and node.field in ("any", "text"):
        return _marked(to_whoosh(node), _WORD_FIELDS[node.field][0], marking)
    if isinstance(node, Word):
        if node.field == "id":
            return wq.Prefix("id", node.text) if node.prefix else wq.Term("id", node.text)
        if node.field in _CODE_FIELDS:
            f = _CODE_FIELDS[node.field]
            return wq.Prefix(f, node.text) if node.prefix else wq.Term(f, node.text)
        fields, analyzer = _WORD_FIELDS.get(node.field, _WORD_FIELDS["any"])
        q = _words(fields, analyzer, node.text, node.prefix)
        if node.field == "any" and not node.prefix and CABLE_ID_RE.match(node.text):
            by_id = wq.Term("id", node.text.upper(), boost=ID_BOOST)
            return wq.Or([by_id, q]) if q is not None else by_id
        return q
    if isinstance(node, Phrase):
        fields, analyzer = _WORD_FIELDS.get(node.field, _WORD_FIELDS["any"])
        terms = analyse(analyzer, node.text)
        if not terms:
            return None
        if len(terms) == 1:
            return _any([wq.Term(f, terms[0]) for f in fields])
        return _any([wq.Phrase(f, terms) for f in fields])
    if isinstance(node, DateRange):
        start = _day(node.start) if node.start else 10000101
        end = _day(node.end) if node.end else 99991231
        return wq.NumericRange("day", start, end)
    if isinstance(node, Not):
        inner = to_whoosh(node.child, marking)
        return None if inner is None else wq.AndNot(wq.Every(), inner)
    if isinstance(node, And):
        positives: list[wq.Query] = []
        negatives: list[wq.Query] = []
        for child in node.children:
            if isinstance(child, Not):
                inner = to_whoosh(child.child, marking)
                if inner is not None:
                    negatives.append(inner)
            else:
                q = to_whoosh(child, marking)
                if q is not None:
                    positives.append(q)
        if not positives and not negatives:
            return None
        base = (
            wq.Every()
            if not positives
            else (positives[0] if len(positives) == 1 else wq.And(positives))
        )
        if not negatives:
            return base
        return wq.AndNot(base, negatives[0] if len(negatives) == 1 else wq.Or(negatives))
    if isinstance(node, Or):
        parts = [q for q in (to_whoosh(c, marking) for c in node.children) if q is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.Or(parts)
    return None


def proximity(node: Node | None) -> list[wq.Query]:
    """Boosting queries for the words typed one after the other at the top of the query
    (``missile defense cooperation``): each pair, as a two-word phrase in the subject and the
    body. They only rank: a cable holding the words apart still matches."""
    children = node.children if isinstance(node, And) and PROXIMITY_BOOST > 0 else ()
    out: list[wq.Query] = []
    previous: str | None = None
    for child in children:
        term = None
        if (
            isinstance(child, Word)
            and child.field in ("any", "subject", "text")
            and not child.prefix
        ):
            terms = analyse(TEXT_ANALYZER, child.text)
            term = terms[0] if len(terms) == 1 else None
        if term is not None and previous is not None:
            fields = _WORD_FIELDS[child.field][0]
            out.extend(wq.Phrase(f, [previous, term], boost=PROXIMITY_BOOST) for f in fields)
        previous = term
    return out


def unsearchable(node: Node | None) -> list[str]:
    """Words of the query that hold nothing the index can match ("§", "--"): said, not silent."""
    out: list[str] = []
    if isinstance(node, (Word, Phrase)):
        if node.field in _WORD_FIELDS and not (isinstance(node, Word) and node.prefix):
            _, analyzer = _WORD_FIELDS[node.field]
            if not analyse(analyzer, node.text):
                out.append(node.text)
    elif isinstance(node, Not):
        out.extend(unsearchable(node.child))
    elif isinstance(node, (And, Or)):
        for child in node.children:
            out.extend(unsearchable(child))
    return out
