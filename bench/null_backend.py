"""A search backend that indexes nothing: lets the benchmark time ``import_cables`` without the
index (parse + database only), then ``rebuild_index`` with the real backend on its own.

Used only through ``CABLESEARCH_SEARCH_BACKEND=bench.null_backend.NullBackend`` in the
benchmark's scratch environment (``run.py --index-mode rebuild``).
"""

from __future__ import annotations

from collections.abc import Iterable

from search.backends.base import BaseSearchBackend


class NullBackend(BaseSearchBackend):
    def index_cables(self, ids: Iterable[str]) -> None:
        return None

    def delete_cables(self, ids: Iterable[str]) -> None:
        return None

    def close(self) -> None:
        return None
