"""Stories: named collections of starred cables, their page, exports, dossier and share link.

Every lookup of a story filters on ``user=request.user`` (404 otherwise), except the shared
page, which finds the story by its unguessable token alone and shows it read-only.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from cables.models import Cable, Paragraph
from search.spreadsheet import safe_cell

from .models import MAX_NAME_CHARS, CableBookmark, Story, StoryCable
from .undo import confirm_delete, offer_undo
from .views import signin_required

CSV_COLUMNS = ["cable_id", "date", "origin", "subject", "citation", "cable_url", "note", "marked"]


def citation(cable: Cable, anchor: str = "") -> str:
    """How a cable (or one paragraph of it) is cited: ``07MOSCOW5100 ¶3``."""
    if not anchor:
        return cable.id
    number = anchor[1:].split("-", 1)[0]
    return f"{cable.id} ¶{number}" if number != "0" else f"{cable.id} (opening text)"


@dataclass(frozen=True, slots=True)
class StoryEntry:
    bookmark: CableBookmark
    cable: Cable
    marked: list[Paragraph]  # the marked paragraphs, in the cable's order

    @property
    def citation(self) -> str:
        return citation(self.cable)


def _name(request: HttpRequest) -> str:
    return " ".join(request.POST.get("name", "").split())[:MAX_NAME_CHARS]


def entries(story: Story) -> list[StoryEntry]:
    """The story's cables in date order (undated last), with their marked paragraphs.

    Two queries whatever the size: the bookmarks with their cables, then every marked
    paragraph of all of them."""
    bookmarks = list(
        CableBookmark.objects.filter(story_items__story=story)
        .select_related("cable")
        .order_by(F("cable__date").asc(nulls_last=True), "cable_id")
    )
    wanted = {(b.cable_id, a) for b in bookmarks for a in b.marked}
    by_cable: dict[str, list[Paragraph]] = {}
    if wanted:
        paragraphs = Paragraph.objects.filter(cable_id__in={cid for cid, _ in wanted})
        for para in paragraphs.order_by("cable_id", "position"):
            anchors = {f"p{para.number}", f"p{para.number}-{para.position}"}
            if any((para.cable_id, a) in wanted for a in anchors):
                by_cable.setdefault(para.cable_id, []).append(para)
    return [StoryEntry(b, b.cable, by_cable.get(b.cable_id, [])) for b in bookmarks]


def _story_context(request: HttpRequest, story: Story, *, shared: bool) -> dict:
    return {"story": story, "entries": entries(story), "shared": shared}


# -- pages -----------------------------------------------------------------------------------


@require_POST
@signin_required
def create_story(request: HttpRequest) -> HttpResponse:
    name = _name(request)
    if not name:
        messages.error(request, "A story needs a name.")
        return redirect(reverse("bookmarks:index") + "#bm-stories-title")
    story = Story.objects.create(user=request.user, name=name)
    messages.success(request, f"Created the story “{story.name}”. Add cables from their star.")
    return redirect(story.get_absolute_url())


@require_GET
@signin_required
def story_page(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk, user=request.user)
    return render(request, "bookmarks/story.html", _story_context(request, story, shared=False))


@require_GET
def shared_story(request: HttpRequest, token: str) -> HttpResponse:
    """The read-only story for whoever holds the link; no account needed."""
    story = Story.objects.filter(share_token=token).first() if token else None
    if story is None:
        raise Http404("No story is shared at this address (it may have been revoked).")
    response = render(request, "bookmarks/story.html", _story_context(request, story, shared=True))
    # The token is the key: keep it out of search engines, referrers and shared caches.
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@signin_required
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable page: each cable's citation, metadata, note and marked paragraphs."""
    story = get_object_or_404(Story, pk=pk, user=request.user)
    context = {**_story_context(request, story, shared=False), "printed_at": timezone.now()}
    return render(request, "bookmarks/dossier.html", context)


@require_POST
@signin_required
def rename_story(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk, user=request.user)
    name = _name(request)
    if name:
        story.name = name
        story.save(update_fields=["name"])
        messages.success(request, f"Renamed to “{story.name}”.")
    else:
        messages.error(request, "A name is needed, of at most 200 characters.")
    return redirect(story.get_absolute_url())


@signin_required
def delete_story(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST deletes the story (its cables stay starred, notes kept)."""
    story = get_object_or_404(Story, pk=pk, user=request.user)
    if request.method != "POST":
        return confirm_delete(
            request,
            what=f"the story “{story.name}”",
            consequence="Its cables stay starred with their notes; its share link stops working.",
            action=reverse("bookmarks:delete_story", args=[story.pk]),
            cancel=story.get_absolute_url(),
        )
    story.delete()
    messages.success(request, f"Deleted the story “{story.name}”.")
    return redirect("bookmarks:index")


@require_POST
@signin_required
def share_story(request: HttpRequest, pk: int) -> HttpResponse:
    """A new share link (any old one stops working), or ``revoke=1`` to stop sharing."""
    story = get_object_or_404(Story, pk=pk, user=request.user)
    if request.POST.get("revoke") == "1":
        story.revoke()
        messages.success(request, "The share link no longer works.")
    else:
        story.share()
        messages.success(request, "Anyone with the link below can read this story, signed out.")
    return redirect(story.get_absolute_url() + "#share")


@require_POST
@signin_required
def add_cable(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a cable in the story (starring it if it was not): also the undo of a removal."""
    story = get_object_or_404(Story, pk=pk, user=request.user)
    cable = get_object_or_404(Cable, pk=request.POST.get("cable_id", ""))
    bookmark, _ = CableBookmark.objects.get_or_create(user=request.user, cable=cable)
    StoryCable.objects.get_or_create(story=story, bookmark=bookmark)
    messages.success(request, f"{cable.pk} is in “{story.name}”.")
    return redirect(story.get_absolute_url() + f"#cable-{cable.pk}")


@require_POST
@signin_required
def remove_cable(request: HttpRequest, pk: int, cable_id: str) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk, user=request.user)
    removed, _ = StoryCable.objects.filter(
        story=story, bookmark__user=request.user, bookmark__cable_id=cable_id
    ).delete()
    if removed:
        messages.info(request, f"Took {cable_id} out of “{story.name}” (it stays starred).")
        offer_undo(
            request,
            f"Undo: put {cable_id} back",
            reverse("bookmarks:story_add", args=[story.pk]),
            [("cable_id", cable_id)],
        )
    return redirect(story.get_absolute_url())


# -- exports ---------------------------------------------------------------------------------


def _rows(request: HttpRequest, story: Story) -> list[dict]:
    return [
        {
            "cable_id": e.cable.id,
            "date": e.cable.date.isoformat() if e.cable.date else "",
            "origin": e.cable.origin,
            "subject": e.cable.subject,
            "citation": e.citation,
            "cable_url": request.build_absolute_uri(e.cable.get_absolute_url()),
            "note": e.bookmark.note,
            "marked": [
                {"citation": citation(e.cable, f"p{p.number}"), "text": p.text} for p in e.marked
            ],
        }
        for e in entries(story)
    ]


def _attachment(response: HttpResponse, story: Story, ext: str) -> HttpResponse:
    name = slugify(story.name)[:60] or f"story-{story.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@signin_required
def export_story_csv(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk, user=request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in _rows(request, story):
        row["marked"] = "; ".join(m["citation"] for m in row["marked"])
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return _attachment(response, story, "csv")


@require_GET
@signin_required
def export_story_json(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk, user=request.user)
    body = json.dumps(
        {
            "story": story.name,
            "exported_at": timezone.now().isoformat(),
            "cables": _rows(request, story),
        },
        ensure_ascii=False,
        indent=2,
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _attachment(response, story, "json")
