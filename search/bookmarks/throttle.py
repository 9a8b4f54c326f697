"""Login throttling: too many failed sign-ins for one username from one address locks it out.

Counted per (username, IP) over a sliding window, kept in the database so every worker process
sees the same count. A locked-out pair is refused before the password is even checked, so a
correct guess during the lockout gains nothing. A successful sign-in clears the pair's failures.

Settings (with defaults): CABLESEARCH_LOGIN_MAX_FAILURES = 5,
CABLESEARCH_LOGIN_WINDOW_SECONDS = 900 (15 minutes), CABLESEARCH_TRUSTED_PROXIES = 0.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import LoginAttempt


def max_failures() -> int:
    return int(getattr(settings, "CABLESEARCH_LOGIN_MAX_FAILURES", 5))


def window() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "CABLESEARCH_LOGIN_WINDOW_SECONDS", 900)))


def trusted_proxies() -> int:
    return max(0, int(getattr(settings, "CABLESEARCH_TRUSTED_PROXIES", 0)))


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or with N trusted proxies in front (each appending
    to X-Forwarded-For), the Nth entry from the right of X-Forwarded-For.

    Entries left of that are whatever the client wrote: trusting them would let an attacker
    pick a fresh "address" per try. Behind a proxy with N = 0 every client shares the proxy's
    address, so one attacker's failures would lock everybody out of that username."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    hops = trusted_proxies()
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return _address(forwarded[-hops]) or remote
    return remote


def _address(text: str) -> str | None:
    # Only real addresses reach the database (PostgreSQL's inet column refuses anything else).
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def normalize_username(username: str) -> str:
    return (username or "").strip().casefold()[:150]


@dataclass(frozen=True, slots=True)
class Lockout:
    failures: int
    retry_after_seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after_seconds / 60))


def lockout(username: str, ip: str | None) -> Lockout | None:
    """The lockout in force for this pair, or None when it may try to sign in."""
    now = timezone.now()
    recent = list(
        LoginAttempt.objects.filter(
            username=normalize_username(username), ip=ip, created_at__gt=now - window()
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: max_failures()]
    )
    if len(recent) < max_failures():
        return None
    # Locked until the oldest of the last N failures leaves the window.
    until = recent[-1] + window()
    return Lockout(
        failures=len(recent), retry_after_seconds=max(1, int((until - now).total_seconds()))
    )


@contextmanager
def _pair_turn(name: str, ip: str | None) -> Iterator[None]:
    """Attempts of one (username, address) pair record and count one at a time.

    PostgreSQL hands out row ids before the rows commit, so an attempt could count the rows
    before its own while an earlier id was still uncommitted, and miss it: 6 of 24 concurrent
    wrong passwords were checked once in CI. A transaction-level advisory lock per pair orders
    them. SQLite has one writer: its inserts commit in the order of their ids already."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"login {name} {ip}"])
        yield


def begin_attempt(username: str, ip: str | None) -> tuple[int | None, Lockout | None]:
    """Record a sign-in attempt before its password is checked, then judge it.

    Recording first makes the limit hold under concurrency: each attempt counts the attempts
    recorded before its own row (by id), so of 24 wrong passwords sent at once only the first
    ``max_failures`` are checked. (Checking, then recording, let every concurrent attempt see
    the same low count.) Returns (the attempt's row id, to forget it if it does not count as a
    failure; the lockout, when the attempt is refused: its row is gone then).
    """
    now = timezone.now()
    LoginAttempt.objects.filter(created_at__lte=now - window()).delete()
    name = normalize_username(username)
    with _pair_turn(name, ip):
        row = LoginAttempt.objects.create(username=name, ip=ip, created_at=now)
        earlier = list(
            LoginAttempt.objects.filter(
                username=name, ip=ip, created_at__gt=now - window(), pk__lt=row.pk
            )
            .order_by("-pk")
            .values_list("created_at", flat=True)[: max_failures()]
        )
        if len(earlier) < max_failures():
            return row.pk, None
        row.delete()  # a refused attempt is not a failure: the lockout ends when it would have
    until = min(earlier) + window()
    return None, Lockout(
        failures=len(earlier), retry_after_seconds=max(1, int((until - now).total_seconds()))
    )


def forget_attempt(attempt: int | None) -> None:
    """The attempt did not fail on its password (signed in, or refused for another reason)."""
    if attempt is not None:
        LoginAttempt.objects.filter(pk=attempt).delete()


def record_failure(username: str, ip: str | None) -> None:
    now = timezone.now()
    LoginAttempt.objects.filter(created_at__lte=now - window()).delete()
    LoginAttempt.objects.create(username=normalize_username(username), ip=ip, created_at=now)


def clear_failures(username: str, ip: str | None) -> None:
    LoginAttempt.objects.filter(username=normalize_username(username), ip=ip).delete()
