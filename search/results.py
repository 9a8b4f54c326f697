"""What the page builder (search/pages.py) returns: plain data that views and templates render.

Nothing here refers to an engine: the page builder fills these in from any engine's answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from search.state import SearchState

# A cable first imported this many days ago or less is "new": marked in results, and kept in
# every saved search's feed whatever its own date (search/bookmarks/feeds.py).
RECENT_DAYS = 30


def recently_added(added: datetime | None, now: datetime | None = None) -> bool:
    if added is None:
        return False
    from datetime import UTC, timedelta

    return added > (now or datetime.now(UTC)) - timedelta(days=RECENT_DAYS)


@dataclass(frozen=True, slots=True)
class Snippet:
    paragraph: int  # paragraph number (0: text before ¶1); -1 when the match is the subject
    html: str  # HTML-escaped cable text with only <mark> added


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    subject: str
    date: datetime | None
    origin: str
    classification: str
    tags: tuple[str, ...]
    snippets: tuple[Snippet, ...] = ()
    score: float = 0.0
    added: datetime | None = None  # when the cable reached this library (first imported)

    @property
    def recently_added(self) -> bool:
        return recently_added(self.added)


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    label: str  # "MARR - Military and Defense Arrangements"; the code alone when no name is known
    count: int
    selected: bool = False
    excluded: bool = False


@dataclass(frozen=True, slots=True)
class Facet:
    name: str  # a key of search.state.FACETS
    label: str  # "Country"
    values: tuple[FacetValue, ...]  # most frequent first (year: chronological)
    has_more: bool = False  # more values exist than were returned


@dataclass(frozen=True, slots=True)
class SearchResults:
    state: SearchState
    hits: tuple[Hit, ...]
    total: int
    page: int
    pages: int
    facets: dict[str, Facet] = field(default_factory=dict)
    understood: str = ""  # the query as the engine read it, in words a user can check
    suggestion: str | None = None  # did-you-mean query text, or None
    took_ms: float = 0.0
    sort: str = "newest"  # the order the hits are in (relevance falls back to newest: no words)
    ranked: bool = False  # the query had words to rank by: "relevance" can be offered
    page_size: int = 20  # hits per page, as clamped (the rank of the first hit follows from it)

    @property
    def first_rank(self) -> int:
        """The 1-based rank of the page's first hit."""
        return (self.page - 1) * self.page_size + 1
