"""Which engine runs: picked from settings once per process, forgotten when they change.

    get_backend() -> BaseSearchBackend    reset_backend()
    warm_up() -> seconds | None           (a server worker, before taking requests)

Pages are built by search/pages.py. The page functions are also reachable here under the names
callers have always used (search, facet_values, total_for, iter_ids, highlighter); they are
search.pages' own functions, not copies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.utils.module_loading import import_string

from search.backends.base import BaseSearchBackend
from search.exceptions import IndexUnavailable
from search.results import Facet, SearchResults
from search.state import SearchState

DEFAULT_BACKEND = "search.backends.whoosh.WhooshBackend"

_lock = threading.Lock()
_backend: BaseSearchBackend | None = None


def get_backend() -> BaseSearchBackend:
    global _backend
    backend = _backend
    if backend is None:
        with _lock:
            if _backend is None:
                path = getattr(settings, "CABLESEARCH_SEARCH_BACKEND", DEFAULT_BACKEND)
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


def search(state: SearchState, *, page_size: int | None = None) -> SearchResults:
    from search import pages

    return pages.search(state, page_size=page_size)


def facet_values(state: SearchState, facet: str, prefix: str = "", limit: int = 300) -> Facet:
    from search import pages

    return pages.facet_values(state, facet, prefix=prefix, limit=limit)


def total_for(state: SearchState) -> int:
    from search import pages

    return pages.total_for(state)


def iter_ids(state: SearchState, limit: int) -> Iterator[str]:
    from search import pages

    return pages.iter_ids(state, limit)


def highlighter(q: str):
    from search import pages

    return pages.highlighter(q)


def warm_up() -> float | None:
    """Open the index and build its caches now, with the first page a visitor sees (an empty
    search, whose result is then cached). Seconds taken, or None when the index is missing
    or damaged: searches answer 503 until it is rebuilt, and the server still starts."""
    from search import pages

    started = time.perf_counter()
    try:
        pages.search(SearchState())
    except IndexUnavailable:
        return None
    seconds = time.perf_counter() - started
    get_backend().warm()
    return seconds
