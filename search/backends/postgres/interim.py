"""Until search/pages.py (issue 11, milestone 2) lands: the old service calls, built only on
the engine primitives. Delete this module when the service calls the page builder."""

from __future__ import annotations

import math
import re
import time

from search import hydrate
from search.backends.base import Criteria, FacetRequest, MatchRequest
from search.query import Phrase, Word, parse, positive_words
from search.results import Facet, FacetValue, Hit, SearchResults, Snippet
from search.state import FACET_LABELS, FACETS, SearchState


def criteria_of(state: SearchState) -> Criteria:
    return Criteria(
        parse(state.q).tree, state.selected, state.excluded, state.date_from, state.date_to
    )


def _facet(engine, state, name, counts, prefix=""):
    selected, excluded = state.values(name), state.excluded_values(name)
    values = [v for v, _ in counts.values]
    label_of = hydrate.labels(name, values)
    if prefix:
        needle = prefix.strip().lower()
        keep = [v for v in values if v.lower().startswith(needle) or needle in label_of[v].lower()]
        keep += [v for v in (*selected, *excluded) if v not in keep]
    else:
        keep = values
    count = dict(counts.values)
    return Facet(
        name=name,
        label=FACET_LABELS[name],
        values=tuple(
            FacetValue(v, label_of.get(v, v), count.get(v, 0), v in selected, v in excluded)
            for v in keep
        ),
        has_more=counts.has_more,
    )


def _requests(state: SearchState, limit: int | None = 15):
    out = []
    for name in FACETS:
        pinned = (*state.values(name), *state.excluded_values(name))
        if name == "year":
            out.append(FacetRequest(name, None, pinned, every=True))
        else:
            out.append(FacetRequest(name, limit, pinned))
    return tuple(out)


def _snippets(marker, subject: str, paragraphs) -> tuple[Snippet, ...]:
    from search.backends.whoosh.highlight import fragment

    if not marker:
        return ()
    from html import escape

    scored = []
    for position, (number, text) in enumerate(paragraphs):
        spans = marker.spans(text, limit=40)
        if spans:
            distinct = sum(key.count(" ") + 1 for key in {k for _, _, k in spans})
            scored.append((-distinct, -len(spans), position, number, text, spans))
    scored.sort(key=lambda row: row[:3])
    out = [Snippet(number, fragment(text, spans)) for *_, number, text, spans in scored[:3]]
    if not out and subject:
        spans = marker.spans(subject, subject=True)
        if spans:
            parts, pos = [], 0
            for s, e, _ in spans:
                parts += [escape(subject[pos:s], quote=False), "<mark>"]
                parts += [escape(subject[s:e], quote=False), "</mark>"]
                pos = e
            parts.append(escape(subject[pos:], quote=False))
            out.append(Snippet(-1, "".join(parts)))
    return tuple(out)


def search(engine, state: SearchState, *, page_size: int) -> SearchResults:
    started = time.perf_counter()
    criteria = criteria_of(state)
    parsed = parse(state.q)
    first = engine.match(MatchRequest(criteria, "relevance", 0, 0, _requests(state)))
    total = first.total
    pages = max(1, math.ceil(total / page_size))
    page = min(state.page, pages)
    sort = state.sort if first.searched or state.sort != "relevance" else "newest"
    found = engine.match(MatchRequest(criteria, sort, (page - 1) * page_size, page_size))
    ids = list(found.ids)
    rows = hydrate.cable_rows(ids)
    marker = engine.highlighter(parsed.tree)
    paras = hydrate.paragraphs_of(ids) if marker else {}
    hits = tuple(
        Hit(
            id=i,
            subject=rows[i]["subject"],
            date=rows[i]["date"],
            origin=rows[i]["origin"],
            classification=rows[i]["classification"],
            tags=tuple(rows[i]["tags"]),
            snippets=_snippets(marker, rows[i]["subject"], paras.get(i, [])),
            score=score,
        )
        for i, score in zip(found.ids, found.scores, strict=True)
        if i in rows
    )
    understood = parsed.understood
    if first.unsearchable:
        ignored = ", ".join(repr(w) for w in first.unsearchable)
        understood += f" (ignored {ignored}: no searchable word)"
    if parsed.tree is not None and not first.searched:
        understood += " (nothing to search for: showing every cable)"
    suggestion = None
    if first.searched and total < 5:
        suggestion = _suggest(engine, state, parsed, total)
    return SearchResults(
        state=state.with_page(page),
        hits=hits,
        total=total,
        page=page,
        pages=pages,
        facets={n: _facet(engine, state, n, c) for n, c in first.facets.items()},
        understood=understood.strip(),
        suggestion=suggestion,
        took_ms=(time.perf_counter() - started) * 1000,
    )


def _suggest(engine, state, parsed, total):
    q, changed = state.q, False
    words = []
    for node in positive_words(parsed.tree):
        if node.field in ("any", "text", "subject") and not (
            isinstance(node, Word) and node.prefix
        ):
            words += node.text.split() if isinstance(node, Phrase) else [node.text]
    words = [w for w in words if len(w) >= 3 and w.isalpha()]
    for word, found in engine.suggest(words).items():
        if found.closest_frequency > max(3, 10 * found.frequency):
            q = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", found.closest, q, count=1, flags=re.I)
            changed = True
    if not changed:
        return None
    return q if engine.count(criteria_of(state.with_query(q))) > total else None


class Marker:
    def __init__(self, highlighter) -> None:
        self.highlighter = highlighter

    def __bool__(self) -> bool:
        return bool(self.highlighter)

    def spans(self, *args, **kwargs):
        return self.highlighter.spans(*args, **kwargs)

    def mark(self, text: str, *, subject: bool = False) -> str:
        from html import escape

        parts, pos = [], 0
        for s, e, _ in self.highlighter.spans(text, subject=subject):
            parts += [escape(text[pos:s], quote=False), "<mark>"]
            parts += [escape(text[s:e], quote=False), "</mark>"]
            pos = e
        parts.append(escape(text[pos:], quote=False))
        return "".join(parts)


def install(cls) -> None:
    base_iter_ids, base_highlighter = cls.iter_ids, cls.highlighter

    def search_(self, state, *, page_size):
        return search(self, state, page_size=page_size)

    def facet_values(self, state, facet, prefix="", limit=300):
        if facet not in FACETS:
            return Facet(name=facet, label=facet, values=())
        request = FacetRequest(facet, None if prefix else max(1, min(limit, 5000)))
        pinned = (*state.values(facet), *state.excluded_values(facet))
        request = FacetRequest(request.name, request.limit, pinned, every=facet == "year")
        if facet == "year":
            request = FacetRequest(facet, None, pinned, every=True)
        found = self.match(MatchRequest(criteria_of(state), limit=0, facets=(request,)))
        return _facet(self, state, facet, found.facets[facet], prefix)

    def total_for(self, state):
        return self.count(criteria_of(state))

    def iter_ids(self, state, sort_or_limit, limit=None):
        if isinstance(state, Criteria):
            return base_iter_ids(self, state, sort_or_limit, limit)
        criteria = criteria_of(state)
        searched = self.match(MatchRequest(criteria, limit=0)).searched
        sort = state.sort if searched or state.sort != "relevance" else "newest"
        return base_iter_ids(self, criteria, sort, int(sort_or_limit))

    def highlighter(self, tree):
        if isinstance(tree, str):
            tree = parse(tree).tree
        return Marker(base_highlighter(self, tree))

    cls.search = search_
    cls.facet_values = facet_values
    cls.total_for = total_for
    cls.iter_ids = iter_ids
    cls.highlighter = highlighter
