"""Receivers connected in apps.py."""

from __future__ import annotations

from django.http import HttpRequest

from . import throttle


def clear_login_failures(
    sender: object, request: HttpRequest | None, user: object, **kwargs
) -> None:
    # Any successful sign-in (the site's form, the admin's) wipes that pair's failure count.
    if request is not None:
        throttle.clear_failures(user.get_username(), throttle.client_ip(request))
