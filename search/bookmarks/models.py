"""What a signed-in user keeps: saved searches (with a private feed), starred cables with a
note and marked paragraphs, and stories (named collections of starred cables, shareable
read-only by an unguessable link).

Also the record of failed sign-ins that the login throttle counts.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import replace

from django.conf import settings
from django.db import models
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from search.state import DEFAULT_SORT, FACETS, SearchState

MAX_NAME_CHARS = 200
MAX_NOTE_CHARS = 5000


def new_feed_token() -> str:
    # 32 random bytes: unguessable, and URL-safe so it can sit in a feed reader's URL as is.
    return secrets.token_urlsafe(32)


def canonical_query(raw: str | QueryDict) -> str:
    """The canonical querystring of a search, without ``?`` and without the page number.

    Two URLs that show the same results (keys in another order, page 3, junk keys) give the
    same string, so a user saving the same search twice keeps one row.
    """
    params = raw if isinstance(raw, QueryDict) else QueryDict(raw.lstrip("?"))
    return SearchState.from_query(params).querystring(page=False).lstrip("?")


def identity_query(raw: str | QueryDict) -> str:
    """What makes two searches "the same saved search": the same cables, whatever the URL.

    The canonical query with the values of each facet sorted (``country=RS&country=JA`` is
    ``country=JA&country=RS``) and without the sort order, which reorders but never changes
    the matches. Its hash is the saved search's identity.
    """
    params = raw if isinstance(raw, QueryDict) else QueryDict(raw.lstrip("?"))
    state = SearchState.from_query(params)

    def ordered(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(pairs, key=lambda p: (FACETS.index(p[0]), p[1])))

    same = replace(
        state,
        selected=ordered(state.selected),
        excluded=ordered(state.excluded),
        sort=DEFAULT_SORT,
        page=1,
    )
    return same.querystring(page=False).lstrip("?")


def query_hash(query: str) -> str:
    """The identity hash of a (canonical) query: equal for every URL of the same search."""
    return hashlib.sha256(identity_query(query).encode("utf-8")).hexdigest()


class SavedSearch(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=MAX_NAME_CHARS)
    # Canonical querystring of the SearchState without page and without "?"; "" is everything.
    query = models.TextField(blank=True)
    # SHA-256 of ``identity_query(query)``: the uniqueness key (a hash, because a long query
    # can exceed what a PostgreSQL btree index entry may hold).
    query_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Cables first imported after this moment count as "new" for this search.
    last_opened_at = models.DateTimeField(default=timezone.now)
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "query_hash"], name="unique_saved_search_query_per_user"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.query_hash = query_hash(self.query)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "query" in update_fields:
            kwargs["update_fields"] = {*update_fields, "query_hash"}
        super().save(*args, **kwargs)

    @property
    def state(self) -> SearchState:
        return SearchState.from_query(QueryDict(self.query))

    @property
    def search_url(self) -> str:
        return self.state.url()

    @property
    def new_url(self) -> str:
        """The search of exactly the cables that are new to the user (first imported after
        the last opening): the same rule the "N new" count and counts.py use."""
        return self.state.added_since(self.last_opened_at).url()

    @property
    def feed_url(self) -> str:
        return reverse("bookmarks:feed", args=[self.feed_token])

    def regenerate_token(self) -> None:
        self.feed_token = new_feed_token()
        self.save(update_fields=["feed_token"])

    def mark_opened(self) -> None:
        self.last_opened_at = timezone.now()
        self.save(update_fields=["last_opened_at"])


class CableBookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cable_bookmarks"
    )
    cable = models.ForeignKey("cables.Cable", on_delete=models.CASCADE, related_name="bookmarks")
    note = models.TextField(blank=True, max_length=MAX_NOTE_CHARS)
    # Paragraph anchors the user marked on the cable page ("p3"), in the cable's order: the
    # dossier quotes them.
    marked = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cable"], name="unique_cable_bookmark_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ★ {self.cable_id}"


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


class Story(models.Model):
    """A named collection of starred cables: what a reporter gathers for one story.

    A starred cable can sit in several stories; unstarring takes it out of all of them (the
    star's undo puts it back)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stories"
    )
    name = models.CharField(max_length=MAX_NAME_CHARS)
    created_at = models.DateTimeField(default=timezone.now)
    # Null: not shared. Otherwise anyone holding /shared/<token>/ reads the story, signed out;
    # revoking sets it back to null and the old link answers 404.
    share_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    bookmarks = models.ManyToManyField(
        CableBookmark, through="StoryCable", related_name="stories", blank=True
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("bookmarks:story", args=[self.pk])

    @property
    def share_url(self) -> str | None:
        return reverse("bookmarks:shared", args=[self.share_token]) if self.share_token else None

    def share(self) -> None:
        self.share_token = new_share_token()
        self.save(update_fields=["share_token"])

    def revoke(self) -> None:
        self.share_token = None
        self.save(update_fields=["share_token"])


class StoryCable(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="items")
    bookmark = models.ForeignKey(
        CableBookmark, on_delete=models.CASCADE, related_name="story_items"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "bookmark"], name="unique_story_cable"),
        ]

    def __str__(self) -> str:
        return f"{self.story} · {self.bookmark.cable_id}"


class LoginAttempt(models.Model):
    """One failed sign-in. Rows older than the throttle window are pruned as new ones arrive."""

    username = models.CharField(max_length=150)  # as typed, case-folded
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "created_at"])]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.created_at:%Y-%m-%d %H:%M:%S}"


def starred_ids(user: object, cable_ids: Iterable[str]) -> frozenset[str]:
    """The ids among ``cable_ids`` that ``user`` has starred, in one query."""
    ids = [cid for cid in dict.fromkeys(cable_ids) if cid]
    if not ids or not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(
        CableBookmark.objects.filter(user=user, cable_id__in=ids).values_list("cable_id", flat=True)
    )
