"""Template tags so search and cable templates can show stars and the save-search form
without their views knowing about bookmarks.

    {% load bookmarks %}
    {% starred_ids results.hits as starred %}          {# one query for the whole page #}
    {% for hit in results.hits %}
      {% include "bookmarks/_star.html" with cable_id=hit.id is_starred=starred|has:hit.id %}
    {% endfor %}
"""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.urls import reverse

from search.state import SearchState

from ..accounts import signup_allowed as _signup_allowed
from ..models import SavedSearch, canonical_query, query_hash
from ..models import starred_ids as _starred_ids

register = template.Library()


def _ids(items: object) -> list[str]:
    if items is None or items == "":
        return []
    if isinstance(items, str):
        return [items]
    items = getattr(items, "hits", items)  # a SearchResults
    if hasattr(items, "pk") or hasattr(items, "id"):
        items = [items]  # one cable or one hit
    out = []
    for item in items:
        value = (
            item
            if isinstance(item, str)
            else getattr(item, "pk", None) or getattr(item, "id", None)
        )
        if value:
            out.append(str(value))
    return out


@register.simple_tag(takes_context=True)
def starred_ids(context: template.Context, items: object) -> frozenset[str]:
    """The ids among ``items`` (hits, cables, ids, or one of them) the user has starred."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return _starred_ids(user, _ids(items))


@register.filter
def has(collection: object, value: object) -> bool:
    try:
        return value in collection  # type: ignore[operator]
    except TypeError:
        return False


@register.simple_tag(takes_context=True)
def saved_search_for(context: template.Context, state: SearchState | None) -> SavedSearch | None:
    """The user's saved search for this state (ignoring the page), or None."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if state is None or not getattr(user, "is_authenticated", False):
        return None
    query = canonical_query(state.querystring(page=False))
    return SavedSearch.objects.filter(user=user, query_hash=query_hash(query)).first()


@register.simple_tag(takes_context=True)
def signin_url(context: template.Context) -> str:
    """Sign in, then come back to this page. Worked out once per request: a results page
    shows it on every hit's star, and reversing and encoding it twenty times cost 13% of a
    cached page's CPU."""
    request = context.get("request")
    if request is None:
        return reverse("login")
    url = getattr(request, "_cablesearch_signin_url", None)
    if url is None:
        url = request._cablesearch_signin_url = (
            f"{reverse('login')}?next={quote(request.get_full_path())}"
        )
    return url


@register.simple_tag
def signup_allowed() -> bool:
    return _signup_allowed()


@register.simple_tag
def search_summary(state: SearchState) -> str:
    from ..summary import summarize

    return summarize(state)


@register.simple_tag(takes_context=True)
def pending_undo(context: template.Context) -> dict | None:
    """The undo form a delete offered on the previous request, shown once."""
    from ..undo import pop_undo

    request = context.get("request")
    return pop_undo(request) if request is not None else None


@register.simple_tag(takes_context=True)
def stories_of(context: template.Context, cable_id: str) -> dict:
    """For a cable's "keep" panel: the user's stories, and the ids of those holding the cable."""
    from ..models import Story, StoryCable

    request = context.get("request")
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"all": [], "holding": frozenset()}
    stories = list(Story.objects.filter(user=user))
    holding = frozenset(
        StoryCable.objects.filter(story__user=user, bookmark__cable_id=cable_id).values_list(
            "story_id", flat=True
        )
    )
    return {"all": stories, "holding": holding}


@register.simple_tag(takes_context=True)
def bookmark_for(context: template.Context, cable_id: str) -> object:
    """The user's bookmark of this cable (note, marked paragraphs), or None."""
    from ..models import CableBookmark

    request = context.get("request")
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return None
    return CableBookmark.objects.filter(user=user, cable_id=cable_id).first()


def _instant(when: object) -> str:
    return when.isoformat().replace("+00:00", "Z")  # type: ignore[attr-defined]


@register.simple_tag(takes_context=True)
def import_links(context: template.Context, job: object) -> dict:
    """For a finished import job's page: a search of the cables it added, the cables it
    changed (up to 50), and the signed-in user's saved searches those cables match.

    A template tag, not the admin's code: cables/ never imports search/."""
    import logging

    from django.utils import timezone

    from cables.models import Cable
    from search import service

    started = getattr(job, "started_at", None)
    if started is None:
        return {}
    until = getattr(job, "finished_at", None) or timezone.now()
    window = f"{_instant(started)}..{_instant(until)}"
    added = SearchState().with_added(window).with_sort("added")
    changed = Cable.objects.filter(
        last_imported__gt=started, last_imported__lte=until, first_imported__lte=started
    ).order_by("id")
    request = context.get("request")
    user = getattr(request, "user", None)
    matched: list[tuple[SavedSearch, str]] = []
    if getattr(user, "is_authenticated", False) and getattr(job, "new", 0):
        for saved in SavedSearch.objects.filter(user=user):
            state = saved.state.with_added(window)
            try:
                if service.total_for(state):
                    matched.append((saved, state.url()))
            except Exception:  # a missing index: the links are a convenience, the page stays
                logging.getLogger(__name__).exception("import links: saved search %s", saved.pk)
                break
    return {
        "added_url": added.url(),
        "changed": list(changed.values_list("id", flat=True)[:50]),
        "changed_total": changed.count(),
        "saved": matched,
    }
