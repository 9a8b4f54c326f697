"""The whole bookmark journey in a real headless Chromium against a live server."""

from __future__ import annotations

import shutil
from xml.etree import ElementTree

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from .conftest import PASSWORD, RS_CABLES

SEARCH = "/search?q=missile+defense&country=RS"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def import_ids(corpus_texts, tmp_path, index_dir):
    """Import corpus cables with the real importer (committed for real: the server sees them)."""

    def run(*cable_ids: str) -> None:
        folder = tmp_path / "-".join(cable_ids)
        folder.mkdir()
        for cid in cable_ids:
            shutil.copy(corpus_texts / f"{cid}.txt", folder)
        call_command("import_cables", str(folder), quiet=True)

    return run


def result_ids(page) -> list[str]:
    """The cables listed, in order, read from our own stars (one per result row)."""
    labels = page.locator(".bm-star .visually-hidden").all_inner_texts()
    return [label.rsplit(" ", 1)[-1] for label in labels]


def feed_ids(page, url: str) -> list[str]:
    response = page.request.get(url)  # no session cookie is needed: the token is the key
    assert response.status == 200
    root = ElementTree.fromstring(response.body())
    return [
        e.find(f"{ATOM}id").text.rstrip("/").rsplit("/", 1)[-1] for e in root.iter(f"{ATOM}entry")
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_in_save_star_reload_and_reopen(page, live_server, import_ids):
    get_user_model().objects.create_user("alice", password=PASSWORD)
    import_ids(*RS_CABLES[:3], "05THEHAGUE2064")
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )

    # Anonymous on a search page: signing in brings her back to the same URL.
    page.goto(live_server.url + SEARCH)
    before = result_ids(page)
    assert sorted(before) == sorted(RS_CABLES[:3])
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + SEARCH)

    # Save the search under its suggested name (htmx swaps the form for the saved name).
    assert page.input_value("#bm-save-search-name") == "missile defense · country: RS"
    page.get_by_role("button", name="Save search").click()
    page.locator(".bm-saved", has_text="Saved as").wait_for()

    # Star the first result in place.
    first = before[0]
    star = page.get_by_role("button", name=f"Bookmark {first}")
    assert star.get_attribute("aria-pressed") == "false"
    star.click()
    page.locator(f"button[aria-pressed=true]:has-text('Bookmark {first}')").wait_for()

    # Both are on the bookmarks page after a reload.
    page.goto(live_server.url + "/bookmarks/")
    page.reload()
    assert page.locator(".bm-cable", has_text=first).count() == 1
    opener = page.get_by_role("button", name="missile defense · country: RS")
    assert page.locator(".bm-search", has_text="3 cables").count() == 1

    # Opening the saved search shows the same results at the same URL.
    opener.click()
    page.wait_for_url(live_server.url + SEARCH)
    assert result_ids(page) == before
    assert page.get_by_role("button", name=f"Bookmark {first}").get_attribute("aria-pressed") == (
        "true"
    )

    # A matching cable imported later appears in the saved search's feed.
    page.goto(live_server.url + "/bookmarks/")
    feed_url = page.locator(".bm-feed-url").input_value()
    assert "08ROME1386" not in feed_ids(page, feed_url)
    import_ids("08ROME1386")
    assert "08ROME1386" in feed_ids(page, feed_url)

    assert violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_in_after_searching_as_you_type_returns_to_the_typed_search(
    page, live_server, import_ids
):
    get_user_model().objects.create_user("alice", password=PASSWORD)
    import_ids(*RS_CABLES[:2])
    page.goto(live_server.url + "/search")

    with page.expect_response(lambda r: "q=missile" in r.url):
        page.fill("#q", "missile")
    page.wait_for_function("location.search.includes('q=missile')")
    typed = page.evaluate("location.pathname + location.search")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(live_server.url + typed)
