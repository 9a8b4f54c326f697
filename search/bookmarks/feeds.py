"""Atom feed of a saved search at a private token URL: /feeds/<token>.atom.

A feed reader polls it without a session, so the token is the only key: 32 random bytes, unique,
replaced on demand (the old URL then 404s). The feed lists the newest matching cables
(CABLESEARCH_FEED_ENTRIES, default 30), plus matching cables imported in the last
FEED_RECENT_DAYS days even when their own date is old (an old cable imported today is news to
the reader, but would never reach the "newest" part).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

from cables.models import Cable
from search.atom import Atom1Feed
from search.exceptions import IndexUnavailable
from search.results import RECENT_DAYS

from .counts import imported_since, scan_limit
from .models import SavedSearch

FEED_RECENT_DAYS = RECENT_DAYS  # the same "new" as the search page marks
FEED_MAX_RECENT = 50


def newest_entries() -> int:
    return int(getattr(settings, "CABLESEARCH_FEED_ENTRIES", 30))


@dataclass(frozen=True, slots=True)
class FeedEntry:
    cable: Cable
    snippets_html: tuple[str, ...] = ()


def feed_entries(saved: SavedSearch) -> list[FeedEntry]:
    from search import pages

    state = saved.state.with_sort("newest").with_page(1)
    results = pages.search(state, page_size=newest_entries())
    snippets = {hit.id: tuple(s.html for s in hit.snippets) for hit in results.hits}
    ids = [hit.id for hit in results.hits]

    recent = imported_since(timezone.now() - timedelta(days=FEED_RECENT_DAYS))
    missing = {cid for cid in recent if cid not in snippets}
    if missing and results.total > len(ids):
        late: list[str] = []
        for cable_id in pages.iter_ids(state, scan_limit()):
            if cable_id in missing:
                late.append(cable_id)
                if len(late) == FEED_MAX_RECENT or len(late) == len(missing):
                    break
        late.sort(key=lambda cid: recent[cid], reverse=True)
        ids.extend(late)

    cables = Cable.objects.only(
        "id", "date", "subject", "origin", "classification", "first_imported"
    ).in_bulk(ids)
    return [FeedEntry(cables[cid], snippets.get(cid, ())) for cid in ids if cid in cables]


class SavedSearchFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            response = super().__call__(request, *args, **kwargs)
        except IndexUnavailable:
            # Feed readers retry on 503 and keep what they have; a 500 would look like a bug.
            response = HttpResponse(
                "The search index is unavailable; try again later.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "600"
        # The URL is a secret: keep it out of search engines, Referer headers and shared caches.
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "private, max-age=300"
        return response

    def get_object(self, request: HttpRequest, token: str) -> SavedSearch:
        return get_object_or_404(SavedSearch, feed_token=token)

    def title(self, obj: SavedSearch) -> str:
        return f"{obj.name} · cablesearch"

    def subtitle(self, obj: SavedSearch) -> str:
        return "The newest cables matching this saved search."

    def link(self, obj: SavedSearch) -> str:
        return obj.search_url

    def feed_guid(self, obj: SavedSearch) -> str:
        # Stable across token changes, and reveals neither the token nor the user.
        return f"tag:cablesearch,2026:saved-search/{obj.pk}"

    def items(self, obj: SavedSearch) -> list[FeedEntry]:
        return feed_entries(obj)

    def item_title(self, item: FeedEntry) -> str:
        subject = item.cable.subject or "(no subject)"
        return f"{item.cable.id}: {subject}"

    def item_link(self, item: FeedEntry) -> str:
        return item.cable.get_absolute_url()

    def item_guid(self, item: FeedEntry) -> str:
        return item.cable.get_absolute_url()

    def item_description(self, item: FeedEntry) -> str:
        # Atom writes this as type="html": everything from the cable must be escaped here.
        date = item.cable.date.date().isoformat() if item.cable.date else "undated"
        line = escape(f"{date} · {item.cable.origin} · {item.cable.classification}")
        snippets = format_html_join("", "<p>{}</p>", ((mark_safe(s),) for s in item.snippets_html))
        return f"<p>{line}</p>{snippets}"

    def item_pubdate(self, item: FeedEntry) -> datetime | None:
        return item.cable.date

    def item_updateddate(self, item: FeedEntry) -> datetime:
        # When the cable reached this library: what makes it news to the reader.
        return item.cable.first_imported


saved_search_feed = SavedSearchFeed()
