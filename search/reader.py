"""What the cable page (cables/views.py) gets from search, through cables.hooks: marks of the
query's words, made exactly as the snippets of a search make them, canonical search links, and
the cable's place in the search the reader came from."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, QueryDict

from cables.hooks import ReaderHooks, ResultNav
from cables.models import Cable
from search import pages
from search.documents import KIND_TO_FACET
from search.exceptions import IndexUnavailable
from search.state import SearchState

# Previous/next result walks at most this many results of the search.
RESULT_NAV_LIMIT = 5000


def search_url(q: str) -> str:
    return SearchState().with_query(q).url()


def tag_url(kind: str, code: str) -> str:
    return SearchState().only(KIND_TO_FACET.get(kind, "tag"), code).url()


def _search_state(request: HttpRequest) -> SearchState | None:
    """The search the reader is walking: ``s`` (carried by previous/next links), else the
    referring search page."""
    if "s" in request.GET:
        return SearchState.from_query(QueryDict(request.GET["s"][:20_000]))
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if referer and parts.netloc == request.get_host() and parts.path in ("/search", "/"):
        return SearchState.from_query(QueryDict(parts.query))
    return None


def _cable_link(cable_id: str, state: SearchState) -> str:
    params = {"s": state.querystring(page=False).lstrip("?")}
    if state.q:
        params = {"q": state.q, **params}
    return Cable(pk=cable_id).get_absolute_url() + "?" + urlencode(params)


def result_nav(request: HttpRequest, cable_id: str) -> ResultNav | None:
    state = _search_state(request)
    if state is None:
        return None
    try:
        ids = list(pages.iter_ids(state.with_page(1), RESULT_NAV_LIMIT))
        if cable_id not in ids:
            return None
        total = pages.total_for(state)
    except IndexUnavailable:
        return None
    at = ids.index(cable_id)
    search_url = state.with_page(at // pages.clamp_page_size(state.size) + 1).url()
    return ResultNav(
        position=at + 1,
        total=total,
        search_url=search_url,
        previous_url=_cable_link(ids[at - 1], state) if at > 0 else None,
        next_url=_cable_link(ids[at + 1], state) if at + 1 < len(ids) else None,
    )


HOOKS = ReaderHooks(
    marker=pages.highlighter, search_url=search_url, tag_url=tag_url, result_nav=result_nav
)
