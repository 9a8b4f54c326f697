"""A search backend that indexes nothing: lets the benchmark time ``import_cables`` without the
index (parse + database only), then ``rebuild_index`` with the real backend on its own.

Used only through ``CABLESEARCH_SEARCH_BACKEND=bench.null_backend.NullBackend`` in the
benchmark's scratch environment (``run.py --index-mode rebuild``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from search.backends.base import BaseSearchBackend, Criteria, IndexDrift, Match, MatchRequest


class NullBackend(BaseSearchBackend):
    """Finds nothing, keeps nothing: searching during such an import answers an empty page."""

    def match(self, request: MatchRequest) -> Match:
        return Match(ids=(), scores=(), total=0)

    def count(self, criteria: Criteria) -> int:
        return 0

    def iter_ids(self, criteria: Criteria, sort: str, limit: int) -> Iterator[str]:
        return iter(())

    def generation(self) -> None:
        return None

    def index_cables(self, ids: Iterable[str]) -> None:
        return None

    def delete_cables(self, ids: Iterable[str]) -> None:
        return None

    def rebuild(self, progress=None, total=None) -> int:
        return 0

    def check(self) -> IndexDrift:
        return IndexDrift()

    def clear(self) -> None:
        return None
