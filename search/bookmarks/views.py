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
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cables.models import Cable
from cables.parsing.decode import strip_controls
from search.state import SearchState

from .accounts import safe_next
from .counts import counts_for
from .forms import NoteForm, RenameSearchForm, SaveSearchForm
from .models import CableBookmark, SavedSearch, canonical_query, query_hash
from .summary import summarize

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
    bookmarks = CableBookmark.objects.filter(user=request.user).select_related("cable")
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
    saved.mark_opened()
    return redirect(saved.search_url)


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


@require_POST
@signin_required
def delete_search(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
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


@require_POST
@signin_required
def star(request: HttpRequest, cable_id: str) -> HttpResponse:
    cable = get_object_or_404(Cable, pk=cable_id)
    # An explicit wanted state, not a blind toggle: a double click or a replayed request
    # cannot flip the star back.
    wanted = request.POST.get("starred") == "1"
    if wanted:
        CableBookmark.objects.get_or_create(user=request.user, cable=cable)
    else:
        CableBookmark.objects.filter(user=request.user, cable=cable).delete()
    next_url = safe_next(request, request.POST.get("next"), cable.get_absolute_url())
    if is_htmx(request):
        return render(
            request,
            "bookmarks/_star.html",
            {"cable_id": cable.pk, "is_starred": wanted, "star_next": next_url},
        )
    return redirect(next_url)


@require_POST
@signin_required
def edit_note(request: HttpRequest, cable_id: str) -> HttpResponse:
    bookmark = get_object_or_404(CableBookmark, cable_id=cable_id, user=request.user)
    form = NoteForm(request.POST, instance=bookmark)
    if form.is_valid():
        form.save()
        messages.success(request, f"Note saved for {bookmark.cable_id}.")
    else:
        messages.error(request, "The note is too long (at most 5,000 characters).")
    back = reverse("bookmarks:index") + f"#cable-{bookmark.pk}"
    return redirect(safe_next(request, request.POST.get("next"), back))
