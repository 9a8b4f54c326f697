import pytest
from django.test import RequestFactory

from search.bookmarks.throttle import client_ip


def request(remote: str = "10.0.0.1", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    assert client_ip(request("10.0.0.1", "203.0.113.7")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is not believed
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
        (1, "", "127.0.0.1"),
        (1, "not-an-address", "127.0.0.1"),
        (2, "203.0.113.7", "127.0.0.1"),  # fewer entries than proxies: not through them all
    ],
)
def test_behind_trusted_proxies(settings, hops, forwarded, expected):
    settings.CABLESEARCH_TRUSTED_PROXIES = hops

    assert client_ip(request("127.0.0.1", forwarded)) == expected


def test_behind_a_proxy_failures_are_counted_per_client(client, alice, settings):
    settings.CABLESEARCH_TRUSTED_PROXIES = 1
    for _ in range(5):
        client.post(
            "/accounts/login/",
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )

    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "correct horse battery staple"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.5",
    )

    assert response.status_code == 302


def test_a_remote_addr_that_is_not_an_address_is_none():
    assert client_ip(request("unix:/run/gunicorn.sock")) is None


def test_failures_from_an_unknown_address_are_still_counted(client, alice):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "x"}, REMOTE_ADDR="")

    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "correct horse battery staple"},
        REMOTE_ADDR="",
    )

    assert response.status_code == 429
