"""The interface every search backend implements, and the parts they share.

Shaped like django-modelsearch's ``BaseSearchBackend``: a small class configured from settings,
with capability flags that the shared contract tests (tests/search/contract.py) read to
skip what a backend declares it cannot do. Views and templates only see search.results types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from search.results import Facet, SearchResults
from search.state import SearchState

Progress = Callable[[int], None]  # called with how many more cables were written


class Highlighter(Protocol):
    """Marks the words a query matched in a cable's own text (the cable page)."""

    def __bool__(self) -> bool:
        """False when the query has no words to mark (empty, or filters only)."""
        ...

    def mark(self, text: str, *, subject: bool = False) -> str:
        """``text`` HTML-escaped, matches in <mark>; ``subject`` for a subject line
        (``subject:`` words match there only)."""
        ...


@dataclass(frozen=True, slots=True)
class IndexDrift:
    """How the index differs from the database."""

    missing: tuple[str, ...] = ()  # in the database, not in the index
    stale: tuple[str, ...] = ()  # in both, but the index holds an older version
    unknown: tuple[str, ...] = ()  # in the index, no longer in the database
    total_db: int = 0
    total_index: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.unknown)


class BaseSearchBackend:
    # Capability flags: a backend that lacks one says so, and the contract tests skip it.
    supports_phrases = True
    supports_prefix = True
    supports_facets = True
    supports_disjunctive_facets = True
    supports_snippets = True
    supports_suggestions = True
    supports_concurrent_writes = True

    def __init__(self, options: dict | None = None) -> None:
        self.options = dict(options or {})

    # -- keeping the index in step with the database ---------------------------------------

    def prepare(self) -> None:
        """Make an empty index ready if there is none and the database holds no cables."""

    def index_cables(self, ids: Iterable[str]) -> None:
        """Add or replace these cables (read from the database); ids not in it are removed."""
        raise NotImplementedError

    def delete_cables(self, ids: Iterable[str]) -> None:
        raise NotImplementedError

    def rebuild(
        self, progress: Progress | None = None, total: Callable[[int], None] | None = None
    ) -> int:
        """Rebuild everything from the database, without interrupting searches. Returns count."""
        raise NotImplementedError

    def check(self) -> IndexDrift:
        raise NotImplementedError

    def repair(self, drift: IndexDrift) -> None:
        """Fix what check() found: index missing and stale cables, drop unknown ones."""
        if drift.unknown:
            self.delete_cables(drift.unknown)
        todo = [*drift.missing, *drift.stale]
        if todo:
            self.index_cables(todo)

    def clear(self) -> None:
        """Empty the index (tests, resets)."""
        raise NotImplementedError

    # -- searching --------------------------------------------------------------------------

    def search(self, state: SearchState, *, page_size: int) -> SearchResults:
        raise NotImplementedError

    def facet_values(
        self, state: SearchState, facet: str, prefix: str = "", limit: int = 300
    ) -> Facet:
        raise NotImplementedError

    def total_for(self, state: SearchState) -> int:
        raise NotImplementedError

    def iter_ids(self, state: SearchState, limit: int) -> Iterator[str]:
        raise NotImplementedError

    def highlighter(self, q: str) -> Highlighter:
        """What marks query ``q``'s words in a cable, as the snippets of a search mark them."""
        raise NotImplementedError

    def close(self) -> None:
        """Drop open files and caches (settings changed, tests)."""
