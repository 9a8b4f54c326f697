"""Turn the query tree (search.query) into a Whoosh query."""

from __future__ import annotations

from whoosh import query as wq

from search.backends.whoosh.schema import TEXT_ANALYZER, WORD_ANALYZER
from search.query import CABLE_ID_RE, And, DateRange, Node, Not, Or, Phrase, Word

ID_BOOST = 1000.0  # a query naming a cable id puts that cable first
TEXT_FIELDS = ("subject", "body")
# Query field -> (index field, analyzer or None for exact codes)
_WORD_FIELDS = {
    "subject": (("subject",), TEXT_ANALYZER),
    "text": (("body",), TEXT_ANALYZER),
    "any": (TEXT_FIELDS, TEXT_ANALYZER),
    "person": (("person_text",), WORD_ANALYZER),
    "origin": (("origin_text",), WORD_ANALYZER),
    "classification": (("class_text",), WORD_ANALYZER),
}
_CODE_FIELDS = {
    "tag": "tags",
    "country": "f_country",
    "program": "f_program",
    "org": "f_org",
    "anomaly": "anomaly",
}


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


def to_whoosh(node: Node) -> wq.Query | None:
    """A Whoosh query, or None when the node can never narrow anything (e.g. only '-')."""
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
        inner = to_whoosh(node.child)
        return None if inner is None else wq.AndNot(wq.Every(), inner)
    if isinstance(node, And):
        positives: list[wq.Query] = []
        negatives: list[wq.Query] = []
        for child in node.children:
            if isinstance(child, Not):
                inner = to_whoosh(child.child)
                if inner is not None:
                    negatives.append(inner)
            else:
                q = to_whoosh(child)
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
        parts = [q for q in (to_whoosh(c) for c in node.children) if q is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.Or(parts)
    return None


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
