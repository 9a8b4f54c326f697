"""Fixtures for the accounts and bookmarks tests: users, signed-in clients, cables in the DB."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from cables.models import Cable

PASSWORD = "correct horse battery staple"


def make_cable(
    cable_id: str, subject: str = "", *, imported: datetime | None = None, **extra
) -> Cable:
    at = imported or timezone.now()
    return Cable.objects.create(
        id=cable_id,
        subject=subject,
        date=extra.pop("date", datetime(2007, 10, 22, 15, 3, tzinfo=UTC)),
        classification=extra.pop("classification", "CONFIDENTIAL"),
        origin=extra.pop("origin", "Embassy Moscow"),
        content_hash=cable_id,
        first_imported=at,
        last_imported=at,
        **extra,
    )


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD)


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", password=PASSWORD)


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob) -> Client:
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def cable(db) -> Cable:
    return make_cable("07MOSCOW5100", "Russia: missile defense talks")
