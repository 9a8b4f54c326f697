"""The signed-in user's bookmarks as CSV and JSON: saved searches and starred cables."""

from __future__ import annotations

import csv
import json

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from search.spreadsheet import safe_cell

from .models import CableBookmark, SavedSearch
from .views import signin_required

CSV_COLUMNS = [
    "kind",
    "name",
    "search_url",
    "cable_id",
    "subject",
    "cable_url",
    "note",
    "created_at",
    "last_opened_at",
]


def _iso(value: object) -> str:
    return value.isoformat() if value else ""


def export_rows(request: HttpRequest) -> tuple[list[dict], list[dict]]:
    searches = [
        {
            "name": saved.name,
            "query": saved.query,
            "search_url": request.build_absolute_uri(saved.search_url),
            "created_at": _iso(saved.created_at),
            "last_opened_at": _iso(saved.last_opened_at),
        }
        for saved in SavedSearch.objects.filter(user=request.user)
    ]
    cables = [
        {
            "cable_id": bookmark.cable_id,
            "subject": bookmark.cable.subject,
            "cable_url": request.build_absolute_uri(bookmark.cable.get_absolute_url()),
            "note": bookmark.note,
            "created_at": _iso(bookmark.created_at),
        }
        for bookmark in CableBookmark.objects.filter(user=request.user).select_related("cable")
    ]
    return searches, cables


def _attachment(response: HttpResponse, ext: str) -> HttpResponse:
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="cablesearch-bookmarks-{stamp}.{ext}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@signin_required
def export_csv(request: HttpRequest) -> HttpResponse:
    searches, cables = export_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in searches:
        writer.writerow({k: safe_cell(v) for k, v in {"kind": "search", **row}.items()})
    for row in cables:
        writer.writerow({k: safe_cell(v) for k, v in {"kind": "cable", **row}.items()})
    return _attachment(response, "csv")


@require_GET
@signin_required
def export_json(request: HttpRequest) -> HttpResponse:
    searches, cables = export_rows(request)
    body = json.dumps(
        {
            "user": request.user.get_username(),
            "exported_at": timezone.now().isoformat(),
            "saved_searches": searches,
            "cable_bookmarks": cables,
        },
        ensure_ascii=False,
        indent=2,
    )
    return _attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), "json")
