"""What the cable page (cables/views.py) gets from search, through cables.hooks: marks of the
query's words, made exactly as the snippets of a search make them, and canonical search links."""

from __future__ import annotations

from cables.hooks import ReaderHooks
from search import pages
from search.documents import KIND_TO_FACET
from search.state import SearchState


def search_url(q: str) -> str:
    return SearchState().with_query(q).url()


def tag_url(kind: str, code: str) -> str:
    return SearchState().only(KIND_TO_FACET.get(kind, "tag"), code).url()


HOOKS = ReaderHooks(marker=pages.highlighter, search_url=search_url, tag_url=tag_url)
