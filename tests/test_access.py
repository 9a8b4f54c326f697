"""Access: CSRF on every POST endpoint, staff-only imports, throttled sign-in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

SAMPLE_VALUES = {"int": "1", "str": "07MOSCOW5100", "slug": "x", "path": "x/y", "uuid": ""}
SAMPLE_VALUES["uuid"] = "12345678-1234-5678-1234-567812345678"
NAMED_GROUP_RE = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


def _concrete(pattern) -> str:
    """A path matching one URL pattern, with sample values for its parameters."""
    text = str(pattern.pattern)
    if isinstance(pattern.pattern, RoutePattern):
        return re.sub(
            r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES.get(m.group(1) or "str", "x"), text
        )

    # A regex: fill named groups with a value their own sub-pattern accepts.
    def fill(match: re.Match) -> str:
        group = match.group(0)
        for candidate in ("1", "auth", "user", "cables", "x", "07MOSCOW5100"):
            if re.fullmatch(group, candidate):
                return candidate
        return "x"

    text = NAMED_GROUP_RE.sub(fill, text)
    return text.lstrip("^").rstrip("$").replace("\\.", ".").replace("\\Z", "")


def all_paths(patterns=None, prefix: str = "/") -> list[str]:
    """One concrete path per URL pattern of the project (admin included)."""
    paths: list[str] = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        piece = _concrete(pattern)
        if isinstance(pattern, URLResolver):
            paths.extend(all_paths(pattern.url_patterns, prefix + piece))
        elif isinstance(pattern, URLPattern):
            paths.append(prefix + piece)
    return sorted(set(paths))


PATHS = all_paths()


def test_the_url_walk_finds_the_post_endpoints():
    for expected in ("/accounts/login/", "/bookmarks/searches/", "/admin/login/", "/admin/"):
        assert expected in PATHS


@pytest.fixture
def csrf_client(django_user_model) -> Client:
    """A signed-in superuser whose client enforces CSRF like a browser session would."""
    client = Client(enforce_csrf_checks=True)
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-tests-only")
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", PATHS)
def test_every_endpoint_refuses_a_post_without_a_csrf_token(csrf_client, path):
    response = csrf_client.post(path, {"q": "x", "name": "x", "note": "x"})

    assert response.status_code == 403, f"{path} answered {response.status_code}"


def test_a_post_with_the_token_gets_through(csrf_client):
    # The control for the test above: the same kind of request with a token is not refused.
    csrf_client.get("/search")
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post("/bookmarks/searches/", {"q": "x", "csrfmiddlewaretoken": token})

    assert response.status_code != 403


def test_a_post_with_a_forged_token_is_refused(csrf_client):
    csrf_client.get("/search")

    response = csrf_client.post("/bookmarks/searches/", {"q": "x", "csrfmiddlewaretoken": "A" * 64})

    assert response.status_code == 403


def test_a_cross_origin_post_with_a_valid_token_is_refused(csrf_client):
    csrf_client.get("/search")
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post(
        "/bookmarks/searches/",
        {"q": "x", "csrfmiddlewaretoken": token},
        headers={"Origin": "https://evil.example.com"},
    )

    assert response.status_code == 403


# -- sign-in throttling (implemented in search/bookmarks/throttle.py; tested end to end here) --


def test_sign_in_is_throttled_after_repeated_failures(django_user_model, settings):
    django_user_model.objects.create_user("alice", "alice@example.org", "right-password-1")
    client = Client()
    for _ in range(settings.CABLESEARCH_LOGIN_MAX_FAILURES):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "right-password-1"}
    )

    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert b"Too many" in response.content or b"too many" in response.content


# -- imports are for staff only --------------------------------------------------------------

IMPORT_PAGES = [
    "/admin/cables/importjob/",
    "/admin/cables/importjob/upload/",
    "/admin/cables/importjob/{job}/change/",
    "/admin/cables/importjob/{job}/progress/",
]


@pytest.fixture
def job(django_user_model):
    from cables.models import ImportJob

    return ImportJob.objects.create(files=["a.txt"])


@pytest.fixture
def reader(django_user_model) -> Client:
    """A signed-in user who is not staff."""
    client = Client()
    client.force_login(django_user_model.objects.create_user("reader", "r@example.org", "pw"))
    return client


@pytest.fixture
def staff(django_user_model) -> Client:
    """A staff member with no particular permissions."""
    client = Client()
    user = django_user_model.objects.create_user("clerk", "c@example.org", "pw", is_staff=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("page", IMPORT_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in_for_import_pages(client, job, page):
    response = client.get(page.format(job=job.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("page", IMPORT_PAGES)
def test_signed_in_non_staff_users_cannot_see_import_pages(reader, job, page):
    response = reader.get(page.format(job=job.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("page", IMPORT_PAGES)
def test_staff_can_see_import_pages(staff, job, page):
    assert staff.get(page.format(job=job.pk)).status_code == 200


def test_non_staff_users_cannot_upload(reader, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cables.models import ImportJob

    seed = (Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "seed").glob(
        "*.txt"
    )
    files = [SimpleUploadedFile(path.name, path.read_bytes()) for path in seed]
    with django_capture_on_commit_callbacks(execute=True):
        response = reader.post("/admin/cables/importjob/upload/", {"files": files})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not ImportJob.objects.exists()


def test_the_import_jobs_are_not_listed_for_non_staff_on_the_public_site(reader, job):
    for page in ("/", "/search", "/bookmarks/"):
        assert b"importjob" not in reader.get(page).content
