from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from search.bookmarks.models import LoginAttempt

from .conftest import PASSWORD

LOGIN = "/accounts/login/"


def sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1", **params):
    return client.post(
        LOGIN, {"username": username, "password": password, **params}, REMOTE_ADDR=ip
    )


def fail(client: Client, times: int, username: str = "alice", ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert sign_in(client, username, "wrong", ip).status_code == 200


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_in_with_the_right_password(client, alice):
    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_sign_in_returns_to_the_exact_page_with_its_query(client, alice):
    next_url = "/search?q=missile+defense&country=JA&country=RS&page=2"

    response = sign_in(client, "alice", PASSWORD, next=next_url)

    assert response.url == next_url


def test_the_login_page_carries_next_into_its_form(client, db):
    response = client.get(LOGIN, {"next": "/search?q=nato&tag=PREL"})

    assert 'name="next" value="/search?q=nato&amp;tag=PREL"' in response.text


def test_sign_in_never_redirects_off_site(client, alice):
    response = sign_in(client, "alice", PASSWORD, next="https://evil.example/phish")

    assert response.url == "/"


def test_a_wrong_password_is_refused_and_counted(client, alice):
    response = sign_in(client, "alice", "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert LoginAttempt.objects.filter(username="alice", ip="10.0.0.1").count() == 1


def test_five_failures_lock_out_even_the_right_password(client, alice):
    fail(client, 5)

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert int(response["Retry-After"]) > 0
    assert not is_signed_in(client)


def test_four_failures_do_not_lock_out(client, alice):
    fail(client, 4)

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_lockout_says_how_long_to_wait(client, alice):
    fail(client, 5)

    response = sign_in(client, "alice", "wrong")

    assert "Try again in 15 minutes." in response.text


def test_the_lockout_counts_usernames_case_blind(client, alice):
    fail(client, 5, username="ALICE")

    assert sign_in(client, "alice", PASSWORD).status_code == 429


def test_the_lockout_is_per_address(client, alice):
    fail(client, 5, ip="10.0.0.1")

    assert sign_in(client, "alice", PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_lockout_is_per_username(client, alice, bob):
    fail(client, 5, username="alice")

    assert sign_in(client, "bob", PASSWORD).status_code == 302


def test_the_lockout_lifts_when_the_failures_age_out(client, alice):
    fail(client, 5)
    LoginAttempt.objects.update(
        created_at=LoginAttempt.objects.first().created_at - timedelta(minutes=16)
    )

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_window_follows_the_settings(client, alice, settings):
    settings.CABLESEARCH_LOGIN_MAX_FAILURES = 2
    fail(client, 2)

    assert sign_in(client, "alice", PASSWORD).status_code == 429


def test_a_refused_attempt_while_locked_does_not_extend_the_count(client, alice):
    fail(client, 5)
    sign_in(client, "alice", "wrong")

    assert LoginAttempt.objects.count() == 5


def test_signing_in_clears_the_failures(client, alice):
    fail(client, 3)

    sign_in(client, "alice", PASSWORD)

    assert not LoginAttempt.objects.filter(username="alice").exists()


def test_old_failures_are_pruned(client, alice, bob):
    fail(client, 1, username="bob")
    LoginAttempt.objects.update(
        created_at=LoginAttempt.objects.get().created_at - timedelta(days=1)
    )

    fail(client, 1, username="alice")

    assert list(LoginAttempt.objects.values_list("username", flat=True)) == ["alice"]


def test_sign_out_needs_a_post(alice_client):
    alice_client.post(reverse("logout"))

    assert not is_signed_in(alice_client)


def test_signup_is_off_by_default(client, db):
    assert client.get("/accounts/signup/").status_code == 404
    assert client.post("/accounts/signup/", {"username": "eve"}).status_code == 404


def test_the_login_page_says_to_ask_an_administrator_when_signup_is_off(client, db):
    assert "Ask an administrator" in client.get(LOGIN).text


@pytest.fixture
def signup_on(settings):
    settings.CABLESEARCH_ALLOW_SIGNUP = True


def test_signup_creates_the_account_signs_in_and_returns(client, signup_on, db):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "carol",
            "password1": "a long enough pass phrase",
            "password2": "a long enough pass phrase",
            "next": "/search?q=nato",
        },
    )

    assert response.url == "/search?q=nato"
    assert get_user_model().objects.filter(username="carol").exists()
    assert is_signed_in(client)


def test_signup_shows_form_errors(client, signup_on, db):
    response = client.post(
        "/accounts/signup/", {"username": "carol", "password1": "x", "password2": "y"}
    )

    assert response.status_code == 200
    assert "password fields didn" in response.text
    assert not get_user_model().objects.filter(username="carol").exists()


def test_password_change_needs_signing_in(client, db):
    response = client.get("/accounts/password_change/")

    assert response.status_code == 302
    assert response.url.startswith(LOGIN + "?next=")


def test_password_change(alice_client, alice):
    response = alice_client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another long pass phrase",
            "new_password2": "another long pass phrase",
        },
    )

    assert response.url == "/accounts/password_change/done/"
    alice.refresh_from_db()
    assert alice.check_password("another long pass phrase")
    assert alice_client.get(response.url).status_code == 200


def test_the_admin_sign_in_is_throttled_too(client, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "boss", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )

    response = client.post(
        "/admin/login/", {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )

    assert "Too many failed sign-in attempts" in response.text
    assert not is_signed_in(client)


def test_signing_in_through_the_admin_clears_the_failures(client, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    fail(client, 3, username="boss")

    client.post("/admin/login/", {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")

    assert not LoginAttempt.objects.exists()


def test_an_administrator_lifts_a_lockout_by_deleting_the_failures(client, alice, admin_client):
    fail(client, 5)
    ids = list(LoginAttempt.objects.values_list("pk", flat=True))

    admin_client.post(
        "/admin/bookmarks/loginattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_admin_sign_in_lockout_answers_429_with_retry_after(client, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "boss", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )

    response = client.post(
        "/admin/login/", {"username": "boss", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
    )

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
