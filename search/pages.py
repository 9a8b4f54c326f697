"""The page builder: the one place a SearchState becomes what a page shows, whatever the engine.

    search(state, page_size=None) -> SearchResults    facet_values(state, facet, prefix, limit)
    total_for(state) -> int                            iter_ids(state, limit) -> Iterator[str]
    highlighter(q) -> Marker                           clamp_page_size(requested) -> int

The HTML page, /search.json, the CSV, the Atom feeds and saved searches all call these and only
render. Every page policy is written here once: the engine's criteria and sort from the state
(relevance needs words), page size and page clamping, facet labels from the database, pinning of
chosen and excluded values, year order, the "understood" text, when to offer "did you mean",
hydration of hits from the database, snippets (search/snippets.py escapes them) and a result
cache keyed by the engine's generation. The engine (search/backends/base.py) only matches,
counts, suggests and highlights.

User input never raises here; a missing or damaged index raises search.exceptions.IndexUnavailable.
A query needing a feature the engine lacks (search.exceptions.Unsupported) finds nothing and
says why in the understood text.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from django.conf import settings

from search import hydrate
from search.backends.base import (
    BaseSearchBackend,
    Criteria,
    FacetCounts,
    FacetRequest,
    Match,
    MatchRequest,
)
from search.exceptions import Unsupported
from search.query import Node, Parsed, correctable_words, marking_of, parse, replace_words
from search.results import Facet, FacetValue, Hit, SearchResults
from search.service import get_backend
from search.snippets import Marker, snippets
from search.state import FACET_LABELS, FACETS, SearchState

FACET_TOP = 15  # values per facet in the sidebar
FACET_MORE = 300  # values in a facet's "more" list
FACET_MORE_MAX = 5000
MAX_PAGE_SIZE = 200
SUGGEST_BELOW = 5  # offer "did you mean" when a query finds fewer cables than this
# Whole results kept per process: a reload, back button or second visitor asking the same page
# of the same index generation gets it without matching, ranking or hydrating again.
RESULTS_CACHE = 256


# -- the rules -----------------------------------------------------------------------------------


def clamp_page_size(requested: object = None) -> int:
    """Hits per page: ``requested`` (a URL's ``size``, a feed's entry count) or else the
    CABLESEARCH_PAGE_SIZE setting, within 1..200. Unreadable, empty or 0 means the setting."""
    try:
        size = int(requested) if requested not in (None, "") else 0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        size = 0
    if not size:
        size = int(getattr(settings, "CABLESEARCH_PAGE_SIZE", 20))
    return max(1, min(size, MAX_PAGE_SIZE))


def sort_for(requested: str, searched: bool) -> str:
    """The order hits are listed in. Relevance needs words to rank by: without them (no query,
    filters only, or nothing searchable such as "§") the hits are newest first, and the page
    says so. Engines list relevance ties newest first, so both sides of this agree."""
    return "newest" if requested == "relevance" and not searched else requested


def criteria_for(state: SearchState, tree: Node | None, now: datetime | None = None) -> Criteria:
    """The engine's question for ``state``; a relative ``added`` (7d) counts back from ``now``
    (this minute when None), resolved here once so the result cache can key on it."""
    now = now or datetime.now(UTC).replace(second=0, microsecond=0)
    added = state.added_window(now)
    return Criteria(
        tree=tree,
        include=state.selected,
        exclude=state.excluded,
        date_from=state.date_from,
        date_to=state.date_to,
        all_of=state.all_of,
        added_from=added[0],
        added_to=added[1],
    )


def understood_text(parsed: Parsed, found: Match | None, refused: str = "") -> str:
    """The query as it was read, in words a user can check."""
    text = parsed.understood
    if found is not None:
        if found.unsearchable:
            ignored = ", ".join(repr(w) for w in found.unsearchable)
            text += f" (ignored {ignored}: no searchable word)"
        for note in found.notes:
            text += f" ({note})"
        if parsed.tree is not None and not found.searched:
            text += " (nothing to search for: showing every cable)"
    if refused:
        text += f" ({refused})"
    return text.strip()


# -- what is kept per engine ----------------------------------------------------------------------


@dataclass
class _Memo:
    """Per engine: whole results and facet labels, both of one engine generation."""

    results: OrderedDict = field(default_factory=OrderedDict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    labels_of: Hashable = None  # the generation the labels were read for
    lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key: tuple) -> SearchResults | None:
        with self.lock:
            found = self.results.get(key)
            if found is not None:
                self.results.move_to_end(key)
            return found

    def keep(self, key: tuple, results: SearchResults) -> None:
        size = int(getattr(settings, "CABLESEARCH_RESULTS_CACHE", RESULTS_CACHE))
        if size <= 0:
            return
        with self.lock:
            self.results[key] = results
            while len(self.results) > size:
                self.results.popitem(last=False)

    def labels_for(
        self, generation: Hashable | None, facet: str, values: Iterable[str]
    ) -> dict[str, str]:
        """Display labels, looked up once per generation (imports add tag names)."""
        with self.lock:
            if generation is None or generation != self.labels_of:
                self.labels, self.labels_of = {}, generation
            cache = self.labels.setdefault(facet, {})
        missing = [v for v in dict.fromkeys(values) if v not in cache]
        if missing:
            cache.update(hydrate.labels(facet, missing))
        return cache


_memos: weakref.WeakKeyDictionary[BaseSearchBackend, _Memo] = weakref.WeakKeyDictionary()
_memos_lock = threading.Lock()


def _memo(engine: BaseSearchBackend) -> _Memo:
    memo = _memos.get(engine)
    if memo is None:
        with _memos_lock:
            memo = _memos.setdefault(engine, _Memo())
    return memo


# -- the pages ------------------------------------------------------------------------------------


def search(state: SearchState, *, page_size: int | None = None) -> SearchResults:
    """One page of results with facets, understood text and suggestion."""
    started = time.perf_counter()
    engine = get_backend()
    size = clamp_page_size(page_size)
    memo = _memo(engine)
    generation = engine.generation()
    # A commit, deletion or rebuild changes the generation, so a kept result never outlives
    # the index it was read from.
    # A relative added= window moves with the clock: the key holds it resolved to the minute.
    asked = state.querystring()
    if state.added:
        window = criteria_for(state, None)
        asked += f"#added={window.added_from}..{window.added_to}"
    key = None if generation is None else (generation, asked, size)
    if key is not None:
        cached = memo.cached(key)
        if cached is not None:
            return replace(cached, took_ms=(time.perf_counter() - started) * 1000)
    results = _search(engine, memo, generation, state, size, started)
    if key is not None:
        memo.keep(key, results)
    return results


def _facet_requests(engine: BaseSearchBackend, state: SearchState) -> tuple[FacetRequest, ...]:
    if not engine.supports_facets:
        return ()
    return tuple(
        FacetRequest(
            name,
            limit=None if name == "year" else FACET_TOP,
            pinned=(*state.values(name), *state.excluded_values(name)),
            every=name == "year",  # the histogram shows empty years too
        )
        for name in FACETS
    )


def _search(
    engine: BaseSearchBackend,
    memo: _Memo,
    generation: Hashable | None,
    state: SearchState,
    size: int,
    started: float,
) -> SearchResults:
    parsed = parse(state.q)
    request = MatchRequest(
        criteria_for(state, parsed.tree),
        sort=sort_for(state.sort, parsed.tree is not None),
        offset=(state.page - 1) * size,
        limit=size,
        facets=_facet_requests(engine, state),
    )
    try:
        engine.validate(request)
        found = engine.match(request)
    except Unsupported as error:
        return SearchResults(
            state=state.with_page(1),
            hits=(),
            total=0,
            page=1,
            pages=1,
            understood=understood_text(parsed, None, str(error)),
            took_ms=(time.perf_counter() - started) * 1000,
            page_size=size,
        )
    pages = max(1, math.ceil(found.total / size))
    page = min(state.page, pages)
    ids, scores = found.ids, found.scores
    if page != state.page:  # past the end: show the last page
        last = engine.match(replace(request, offset=(page - 1) * size, facets=()))
        ids, scores = last.ids, last.scores
    facets = {
        f.name: _facet(memo, generation, state, found.facets[f.name])
        for f in request.facets
        if f.name in found.facets
    }
    suggestion = None
    if found.searched and found.total < SUGGEST_BELOW and engine.supports_suggestions:
        suggestion = _suggest(engine, state, parsed, found.total)
    return SearchResults(
        state=state.with_page(page),
        hits=_hits(engine, parsed.tree, ids, scores),
        total=found.total,
        page=page,
        pages=pages,
        facets=facets,
        understood=understood_text(parsed, found),
        suggestion=suggestion,
        took_ms=(time.perf_counter() - started) * 1000,
        sort=sort_for(state.sort, found.searched),
        ranked=found.searched,
        page_size=size,
    )


def _facet(
    memo: _Memo,
    generation: Hashable | None,
    state: SearchState,
    counts: FacetCounts,
    *,
    prefix: str = "",
    limit: int = FACET_TOP,
) -> Facet:
    """A facet as the page shows it: labels, chosen and excluded values pinned (listed even when
    outside the top), years in order; ``prefix`` keeps values whose code or label has it."""
    name = counts.name
    selected, excluded = state.values(name), state.excluded_values(name)
    pinned = [*selected, *excluded]
    count_of = dict(counts.values)
    values = [v for v, _ in counts.values]
    label_of = memo.labels_for(generation, name, [*values, *pinned])
    has_more = counts.has_more
    if prefix:
        needle = prefix.strip().lower()
        values = [
            v for v in values if v.lower().startswith(needle) or needle in label_of[v].lower()
        ]
        if name != "year":
            has_more = len(values) > limit
            values = values[:limit]
        values += [v for v in pinned if v not in values]
    if name == "year":
        values.sort()
    return Facet(
        name=name,
        label=FACET_LABELS[name],
        values=tuple(
            FacetValue(
                value=v,
                label=label_of.get(v, v),
                count=count_of.get(v, 0),
                selected=v in selected,
                excluded=v in excluded,
            )
            for v in values
        ),
        has_more=has_more,
    )


def _hits(
    engine: BaseSearchBackend, tree: Node | None, ids: tuple[str, ...], scores: tuple[float, ...]
) -> tuple[Hit, ...]:
    ids_list = list(ids)
    rows = hydrate.cable_rows(ids_list)
    highlighter = engine.highlighter(tree) if engine.supports_snippets else None
    # marking:S: passages come only from the paragraphs the words were matched in.
    marking = marking_of(tree)
    # An engine's highlighter may name the strings every match starts with (Whoosh's does):
    # then only paragraphs holding one are loaded, so a giant cable costs a page no more than
    # a few dozen paragraphs. Without them every paragraph of the hits is read.
    starts = getattr(highlighter, "starts", ())
    paras = (
        hydrate.paragraphs_of(ids_list, marking=marking, containing=starts) if highlighter else {}
    )
    hits = []
    for cable_id, score in zip(ids, scores, strict=True):
        row = rows.get(cable_id)
        if row is None:  # deleted from the database a moment ago; the index follows
            continue
        hits.append(
            Hit(
                id=cable_id,
                subject=row["subject"],
                date=row["date"],
                origin=row["origin"],
                classification=row["classification"],
                tags=tuple(row["tags"]),
                snippets=snippets(highlighter, row["subject"], paras.get(cable_id, [])),
                score=score,
                added=row.get("first_imported"),
            )
        )
    return tuple(hits)


def _suggest(
    engine: BaseSearchBackend, state: SearchState, parsed: Parsed, total: int
) -> str | None:
    """A corrected query when a word most cables spell otherwise is a typo and fixing it finds
    more cables. The words come from the query as typed and are replaced there
    (search.query.correctable_words / replace_words): never a field name, a code, an id."""
    if parsed.tree is None:
        return None
    words = [w for w in correctable_words(state.q) if len(w) >= 3]
    if not words:
        return None
    found = engine.suggest(words)
    # A word most cables spell otherwise is a typo even if a few cables share it.
    fixes = {
        word: near.closest
        for word, near in found.items()
        if near.closest_frequency > max(3, 10 * near.frequency)
    }
    q = replace_words(state.q, fixes) if fixes else state.q
    if q == state.q:
        return None
    better = engine.count(criteria_for(state, parse(q).tree))
    return q if better > total else None


def facet_values(
    state: SearchState, facet: str, prefix: str = "", limit: int = FACET_MORE
) -> Facet:
    """Every value of one facet for this search (its "more" list), at most ``limit``, those
    whose code or label has ``prefix`` when it is given."""
    if facet not in FACETS:
        return Facet(name=facet, label=facet, values=())
    engine = get_backend()
    if not engine.supports_facets:
        return Facet(name=facet, label=FACET_LABELS[facet], values=())
    limit = max(1, min(limit, FACET_MORE_MAX))
    parsed = parse(state.q)
    # With a prefix every value is read, then filtered by label here (labels are not the
    # engine's), then cut at the limit.
    whole = bool(prefix) or facet == "year"
    wanted = FacetRequest(
        facet,
        limit=None if whole else limit,
        pinned=() if prefix else (*state.values(facet), *state.excluded_values(facet)),
        every=facet == "year",
    )
    request = MatchRequest(criteria_for(state, parsed.tree), limit=0, facets=(wanted,))
    generation = engine.generation()
    try:
        engine.validate(request)
        counts = engine.match(request).facets[facet]
    except Unsupported:
        return Facet(name=facet, label=FACET_LABELS[facet], values=())
    return _facet(_memo(engine), generation, state, counts, prefix=prefix, limit=limit)


def total_for(state: SearchState) -> int:
    engine = get_backend()
    criteria = criteria_for(state, parse(state.q).tree)
    try:
        engine.validate(criteria)
        return engine.count(criteria)
    except Unsupported:
        return 0


def iter_ids(state: SearchState, limit: int) -> Iterator[str]:
    """The first ``limit`` matching ids in the page's order (CSV, feeds, saved searches)."""
    engine = get_backend()
    tree = parse(state.q).tree
    criteria = criteria_for(state, tree)
    try:
        engine.validate(criteria)
    except Unsupported:
        return iter(())
    return engine.iter_ids(criteria, sort_for(state.sort, tree is not None), limit)


def highlighter(q: str) -> Marker:
    """What marks query ``q``'s words in a cable's text, as the snippets of a search mark them."""
    engine = get_backend()
    tree = parse(q).tree
    return Marker(
        engine.highlighter(tree) if engine.supports_snippets else None, marking=marking_of(tree)
    )
