"""The reader in real headless Chromium: next match, next result, copy citation, the thread."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from cables.models import Reference

from .test_views import make_cable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_n_and_p_walk_the_matches_and_the_buttons_too(page, site):
    page.goto(site + "/cables/07MOSCOW5100/?q=missile")
    total = page.locator(".cable-body mark, .cable-header h1 mark").count()
    assert total > 1

    page.keyboard.press("n")
    expect(page.locator(".match-count")).to_have_text(f"match 1 of {total}")
    page.keyboard.press("n")
    expect(page.locator(".match-count")).to_have_text(f"match 2 of {total}")
    page.keyboard.press("p")
    expect(page.locator(".match-count")).to_have_text(f"match 1 of {total}")
    page.get_by_role("button", name="Previous match").click()
    expect(page.locator(".match-count")).to_have_text(f"match {total} of {total}")
    expect(page.locator("mark.is-current")).to_be_focused()


def test_next_result_walks_the_search_it_came_from(page, site):
    page.goto(site + "/search?sort=oldest")
    ids = page.locator(".hit-id").all_inner_texts()
    total = page.locator("#results-heading").inner_text().split()[0]
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(rf"/cables/{ids[0]}/"))
    expect(page.locator(".result-pos")).to_have_text(f"Result 1 of {total}")

    page.get_by_role("link", name="Next result").click()

    page.wait_for_url(re.compile(rf"/cables/{ids[1]}/"))
    expect(page.locator(".result-pos")).to_have_text(f"Result 2 of {total}")
    page.get_by_role("link", name="Next result").click()
    page.wait_for_url(re.compile(rf"/cables/{ids[2]}/"))
    page.get_by_role("link", name="Previous result").click()
    page.wait_for_url(re.compile(rf"/cables/{ids[1]}/"))
    page.locator(".back-link").click()
    page.wait_for_url(re.compile(r"/search\?sort=oldest$"))


def test_hide_marks_keeps_the_paragraph_anchor(page, site):
    page.goto(site + "/cables/07MOSCOW5100/?q=missile#p3")

    page.get_by_role("link", name="Hide marks").click()

    page.wait_for_url(re.compile(r"/cables/07MOSCOW5100/#p3$"))
    assert page.locator("mark").count() == 0


def test_copy_citation_puts_the_paragraph_citation_on_the_clipboard(browser, site):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site + "/cables/07MOSCOW5100/")

    page.locator("#p3 .copy-cite").click()

    expect(page.locator("#copy-status")).to_have_text("Copied “07MOSCOW5100 ¶3”.")
    assert page.evaluate("navigator.clipboard.readText()") == "07MOSCOW5100 ¶3"
    context.close()


def test_the_metadata_is_folded_on_a_phone(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.goto(site + "/cables/07MOSCOW5100/")

    expect(page.locator(".cable-meta")).to_be_hidden()
    page.locator(".cable-meta-box > summary").click()
    expect(page.locator(".cable-meta")).to_be_visible()
    context.close()


def test_the_thread_is_a_dated_timeline_of_links(page, live_server):
    for n, cid in enumerate(("07A1", "07A2", "07A3")):
        make_cable(cid, subject=f"Subject {cid}", date=datetime(2007, 1 + n, 1, tzinfo=UTC))
    Reference.objects.create(cable_id="07A2", position=0, text="A1", cited_id="07A1")
    Reference.objects.create(cable_id="07A3", position=0, text="A2", cited_id="07A2")
    Reference.objects.create(cable_id="07A1", position=0, text="GONE", cited_id="06GONE1")

    page.goto(live_server.url + "/cables/07A2/")
    page.get_by_role("link", name=re.compile("The whole thread")).click()

    items = page.locator(".thread-item")
    expect(items).to_have_count(4)
    assert items.locator("time").all_inner_texts() == ["1 Jan 2007", "1 Feb 2007", "1 Mar 2007"]
    expect(page.locator(".thread-missing")).to_contain_text("06GONE1 not in the library")
    page.get_by_role("link", name="07A3").click()
    page.wait_for_url(live_server.url + "/cables/07A3/")
