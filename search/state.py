"""SearchState: one immutable value for everything a search page shows.

Views parse the request into a SearchState, hand it to the search service and render what comes
back. Every link on the page (add or remove a facet value, exclude it, page n, sort by) is built
here, so the URL of every result page is canonical and can be bookmarked.

URL keys: ``q``, the facet keys in FACETS (repeatable; a value prefixed with ``-`` excludes it),
``all`` (repeatable: a facet of ALL_OF_FACETS whose ticked values must all hold, instead of any
of them), ``from``, ``to`` (YYYY-MM-DD), ``added`` (when the cable reached this library: ``7d``, ``24h``,
an instant ``2026-12-01T10:00:00Z`` meaning "after it", or ``A..B`` between two instants),
``sort`` (relevance, newest, oldest, added), ``size`` (results per page, one of PAGE_SIZES),
``page``. Unknown keys are ignored; bad values are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

FACETS: tuple[str, ...] = (
    "tag",
    "country",
    "program",
    "org",
    "person",
    "origin",
    "addressee",
    "signer",
    "class",
    "year",
)
FACET_LABELS: dict[str, str] = {
    "tag": "Subject",
    "country": "Country",
    "program": "Program",
    "org": "Organization",
    "person": "Person",
    "origin": "Origin",
    "addressee": "Sent to",
    "signer": "Signed by",
    "class": "Classification",
    "year": "Year",
}
# Facets a cable holds several values of: only there can "all of" differ from "any of".
ALL_OF_FACETS: tuple[str, ...] = ("tag", "country", "program", "org", "person", "addressee")
SORTS: tuple[str, ...] = ("relevance", "newest", "oldest", "added")
DEFAULT_SORT = "relevance"
PAGE_SIZES: tuple[int, ...] = (10, 20, 50, 100)
MAX_QUERY_CHARS = 5000
MAX_PAGE = 10_000
MAX_VALUES_PER_FACET = 50
MAX_VALUE_CHARS = 200

_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9 ,.()'/&-]*$")
_YEAR_RE = re.compile(r"^(19|20)\d\d$")


def _clean_value(facet: str, raw: str) -> str | None:
    """Normalise one facet value, or None when it can never match anything."""
    value = " ".join(raw.split())[:MAX_VALUE_CHARS]
    if not value:
        return None
    if facet == "year":
        return value if _YEAR_RE.match(value) else None
    if facet in ("origin", "addressee"):
        return value  # a display label such as "Embassy Moscow": keep its case
    value = value.upper()
    return value if _CODE_RE.match(value) else None


_RELATIVE_RE = re.compile(r"^([1-9]\d{0,4})([dh])$")
MAX_RELATIVE_HOURS = 24 * 3660  # ten years


def _instant(raw: str) -> datetime | None:
    """An ISO instant, read as UTC when it names no zone; None when it is not one."""
    try:
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _stamp(when: datetime) -> str:
    # Microseconds kept when there are any: "new since I last opened it" must be exact.
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if when.microsecond else "%Y-%m-%dT%H:%M:%SZ")


def _clean_added(raw: str) -> str:
    """The canonical ``added`` value, or "" when it is not one."""
    raw = raw.strip()[:80]
    if not raw:
        return ""
    relative = _RELATIVE_RE.match(raw.lower())
    if relative:
        hours = int(relative[1]) * (24 if relative[2] == "d" else 1)
        return f"{relative[1]}{relative[2]}" if hours <= MAX_RELATIVE_HOURS else ""
    lo_raw, dots, hi_raw = raw.partition("..")
    lo = _instant(lo_raw) if lo_raw else None
    hi = _instant(hi_raw) if hi_raw else None
    if (lo_raw and lo is None) or (hi_raw and hi is None) or (lo is None and hi is None):
        return ""
    if lo and hi and lo > hi:
        lo, hi = hi, lo
    if not dots:
        return _stamp(lo)
    return f"{_stamp(lo) if lo else ''}..{_stamp(hi) if hi else ''}"


def _parse_date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class SearchState:
    q: str = ""
    # (facet, value) pairs in canonical order: facets in FACETS order, values in URL order.
    selected: tuple[tuple[str, str], ...] = ()
    excluded: tuple[tuple[str, str], ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    added: str = ""  # canonical ``added`` value (see _clean_added); "" for any time
    sort: str = DEFAULT_SORT
    size: int = 0  # results per page; 0: the site's default (CABLESEARCH_PAGE_SIZE)
    page: int = 1
    # Facets whose ticked values must all hold (AND), in FACETS order; the others take any.
    all_of: tuple[str, ...] = ()

    # -- parsing ---------------------------------------------------------------------------

    @classmethod
    def from_query(cls, params: Mapping[str, object]) -> SearchState:
        """Build a state from a QueryDict (or any mapping of key to value or list of values)."""

        def getlist(key: str) -> list[str]:
            if hasattr(params, "getlist"):
                return [str(v) for v in params.getlist(key)]
            value = params.get(key)
            if value is None:
                return []
            if isinstance(value, (list, tuple)):
                return [str(v) for v in value]
            return [str(value)]

        def first(key: str) -> str:
            values = getlist(key)
            return values[0] if values else ""

        q = " ".join(first("q").split())[:MAX_QUERY_CHARS]
        selected: list[tuple[str, str]] = []
        excluded: list[tuple[str, str]] = []
        for facet in FACETS:
            seen: set[str] = set()
            for raw in getlist(facet)[: MAX_VALUES_PER_FACET * 2]:
                # Strip first: " -x" must not become a selected "-x", which its own link would
                # read back as an exclusion.
                raw = raw.strip()
                negative = raw.startswith("-")
                value = _clean_value(facet, raw[1:] if negative else raw)
                if value is None or value in seen:
                    continue
                seen.add(value)
                (excluded if negative else selected).append((facet, value))
        sort = first("sort")
        try:
            page = int(first("page") or 1)
        except ValueError:
            page = 1
        wanted_all = {v.strip().lower() for v in getlist("all")[: len(FACETS)]}
        all_of = tuple(f for f in FACETS if f in wanted_all and f in ALL_OF_FACETS)
        size = first("size").strip()
        # ASCII digits, and few of them: int() refuses "²" and numbers of over 4,300 digits.
        readable = size.isascii() and size.isdigit() and len(size) <= 4
        size = int(size) if readable and int(size) in PAGE_SIZES else 0
        date_from, date_to = _parse_date(first("from")), _parse_date(first("to"))
        if date_from and date_to and date_from > date_to:
            date_from, date_to = date_to, date_from
        return cls(
            q=q,
            selected=tuple(selected),
            excluded=tuple(excluded),
            date_from=date_from,
            date_to=date_to,
            added=_clean_added(first("added")),
            sort=sort if sort in SORTS else DEFAULT_SORT,
            size=size,
            page=min(max(page, 1), MAX_PAGE),
            all_of=all_of,
        )

    # -- reading ---------------------------------------------------------------------------

    def values(self, facet: str) -> tuple[str, ...]:
        return tuple(v for f, v in self.selected if f == facet)

    def excluded_values(self, facet: str) -> tuple[str, ...]:
        return tuple(v for f, v in self.excluded if f == facet)

    def is_selected(self, facet: str, value: str) -> bool:
        return (facet, value) in self.selected

    def is_excluded(self, facet: str, value: str) -> bool:
        return (facet, value) in self.excluded

    def is_all_of(self, facet: str) -> bool:
        """True when this facet's ticked values must all hold (AND), not any of them (OR)."""
        return facet in self.all_of

    @property
    def has_filters(self) -> bool:
        return bool(self.selected or self.excluded or self.date_from or self.date_to or self.added)

    def added_window(self, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
        """(after, until) of ``added`` as instants; a relative value counts back from ``now``.

        A cable is in the window when it was first imported after ``after`` (strictly: "new
        since I last looked") and at or before ``until``."""
        if not self.added:
            return None, None
        relative = _RELATIVE_RE.match(self.added)
        if relative:
            n = int(relative[1])
            span = timedelta(days=n) if relative[2] == "d" else timedelta(hours=n)
            return (now or datetime.now(UTC)) - span, None
        lo, _, hi = self.added.partition("..")
        return (_instant(lo) if lo else None), (_instant(hi) if hi else None)

    @property
    def added_label(self) -> str:
        """How a chip names the ``added`` filter: "added in the last 7 days"."""
        relative = _RELATIVE_RE.match(self.added)
        if relative:
            n, unit = int(relative[1]), "day" if relative[2] == "d" else "hour"
            return f"added in the last {n} {unit}{'s' if n != 1 else ''}"
        lo, hi = self.added_window()
        shown = [
            f"after {lo:%Y-%m-%d %H:%M} UTC" if lo else "",
            f"until {hi:%Y-%m-%d %H:%M} UTC" if hi else "",
        ]
        return "added " + " ".join(p for p in shown if p)

    @property
    def is_empty(self) -> bool:
        """True when nothing narrows the library: the page shows everything."""
        return not self.q and not self.has_filters

    def filters(self) -> dict[str, dict[str, list[str]]]:
        """The filters as data: {"tag": {"include": [...], "exclude": [...]}, ...}."""
        out: dict[str, dict[str, list[str]]] = {}
        for facet in FACETS:
            inc, exc = self.values(facet), self.excluded_values(facet)
            if inc or exc:
                out[facet] = {"include": list(inc), "exclude": list(exc)}
        return out

    # -- deriving new states (every change but paging goes back to page 1) -----------------

    def _changed(self, **changes: object) -> SearchState:
        changes.setdefault("page", 1)
        return replace(self, **changes)

    @staticmethod
    def _ordered(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        pairs = list(dict.fromkeys(pairs))
        return tuple(sorted(pairs, key=lambda p: FACETS.index(p[0])))

    def adding(self, facet: str, value: str) -> SearchState:
        pair = (facet, value)
        return self._changed(
            selected=self._ordered([*self.selected, pair]),
            excluded=tuple(p for p in self.excluded if p != pair),
        )

    def excluding(self, facet: str, value: str) -> SearchState:
        pair = (facet, value)
        return self._changed(
            selected=tuple(p for p in self.selected if p != pair),
            excluded=self._ordered([*self.excluded, pair]),
        )

    def removing(self, facet: str, value: str) -> SearchState:
        pair = (facet, value)
        return self._changed(
            selected=tuple(p for p in self.selected if p != pair),
            excluded=tuple(p for p in self.excluded if p != pair),
        )

    def toggling(self, facet: str, value: str) -> SearchState:
        if self.is_selected(facet, value) or self.is_excluded(facet, value):
            return self.removing(facet, value)
        return self.adding(facet, value)

    def only(self, facet: str, value: str) -> SearchState:
        """This value alone in its facet (a histogram bar, a tag chip on a cable page)."""
        keep_sel = tuple(p for p in self.selected if p[0] != facet)
        keep_exc = tuple(p for p in self.excluded if p[0] != facet)
        return self._changed(selected=self._ordered([*keep_sel, (facet, value)]), excluded=keep_exc)

    def clearing(self, facet: str | None = None) -> SearchState:
        if facet is None:
            return self._changed(selected=(), excluded=(), date_from=None, date_to=None, added="")
        if facet == "added":
            return self._changed(added="")
        if facet in ("from", "to"):
            return self._changed(**{"date_from" if facet == "from" else "date_to": None})
        return self._changed(
            selected=tuple(p for p in self.selected if p[0] != facet),
            excluded=tuple(p for p in self.excluded if p[0] != facet),
        )

    def with_all_of(self, facet: str, on: bool = True) -> SearchState:
        """This facet switched to "all of" (``on``) or back to "any of"."""
        if facet not in ALL_OF_FACETS:
            return self
        chosen = (set(self.all_of) | {facet}) if on else (set(self.all_of) - {facet})
        return self._changed(all_of=tuple(f for f in FACETS if f in chosen))

    def with_query(self, q: str) -> SearchState:
        return self._changed(q=" ".join(q.split())[:MAX_QUERY_CHARS])

    def with_sort(self, sort: str) -> SearchState:
        return self._changed(sort=sort if sort in SORTS else DEFAULT_SORT)

    def with_size(self, size: int) -> SearchState:
        """Another page size (back to page 1); a size not in PAGE_SIZES is the default."""
        return self._changed(size=size if size in PAGE_SIZES else 0)

    def with_page(self, page: int) -> SearchState:
        return replace(self, page=min(max(int(page), 1), MAX_PAGE))

    def with_dates(self, date_from: date | None, date_to: date | None) -> SearchState:
        return self._changed(date_from=date_from, date_to=date_to)

    def with_added(self, raw: str) -> SearchState:
        """``7d``, ``24h``, an instant (after it) or ``A..B``; a bad value clears it."""
        return self._changed(added=_clean_added(raw))

    def added_since(self, when: datetime) -> SearchState:
        """Exactly the cables first imported after ``when`` (a saved search's "N new")."""
        return self._changed(added=_stamp(when.astimezone(UTC)))

    # -- rendering back to a URL -----------------------------------------------------------

    def query_items(self, *, page: bool = True) -> list[tuple[str, str]]:
        """The canonical (key, value) list: same state, same URL, whatever the input order."""
        items: list[tuple[str, str]] = []
        if self.q:
            items.append(("q", self.q))
        for facet in FACETS:
            items.extend((facet, v) for v in self.values(facet))
            items.extend((facet, "-" + v) for v in self.excluded_values(facet))
        items.extend(("all", facet) for facet in self.all_of)
        if self.date_from:
            items.append(("from", self.date_from.isoformat()))
        if self.date_to:
            items.append(("to", self.date_to.isoformat()))
        if self.added:
            items.append(("added", self.added))
        if self.sort != DEFAULT_SORT:
            items.append(("sort", self.sort))
        if self.size:
            items.append(("size", str(self.size)))
        if page and self.page != 1:
            items.append(("page", str(self.page)))
        return items

    def querystring(self, *, page: bool = True) -> str:
        """``?q=...&tag=...`` or ``""`` for the empty state."""
        items = self.query_items(page=page)
        return "?" + urlencode(items) if items else ""

    def url(self, path: str = "/search") -> str:
        return path + self.querystring()

    # Links the templates need, all canonical.
    def add_url(self, facet: str, value: str) -> str:
        return self.adding(facet, value).url()

    def remove_url(self, facet: str, value: str) -> str:
        return self.removing(facet, value).url()

    def exclude_url(self, facet: str, value: str) -> str:
        return self.excluding(facet, value).url()

    def toggle_url(self, facet: str, value: str) -> str:
        return self.toggling(facet, value).url()

    def all_of_url(self, facet: str, on: bool = True) -> str:
        return self.with_all_of(facet, on).url()

    def page_url(self, page: int) -> str:
        return self.with_page(page).url()

    def sort_url(self, sort: str) -> str:
        return self.with_sort(sort).url()
