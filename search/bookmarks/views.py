"""Bookmark views: saved searches and starred cables, each user seeing only their own.

Every lookup of a user's object filters on ``user=request.user``, so another user's id gives
404, never 403: nobody learns what exists. Changes are POST forms with CSRF that work without
JavaScript; htmx upgrades the star and the save-search form to in-place swaps.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cables.models import Cable
from cables.params import row_id
from cables.parsing.decode import strip_controls
from search.state import SearchState

from .accounts import safe_next
from .counts import counts_for
from .forms import NoteForm, RenameSearchForm, SaveSearchForm
from .models import (
    MAX_NAME_CHARS,
    CableBookmark,
    SavedSearch,
    Story,
    StoryCable,
    canonical_query,
    query_hash,
)
from .summary import summarize
from .undo import confirm_delete, offer_undo

BOOKMARKS_PER_PAGE = 50
MAX_FILTER_CHARS = 200


def login_url_for(next_url: str) -> str:
    return redirect_to_login(next_url).url


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def signin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like login_required, but a POST sends the user back to the page the form was on
    (its ``next`` field), not to the POST-only URL, and htmx gets a full-page redirect."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            back = safe_next(request, request.POST.get("next"))
        else:
            back = request.get_full_path()
        url = login_url_for(back)
        return HttpResponseClientRedirect(url) if is_htmx(request) else redirect(url)

    return wrapper


# -- the bookmarks page ----------------------------------------------------------------------


@require_GET
@signin_required
def index(request: HttpRequest) -> HttpResponse:
    searches = list(SavedSearch.objects.filter(user=request.user))
    counts = counts_for(searches)
    rows = [(saved, counts.get(saved.pk)) for saved in searches]

    text = " ".join(strip_controls(request.GET.get("f", "")).split())[:MAX_FILTER_CHARS]
    bookmarks = (
        CableBookmark.objects.filter(user=request.user)
        .select_related("cable")
        .prefetch_related("stories")
    )
    if text:
        bookmarks = bookmarks.filter(
            Q(note__icontains=text)
            | Q(cable__subject__icontains=text)
            | Q(cable__id__icontains=text)
        )
    page = Paginator(bookmarks, BOOKMARKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "bookmarks/index.html",
        {
            "search_rows": rows,
            "stories": Story.objects.filter(user=request.user).annotate(cable_count=Count("items")),
            "bookmarks_page": page,
            "filter_text": text,
            "bookmark_total": CableBookmark.objects.filter(user=request.user).count(),
        },
    )


# -- saved searches --------------------------------------------------------------------------


@require_POST
@signin_required
def save_search(request: HttpRequest) -> HttpResponse:
    form = SaveSearchForm(request.POST)
    if not form.is_valid():
        reason = "the name is too long" if "name" in form.errors else "the search is too long"
        messages.error(request, f"That search could not be saved: {reason}.")
        return redirect(safe_next(request, request.POST.get("next"), reverse("bookmarks:index")))
    query = canonical_query(form.cleaned_data["query"])
    state = SearchState.from_query(QueryDict(query))
    saved, created = SavedSearch.objects.get_or_create(
        user=request.user,
        query_hash=query_hash(query),
        defaults={
            "query": query,
            "name": form.cleaned_data["name"] or summarize(state),
        },
    )
    if is_htmx(request):
        return render(
            request,
            "bookmarks/_save_search.html",
            {"state": saved.state, "saved_search": saved, "just_saved": created},
        )
    if created:
        messages.success(request, f"Saved search “{saved.name}”.")
    else:
        messages.info(request, f"This search is already saved as “{saved.name}”.")
    return redirect(safe_next(request, request.POST.get("next"), saved.search_url))


@require_POST  # it records the opening: a link prefetcher or crawler must not
@signin_required
def open_search(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    # ``new=1`` ("N new"): the cables that were new, read before the opening resets what is new.
    target = saved.new_url if request.POST.get("new") == "1" else saved.search_url
    saved.mark_opened()
    return redirect(target)


@require_POST
@signin_required
def rename_search(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    form = RenameSearchForm(request.POST)
    if form.is_valid():
        saved.name = form.cleaned_data["name"]
        saved.save(update_fields=["name"])
        messages.success(request, f"Renamed to “{saved.name}”.")
    else:
        messages.error(request, "A name is needed, of at most 200 characters.")
    return redirect(reverse("bookmarks:index") + f"#search-{saved.pk}")


@signin_required
def delete_search(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm (the feed address cannot come back); POST deletes."""
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    if request.method != "POST":
        return confirm_delete(
            request,
            what=f"the saved search “{saved.name}”",
            consequence="Its private feed address stops working for good.",
            action=reverse("bookmarks:delete_search", args=[saved.pk]),
            cancel=reverse("bookmarks:index") + f"#search-{saved.pk}",
        )
    saved.delete()
    messages.success(request, f"Deleted saved search “{saved.name}” and its feed.")
    return redirect("bookmarks:index")


@require_POST
@signin_required
def regenerate_token(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    saved.regenerate_token()
    messages.success(request, f"New feed address for “{saved.name}”: the old one no longer works.")
    return redirect(reverse("bookmarks:index") + f"#search-{saved.pk}")


# -- cable bookmarks -------------------------------------------------------------------------


def _restore_fields(bookmark: CableBookmark) -> list[tuple[str, str]]:
    """The star form's fields that put an unstarred cable back as it was."""
    fields = [("starred", "1"), ("note", bookmark.note)]
    fields += [("marked", anchor) for anchor in bookmark.marked]
    fields += [("story", str(pk)) for pk in bookmark.story_items.values_list("story_id", flat=True)]
    return fields


def _own_stories(request: HttpRequest, ids: list[str]) -> list[Story]:
    wanted = [pk for pk in map(row_id, ids) if pk is not None]
    return list(Story.objects.filter(user=request.user, pk__in=wanted)) if wanted else []


def _set_stories(request: HttpRequest, bookmark: CableBookmark, stories: list[Story]) -> None:
    StoryCable.objects.filter(bookmark=bookmark).exclude(story__in=stories).delete()
    have = set(StoryCable.objects.filter(bookmark=bookmark).values_list("story_id", flat=True))
    StoryCable.objects.bulk_create(
        [StoryCable(story=s, bookmark=bookmark) for s in stories if s.pk not in have]
    )


@require_POST
@signin_required
def star(request: HttpRequest, cable_id: str) -> HttpResponse:
    cable = get_object_or_404(Cable, pk=cable_id)
    # An explicit wanted state, not a blind toggle: a double click or a replayed request
    # cannot flip the star back.
    wanted = request.POST.get("starred") == "1"
    undo_fields: list[tuple[str, str]] = []
    if wanted:
        bookmark, created = CableBookmark.objects.get_or_create(user=request.user, cable=cable)
        if created and ("note" in request.POST or "marked" in request.POST):
            # The undo of an unstar: note, marked paragraphs and stories come back.
            bookmark.note = request.POST.get("note", "")[:5000]
            bookmark.marked = request.POST.getlist("marked")[:1000]
            bookmark.save(update_fields=["note", "marked"])
            _set_stories(request, bookmark, _own_stories(request, request.POST.getlist("story")))
    else:
        bookmark = CableBookmark.objects.filter(user=request.user, cable=cable).first()
        if bookmark is not None:
            undo_fields = _restore_fields(bookmark)
            bookmark.delete()
    next_url = safe_next(request, request.POST.get("next"), cable.get_absolute_url())
    if is_htmx(request):
        return render(
            request,
            "bookmarks/_star.html",
            {
                "cable_id": cable.pk,
                "is_starred": wanted,
                "star_next": next_url,
                "just_starred": wanted,
                "undo_fields": undo_fields,
            },
        )
    if undo_fields:
        messages.info(request, f"Removed the star from {cable.pk}.")
        offer_undo(request, f"Undo: star {cable.pk} again", request.path, undo_fields)
    return redirect(next_url)


@require_POST
@signin_required
def edit_note(request: HttpRequest, cable_id: str) -> HttpResponse:
    """The note of a starred cable and, when the form lists them, the stories it sits in.

    ``new_story`` (a name) creates a story and puts the cable in it."""
    bookmark = get_object_or_404(CableBookmark, cable_id=cable_id, user=request.user)
    form = NoteForm(request.POST, instance=bookmark)
    if form.is_valid():
        form.save()
        if request.POST.get("stories_listed") == "1":
            stories = _own_stories(request, request.POST.getlist("story"))
            new_name = " ".join(request.POST.get("new_story", "").split())[:MAX_NAME_CHARS]
            if new_name:
                stories.append(Story.objects.create(user=request.user, name=new_name))
            _set_stories(request, bookmark, stories)
        messages.success(request, f"Saved for {bookmark.cable_id}.")
    else:
        messages.error(request, "The note is too long (at most 5,000 characters).")
    back = reverse("bookmarks:index") + f"#cable-{bookmark.pk}"
    return redirect(safe_next(request, request.POST.get("next"), back))


@require_POST
@signin_required
def mark_paragraph(request: HttpRequest, cable_id: str) -> HttpResponse:
    """Mark or unmark one paragraph of a starred cable (an explicit wanted state)."""
    bookmark = get_object_or_404(CableBookmark, cable_id=cable_id, user=request.user)
    anchor = request.POST.get("anchor", "")
    anchors = list(bookmark.cable.paragraphs.values_list("number", "position"))
    valid = {f"p{n}" for n, _ in anchors} | {f"p{n}-{pos}" for n, pos in anchors}
    if anchor in valid:
        wanted = request.POST.get("marked") == "1"
        kept = [a for a in bookmark.marked if a != anchor]
        bookmark.marked = [*kept, anchor] if wanted else kept
        bookmark.save(update_fields=["marked"])
    back = bookmark.cable.get_absolute_url() + (f"#{anchor}" if anchor in valid else "")
    return redirect(safe_next(request, request.POST.get("next"), back))
