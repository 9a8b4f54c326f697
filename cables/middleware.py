"""Refuse request bodies over the limit before anything reads them.

Django parses a POST body when anything first touches ``request.POST``: the CSRF check does, for
every POST, signed in or not, and a multipart body is written to temporary files as it arrives.
So the size is judged here, from Content-Length, before the CSRF middleware runs: a body over
its limit is never read. (The WSGI server never hands the app more than Content-Length bytes.)
The limit is CABLESEARCH_MAX_UPLOAD_BYTES for staff on the upload page and
DATA_UPLOAD_MAX_MEMORY_SIZE (Django's limit on form data) for every other request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from cables.admin import UploadForm, declared_length, upload_too_big
from cables.models import ImportJob

ORDINARY_LIMIT = 2_621_440  # Django's default DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size = declared_length(request)
        ordinary = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or ORDINARY_LIMIT
        if size <= ordinary:
            return self.get_response(request)
        if request.path == reverse("admin:cables_importjob_upload"):
            user = get_user(request)
            if user.is_active and user.is_staff:
                limit = settings.CABLESEARCH_MAX_UPLOAD_BYTES
                if size <= limit:
                    return self.get_response(request)
                request.user = user  # the admin page needs it; AuthenticationMiddleware is later
                model_admin = admin.site.get_model_admin(ImportJob)
                page = model_admin.upload_page(request, UploadForm(), upload_too_big(size, limit))
                return _unread(page.render())
        response = HttpResponse(
            f"Request body too large: {size:,} bytes; the limit is {ordinary:,}.\n",
            status=413,
            content_type="text/plain; charset=utf-8",
        )
        return _unread(response)


def _unread(response: HttpResponse) -> HttpResponse:
    # A length, so the client reads the answer without waiting for the connection to end.
    # (The server may still read and discard the unread body; nothing of it is stored.)
    response["Content-Length"] = str(len(response.content))
    return response
