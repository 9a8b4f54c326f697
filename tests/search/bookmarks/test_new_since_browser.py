"""New since, in real headless Chromium: "N new" opens exactly the new cables, marked new."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from .conftest import PASSWORD, RS_CABLES
from .test_browser import import_ids  # noqa: F401 - the fixture
from .test_stories_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_n_new_opens_exactly_the_new_cables(page, live_server, import_ids):  # noqa: F811
    get_user_model().objects.create_user("alice", password=PASSWORD)
    import_ids(*RS_CABLES[:2])
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/search?q=missile+defense&country=RS")
    page.get_by_role("button", name="Save search").click()
    page.locator(".bm-saved").wait_for()
    import_ids(*RS_CABLES[2:], "05THEHAGUE2064")  # two match, one does not

    page.goto(live_server.url + "/bookmarks/")
    page.get_by_role("button", name=re.compile(r"^2 new")).click()

    page.wait_for_url(re.compile(r"/search\?q=missile\+defense&country=RS&added="))
    expect(page.locator(".hit")).to_have_count(2)
    assert sorted(page.locator(".hit-id").all_inner_texts()) == sorted(RS_CABLES[2:])
    expect(page.locator(".chip", has_text="added after")).to_be_visible()
    # Opening reset what is new: back on /bookmarks/ nothing is new any more.
    page.goto(live_server.url + "/bookmarks/")
    expect(page.locator(".bm-new")).to_have_count(0)


def test_recently_added_is_a_sort_of_the_search_page(page, live_server, import_ids):  # noqa: F811
    import_ids(*RS_CABLES)
    page.goto(live_server.url + "/search?q=missile")

    page.get_by_role("link", name="Recently added").click()

    page.wait_for_url(re.compile(r"sort=added"))
    expect(page.locator(".sort-current")).to_have_text("Recently added")
    expect(page.locator(".hit .badge-new").first).to_be_visible()
