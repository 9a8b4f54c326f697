"""Fixtures for the accounts and bookmarks tests: users, signed-in clients, cables in the DB."""

from __future__ import annotations

import shutil
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
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


# Real cables from the shared corpus. All mention missile defense; all but THEHAGUE carry RS.
RS_CABLES = ("07PARIS1995", "07PARIS3919", "07PARIS4357", "08ROME1386")
OTHER_CABLES = ("05THEHAGUE2064",)
MISSILE_RS = "q=missile+defense&country=RS"


@pytest.fixture(scope="session")
def corpus_texts(corpus_dir, tmp_path_factory) -> Path:
    """The few corpus cables these tests import, extracted once per session."""
    wanted = {f"{cid}.txt" for cid in (*RS_CABLES, *OTHER_CABLES)}
    target = tmp_path_factory.mktemp("bookmark-cables")
    with tarfile.open(corpus_dir / "cables-text.tar.xz") as tar:
        for member in tar:
            name = Path(member.name).name
            if member.isfile() and name in wanted:
                (target / name).write_bytes(tar.extractfile(member).read())
    assert sorted(p.name for p in target.iterdir()) == sorted(wanted)
    return target


@pytest.fixture
def importer(db, corpus_texts, tmp_path, index_dir, django_capture_on_commit_callbacks):
    """import_cables(*ids): the real importer, and the index following it through its signal."""

    def run(*cable_ids: str) -> None:
        folder = tmp_path / f"import-{len(list(tmp_path.glob('import-*')))}"
        folder.mkdir()
        for cid in cable_ids:
            shutil.copy(corpus_texts / f"{cid}.txt", folder / f"{cid}.txt")
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_cables", str(folder), quiet=True)

    return run
