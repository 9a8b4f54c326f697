"""The search service views call. Picks the backend from settings; never touches Whoosh itself.

    search(state) -> SearchResults        facet_values(state, facet, prefix, limit) -> Facet
    total_for(state) -> int               iter_ids(state, limit) -> Iterator[str]
    highlighter(q) -> Highlighter         (marks a query's words in a cable's text)
    warm_up() -> seconds | None           (a server worker, before taking requests)

User input never raises here; a missing or damaged index raises search.exceptions.IndexUnavailable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.utils.module_loading import import_string

from search.backends.base import BaseSearchBackend, Highlighter
from search.exceptions import IndexUnavailable
from search.results import Facet, SearchResults
from search.state import SearchState

_lock = threading.Lock()
_backend: BaseSearchBackend | None = None


def get_backend() -> BaseSearchBackend:
    global _backend
    backend = _backend
    if backend is None:
        with _lock:
            if _backend is None:
                path = getattr(
                    settings, "CABLESEARCH_SEARCH_BACKEND", "search.backends.whoosh.WhooshBackend"
                )
                _backend = import_string(path)(getattr(settings, "CABLESEARCH_SEARCH_OPTIONS", {}))
            backend = _backend
    return backend


def reset_backend() -> None:
    """Forget the backend (settings changed): the next call opens the configured one afresh."""
    global _backend
    with _lock:
        old, _backend = _backend, None
    if old is not None:
        old.close()


def _page_size(page_size: int | None) -> int:
    size = page_size or getattr(settings, "CABLESEARCH_PAGE_SIZE", 20)
    return max(1, min(int(size), 200))


def search(state: SearchState, *, page_size: int | None = None) -> SearchResults:
    return get_backend().search(state, page_size=_page_size(page_size))


def facet_values(state: SearchState, facet: str, prefix: str = "", limit: int = 300) -> Facet:
    return get_backend().facet_values(state, facet, prefix=prefix, limit=limit)


def total_for(state: SearchState) -> int:
    return get_backend().total_for(state)


def iter_ids(state: SearchState, limit: int) -> Iterator[str]:
    return get_backend().iter_ids(state, limit)


def highlighter(q: str) -> Highlighter:
    return get_backend().highlighter(q)


def warm_up() -> float | None:
    """Open the index and build its caches now, with the first page a visitor sees (an empty
    search, whose result is then cached). Seconds taken, or None when the index is missing
    or damaged: searches answer 503 until it is rebuilt, and the server still starts."""
    started = time.perf_counter()
    try:
        search(SearchState())
    except IndexUnavailable:
        return None
    return time.perf_counter() - started
