"""The search pages: the HTML page (whole or its results region for htmx), its CSV and Atom twins,
the list of every value of one facet, the OpenSearch description and the query help.

Views parse the URL into a SearchState, ask the page builder (search/pages.py) and render; they
never see the engine.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from search import hydrate, pages
from search.atom import Atom1Feed
from search.exceptions import IndexUnavailable
from search.results import Facet, FacetValue, Hit, SearchResults
from search.spreadsheet import safe_cell
from search.state import ALL_OF_FACETS, FACET_LABELS, FACETS, PAGE_SIZES, SearchState

# Facets in the sidebar, in this order; the year facet is drawn as the histogram instead.
SIDEBAR_FACETS: tuple[str, ...] = (
    "tag",
    "country",
    "origin",
    "addressee",
    "signer",
    "class",
    "program",
    "org",
    "person",
)
CSV_BATCH = 500
ATOM_ENTRIES = 50
# The same URL answers with a page or a fragment depending on these request headers.
VARY = ["HX-Request", "HX-History-Restore-Request"]
PAGE_WINDOW = 2  # page links shown either side of the current page
SORT_LABELS = (
    ("relevance", "Relevance"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("added", "Recently added"),
)


# -- pieces of the page, computed here so templates stay simple -------------------------------


@dataclass(frozen=True, slots=True)
class Chip:
    facet_label: str
    label: str
    excluded: bool
    remove_url: str


@dataclass(frozen=True, slots=True)
class Bar:
    year: str
    count: int
    selected: bool
    url: str
    x: float
    width: float
    y: float
    height: float
    label: bool = False  # whether the year is written under the bar
    label_x: float = 0.0
    anchor: str = "middle"


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int | None  # None: a gap ("…")
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class FacetItem:
    value: FacetValue
    id: str  # stable across swaps, so htmx can put the focus back on the clicked value
    toggle_url: str
    exclude_url: str


@dataclass(frozen=True, slots=True)
class FacetGroup:
    name: str
    label: str
    values: list[FacetItem]
    active: str  # "2 selected, 1 excluded" ("" when nothing is chosen in this facet)
    has_more: bool
    more_url: str
    # "Any of" / "all of" switch for facets a cable holds several values of (ALL_OF_FACETS),
    # shown once two values are ticked: (any_url, all_url), the current one is all_of.
    mode_urls: tuple[str, str] | None = None
    all_of: bool = False


@dataclass(frozen=True, slots=True)
class HitRow:
    hit: Hit
    url: str  # the cable page, carrying the query (for highlights) and the first matching ¶
    base_url: str


HIST_HEIGHT = 80.0
HIST_WIDTH = 600.0  # drawing units; the SVG scales to the column width
HIST_MAX_BAR = 40.0
HIST_GAP = 3.0


class FacetLinks:
    """The toggle and exclude links of one facet's values, equal to ``state.toggle_url`` and
    ``state.exclude_url`` but without a new state and a whole query string per link.

    Those links differ from the state (on page 1) only in this facet's block of the canonical
    query string, so what comes before and after the block is encoded once per facet."""

    def __init__(self, state: SearchState, facet: str) -> None:
        self.selected = state.values(facet)
        self.excluded = state.excluded_values(facet)
        items = state.clearing(facet).query_items()
        ahead = {"q", *FACETS[: FACETS.index(facet)]}  # query_items lists q, then FACETS order
        cut = sum(1 for key, _ in items if key in ahead)
        encoded = [quote_plus(k) + "=" + quote_plus(v) for k, v in items]
        self._head, self._tail = encoded[:cut], encoded[cut:]
        self._key = quote_plus(facet) + "="

    def _url(self, selected: Iterable[str], excluded: Iterable[str]) -> str:
        key = self._key
        parts = [
            *self._head,
            *(key + quote_plus(v) for v in selected),
            *(key + quote_plus("-" + v) for v in excluded),
            *self._tail,
        ]
        return "/search?" + "&".join(parts) if parts else "/search"

    def toggle_url(self, value: str) -> str:
        if value in self.selected or value in self.excluded:  # removing
            return self._url(
                (v for v in self.selected if v != value), (v for v in self.excluded if v != value)
            )
        return self._url((*self.selected, value), self.excluded)  # adding

    def exclude_url(self, value: str) -> str:
        return self._url(
            (v for v in self.selected if v != value), dict.fromkeys((*self.excluded, value))
        )


def _has_duplicates(state: SearchState) -> bool:
    # adding/excluding drop repeated pairs anywhere in the state; FacetLinks keeps the other
    # facets as they are, so states from_query never builds (repeats) take the slow path.
    return len(set(state.selected)) != len(state.selected) or len(set(state.excluded)) != len(
        state.excluded
    )


def facet_items(state: SearchState, facet: Facet, id_prefix: str = "fv") -> list[FacetItem]:
    if _has_duplicates(state):
        toggle = partial(state.toggle_url, facet.name)
        exclude = partial(state.exclude_url, facet.name)
    else:
        links = FacetLinks(state, facet.name)
        toggle, exclude = links.toggle_url, links.exclude_url
    return [
        FacetItem(
            value=v,
            id=f"{id_prefix}-{facet.name}-{_slug(v.value)}",
            toggle_url=toggle(v.value),
            exclude_url=exclude(v.value),
        )
        for v in facet.values
    ]


def _slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-") or "x"


def facet_groups(state: SearchState, results: SearchResults) -> list[FacetGroup]:
    groups = []
    for name in SIDEBAR_FACETS:
        facet = results.facets.get(name)
        chosen, excluded = len(state.values(name)), len(state.excluded_values(name))
        active = ", ".join(
            f"{n} {word}" for n, word in ((chosen, "selected"), (excluded, "excluded")) if n
        )
        if facet is None or not (facet.values or active):
            continue  # nothing to choose from and nothing chosen: leave it out
        groups.append(
            FacetGroup(
                name=name,
                label=facet.label or FACET_LABELS[name],
                values=facet_items(state, facet),
                active=active,
                has_more=facet.has_more,
                more_url=state.with_page(1).url(f"/search/facets/{name}"),
                mode_urls=(
                    (state.all_of_url(name, on=False), state.all_of_url(name))
                    if name in ALL_OF_FACETS and (chosen >= 2 or state.is_all_of(name))
                    else None
                ),
                all_of=state.is_all_of(name),
            )
        )
    return groups


def hit_rows(state: SearchState, results: SearchResults) -> list[HitRow]:
    rows = []
    query = "?" + urlencode({"q": state.q}) if state.q else ""
    for hit in results.hits:
        base = f"/cables/{quote(hit.id)}/{query}"
        para = next((s.paragraph for s in hit.snippets if s.paragraph >= 0), None)
        rows.append(HitRow(hit, base + (f"#p{para}" if para is not None else ""), base))
    return rows


def _labels(results: SearchResults) -> dict[tuple[str, str], str]:
    return {
        (facet.name, v.value): v.label for facet in results.facets.values() for v in facet.values
    }


def chips_for(state: SearchState, results: SearchResults) -> list[Chip]:
    """The active filters as removable chips, in URL order (excluded ones last per facet)."""
    labels = _labels(results)
    chips = [
        Chip(FACET_LABELS[f], labels.get((f, v), v), False, state.remove_url(f, v))
        for f, v in state.selected
    ]
    chips += [
        Chip(FACET_LABELS[f], labels.get((f, v), v), True, state.remove_url(f, v))
        for f, v in state.excluded
    ]
    if state.date_from:
        chips.append(Chip("From", state.date_from.isoformat(), False, state.clearing("from").url()))
    if state.date_to:
        chips.append(Chip("To", state.date_to.isoformat(), False, state.clearing("to").url()))
    if state.added:
        chips.append(Chip("Added", state.added_label, False, state.clearing("added").url()))
    return chips


def histogram_for(state: SearchState, facet: Facet | None) -> list[Bar]:
    """One bar per year from the first to the last year with cables (empty years included)."""
    if facet is None or not facet.values:
        return []
    counts: dict[int, tuple[int, bool]] = {}
    for v in facet.values:
        if v.value.isdigit():
            counts[int(v.value)] = (v.count, v.selected)
    # The result's own years (and a chosen one): a 2005-2010 result uses the whole width.
    shown = [y for y, (c, selected) in counts.items() if c or selected]
    if not any(c for c, _ in counts.values()):
        return []
    top = max(c for c, _ in counts.values()) or 1
    years = range(min(shown), max(shown) + 1)
    bar = min(HIST_MAX_BAR, HIST_WIDTH / len(years) - HIST_GAP)
    bars = []
    every = 1 if bar >= 26 else 5 if bar >= 6 else 10
    for i, year in enumerate(years):
        count, selected = counts.get(year, (0, False))
        first, last = i == 0, i == len(years) - 1
        x = round(i * (bar + HIST_GAP), 1)
        if first or (last and len(years) > 1):
            labelled, anchor, label_x = True, "start" if first else "end", x if first else x + bar
        else:
            near_end = min(i, len(years) - 1 - i) * (bar + HIST_GAP) < 30
            labelled = (selected or year % every == 0) and not near_end
            anchor, label_x = "middle", x + bar / 2
        height = round(HIST_HEIGHT * count / top, 1) if count else 0.0
        if count and height < 2:
            height = 2.0  # a year with a few cables must still show
        bars.append(
            Bar(
                year=str(year),
                count=count,
                selected=selected,
                url=state.only("year", str(year)).url(),
                x=x,
                width=round(bar, 1),
                y=HIST_HEIGHT - height,
                height=height,
                label=labelled,
                label_x=round(label_x, 1),
                anchor=anchor,
            )
        )
    return bars


def pages_for(state: SearchState, results: SearchResults) -> list[PageLink]:
    last = results.pages
    if last <= 1:
        return []
    shown = {1, last, *range(results.page - PAGE_WINDOW, results.page + PAGE_WINDOW + 1)}
    links: list[PageLink] = []
    previous = 0
    for n in sorted(p for p in shown if 1 <= p <= last):
        if n - previous > 1:
            links.append(PageLink(None, "", False))
        links.append(PageLink(n, state.page_url(n), n == results.page))
        previous = n
    return links


def _alternates(state: SearchState) -> list[tuple[str, str, str]]:
    qs = state.querystring()
    return [
        ("application/json", "/search.json" + qs, "JSON"),
        ("text/csv", "/search.csv" + state.querystring(page=False), "CSV"),
        ("application/atom+xml", "/search.atom" + state.with_sort("newest").querystring(), "Atom"),
    ]


def _unavailable(request: HttpRequest, error: IndexUnavailable) -> HttpResponse:
    template = "search/unavailable.html"
    if _wants_partial(request):
        template += "#message"
    response = render(request, template, {"error": str(error)}, status=503)
    patch_vary_headers(response, VARY)
    response["Retry-After"] = "60"
    return response


def _wants_partial(request: HttpRequest) -> bool:
    # htmx sends HX-Request on history restores too; those must get the whole page or Back
    # would show a bare fragment.
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


# -- views -----------------------------------------------------------------------------------


def search_page(request: HttpRequest) -> HttpResponse:
    state = SearchState.from_query(request.GET)
    page_size = state.size or settings.CABLESEARCH_PAGE_SIZE
    try:
        results = pages.search(state, page_size=page_size)
    except IndexUnavailable as error:
        return _unavailable(request, error)

    partial = _wants_partial(request)
    context = {
        "state": state,
        "results": results,
        "sidebar": facet_groups(state, results),
        "hits": hit_rows(state, results),
        "first_rank": results.first_rank,
        "chips": chips_for(state, results),
        "bars": histogram_for(state, results.facets.get("year")),
        "hist_width": HIST_WIDTH,
        "hist_height": HIST_HEIGHT,
        "page_links": pages_for(state, results),
        "previous_url": state.page_url(results.page - 1) if results.page > 1 else "",
        "next_url": state.page_url(results.page + 1) if results.page < results.pages else "",
        "page_sizes": [(n, state.with_size(n).url(), n == page_size) for n in PAGE_SIZES],
        "alternates": _alternates(state),
        # Without words there is no relevance: the page builder lists newest first.
        "sorts": [
            (key, label, state.sort_url(key))
            for key, label in SORT_LABELS
            if results.ranked or key != "relevance"
        ],
        "current_sort": results.sort,
        "suggestion_url": state.with_query(results.suggestion).url() if results.suggestion else "",
        "clear_url": state.clearing().url(),
        "hidden_filters": [
            (k, v) for k, v in state.query_items(page=False) if k in FACETS or k == "all"
        ]
        + ([("added", state.added)] if state.added else [])
        + ([("size", str(state.size))] if state.size else [])
        + ([("sort", state.sort)] if state.sort != "relevance" else []),
        "partial": partial,
    }
    if context["bars"]:
        context["hist_first"] = context["bars"][0].year
        context["hist_last"] = context["bars"][-1].year
    if partial:
        response = render(request, "search/index.html#results", context)
        # The URL in the address bar is always the canonical one. Typing in the box replaces the
        # history entry; everything else (submit, facets, paging) adds one.
        header = "HX-Replace-Url" if request.htmx.trigger == "q" else "HX-Push-Url"
        response[header] = state.url()
    else:
        response = render(request, "search/index.html", context)
    patch_vary_headers(response, VARY)
    return response


def facet_values(request: HttpRequest, facet: str) -> HttpResponse:
    """Every value of one facet for this search (the "more" list), with a filter box."""
    if facet not in FACETS:
        raise Http404("No such filter.")
    state = SearchState.from_query(request.GET)
    prefix = " ".join(request.GET.get("prefix", "").split())[:100]
    try:
        values = pages.facet_values(state, facet, prefix=prefix)
    except IndexUnavailable as error:
        return _unavailable(request, error)
    context = {
        "state": state,
        "facet": values,
        "items": facet_items(state, values, "fm"),
        "facet_name": facet,
        # The standalone page has no results region to swap: its links are plain links.
        "plain": not _wants_partial(request),
        "prefix": prefix,
        "hidden_filters": state.query_items(page=False),
        "back_url": state.url(),
    }
    template = "search/facet.html#facet-list" if _wants_partial(request) else "search/facet.html"
    response = render(request, template, context)
    patch_vary_headers(response, VARY)
    return response


class _Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


def _csv_rows(request: HttpRequest, first: list[str], rest: Iterator[str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(["id", "date", "origin", "classification", "tags", "subject", "url"])
    base = request.build_absolute_uri("/")[:-1]
    batch = first
    while batch:
        cables = hydrate.cable_rows(batch)
        for cable_id in batch:
            cable = cables.get(cable_id)
            if cable is None:  # deleted since the index was written
                continue
            row = [
                cable_id,
                cable["date"].date().isoformat() if cable["date"] else "",
                cable["origin"],
                cable["classification"],
                " ".join(cable["tags"]),
                cable["subject"],
                base + reverse("cables:detail", args=[cable_id]),
            ]
            yield writer.writerow([safe_cell(value) for value in row])
        batch = [cable_id for _, cable_id in zip(range(CSV_BATCH), rest, strict=False)]


def search_csv(request: HttpRequest) -> HttpResponse:
    """Every matching cable (up to CABLESEARCH_CSV_MAX_ROWS), streamed, in the search's order."""
    state = SearchState.from_query(request.GET)
    try:
        ids = iter(pages.iter_ids(state, settings.CABLESEARCH_CSV_MAX_ROWS))
        # Read the first batch now, so a broken index still gives a proper error page.
        first = [cable_id for _, cable_id in zip(range(CSV_BATCH), ids, strict=False)]
    except IndexUnavailable as error:
        return _unavailable(request, error)
    response = StreamingHttpResponse(
        _csv_rows(request, first, ids), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="cables.csv"'
    return response


def search_atom(request: HttpRequest) -> HttpResponse:
    """The newest matching cables as an Atom feed (a feed reader can follow any search)."""
    state = SearchState.from_query(request.GET).with_sort("newest")
    try:
        results = pages.search(state, page_size=ATOM_ENTRIES)
    except IndexUnavailable as error:
        return _unavailable(request, error)
    title = "cablesearch"
    if results.understood or state.has_filters:
        title += ": " + (results.understood or "filtered cables")
    feed = Atom1Feed(
        title=title,
        link=request.build_absolute_uri(state.url()),
        description=f"{results.total} matching cables, newest first",
        feed_url=request.build_absolute_uri(request.get_full_path()),
        language="en",
        feed_guid=request.build_absolute_uri(state.url()),
    )
    from cables.models import Cable

    # Atom needs an updated time on every entry: when the library last changed the cable.
    changed = dict(
        Cable.objects.filter(pk__in=[h.id for h in results.hits]).values_list("id", "last_imported")
    )
    for hit in results.hits[:ATOM_ENTRIES]:
        url = request.build_absolute_uri(f"/cables/{hit.id}/")
        summary = " … ".join(strip_tags(s.html) for s in hit.snippets) or hit.subject
        feed.add_item(
            title=f"{hit.id}: {hit.subject}" if hit.subject else hit.id,
            link=url,
            unique_id=url,
            description=summary,
            pubdate=hit.date,
            updateddate=changed.get(hit.id) or hit.date,
            categories=list(hit.tags),
            author_name=hit.origin or None,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def opensearch(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/")[:-1]
    return render(
        request,
        "search/opensearch.xml",
        {"base": base},
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )


HELP_FILE = Path(settings.BASE_DIR) / "docs" / "search.md"


@cache
def _help_html(mtime: float) -> str:
    import markdown

    text = HELP_FILE.read_text(encoding="utf-8")
    # docs/search.md is ours (in the repository), not user input.
    return markdown.markdown(text, extensions=["tables", "fenced_code", "toc"])


def help_page(request: HttpRequest) -> HttpResponse:
    """The query syntax, rendered from docs/search.md so the page and the docs never differ."""
    try:
        html = _help_html(HELP_FILE.stat().st_mtime)
    except FileNotFoundError:
        html = ""
    return render(request, "search/help.html", {"help_html": mark_safe(html)})  # noqa: S308
