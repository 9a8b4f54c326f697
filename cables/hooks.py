"""The one door from the cable page to a search app: the cables app never imports search.

A search app installs its ``ReaderHooks`` with ``install()`` in its AppConfig.ready (search does,
in search/apps.py). Without one, the cable page still works: its text is escaped and unmarked,
and its links go to the search page's plain URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Protocol
from urllib.parse import urlencode


class Marker(Protocol):
    def __bool__(self) -> bool:
        """False when there is nothing to mark (no query, or filters only)."""
        ...

    def mark(self, text: str, *, subject: bool = False) -> str:
        """``text`` HTML-escaped, the query's matches in <mark>; ``subject`` for a subject line."""
        ...

    def marks_paragraph(self, marking: str) -> bool:
        """Whether a paragraph with this marking ("S/NF") can hold matches (a query with
        ``marking:S`` matches only in (S) paragraphs, so only those are marked)."""
        ...


class _Unmarked:
    def __bool__(self) -> bool:
        return False

    def mark(self, text: str, *, subject: bool = False) -> str:
        return escape(text, quote=False)

    def marks_paragraph(self, marking: str) -> bool:
        return True


def _plain_search_url(q: str) -> str:
    return "/search" + ("?" + urlencode({"q": q}) if q else "")


def _plain_tag_url(kind: str, code: str) -> str:
    return "/search?" + urlencode({"q": f"tag:{code}"})


@dataclass(frozen=True, slots=True)
class ResultNav:
    """Where a cable sits in the search the reader came from ("Result 3 of 136")."""

    position: int  # 1-based
    total: int
    search_url: str  # the page of results holding the cable
    previous_url: str | None
    next_url: str | None


def _no_result_nav(request, cable_id: str) -> ResultNav | None:
    return None


@dataclass(frozen=True, slots=True)
class ReaderHooks:
    marker: Callable[[str], Marker]  # query text -> what marks its words in the cable's text
    search_url: Callable[[str], str]  # query text -> the search page for it
    tag_url: Callable[[str, str], str]  # (Tag.kind, code) -> the search for cables with that tag
    # (request, cable id) -> the cable's place in the search the reader came from, or None
    result_nav: Callable[[object, str], ResultNav | None] = _no_result_nav


_hooks = ReaderHooks(lambda q: _Unmarked(), _plain_search_url, _plain_tag_url)


def install(hooks: ReaderHooks) -> None:
    global _hooks
    _hooks = hooks


def hooks() -> ReaderHooks:
    return _hooks
