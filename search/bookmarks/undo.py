"""Deletes that can be taken back: one pending "Undo" per user session, for deletes done by a
plain (non-htmx) POST, and the confirmation page for those that cannot be undone.

The view that deletes something offers a form that puts it back (its action and fields); the
next page shows that form beside the message, once. htmx swaps show their own undo button.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

SESSION_KEY = "bookmarks_undo"


def offer_undo(
    request: HttpRequest, label: str, action: str, fields: list[tuple[str, str]]
) -> None:
    request.session[SESSION_KEY] = {"label": label, "action": action, "fields": fields}


def pop_undo(request: HttpRequest) -> dict | None:
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return None
    return session.pop(SESSION_KEY)


def confirm_delete(
    request: HttpRequest, *, what: str, consequence: str, action: str, cancel: str
) -> HttpResponse:
    """The page asking to confirm a delete that cannot be undone (GET of a delete URL): what
    goes, what that means, a POST button to ``action`` and a way back to ``cancel``."""
    return render(
        request,
        "bookmarks/confirm_delete.html",
        {"what": what, "consequence": consequence, "action": action, "cancel": cancel},
    )
