"""The search page for keyboard and phone users, in real headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def luminance(rgb: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (float(x) for x in re.findall(r"[\d.]+", rgb)[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_the_filters_are_a_few_tabs_from_the_search_box(page, site):
    page.goto(site + "/search?q=missile")
    page.locator("#q").focus()

    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('to-filters')"):
            break
    assert page.evaluate("document.activeElement.textContent").startswith("Skip to the filters")
    page.keyboard.press("Enter")
    expect(page.locator("#facets-heading")).to_be_focused()
    page.keyboard.press("Tab")  # the phone-only "Show the cables" link is hidden here
    assert page.evaluate("document.activeElement.classList.contains('facet-toggle')")


def test_the_focus_ring_has_at_least_3_to_1_contrast_on_white(page, site):
    page.goto(site + "/search?q=missile")
    page.locator("#q").focus()
    page.keyboard.press("Tab")

    color = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    ratio = (1.0 + 0.05) / (luminance(color) + 0.05)

    assert ratio >= 3


def test_exclude_controls_and_page_links_are_at_least_24_px(page, site):
    page.goto(site + "/search")

    for selector in (".facet-exclude", ".pager a", ".bm-star", ".facet-check", ".sort a"):
        box = page.locator(selector).first.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, selector


def test_previous_next_and_page_size(page, site):
    page.goto(site + "/search?size=10")
    expect(page.locator(".hit")).to_have_count(10)

    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(re.compile(r"size=10&page=2$"))
    page.get_by_role("link", name="← Previous").click()
    page.wait_for_url(re.compile(r"/search\?size=10$"))
    page.get_by_role("link", name="20 results per page").click()
    page.wait_for_url(re.compile(r"/search\?size=20$"))
    expect(page.locator(".hit")).to_have_count(20)


def test_on_a_phone_the_results_are_one_tap_away_after_ticking(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(site + "/search?q=missile")
    value = page.locator(".facet-check").nth(3)
    value.scroll_into_view_if_needed()
    value.click()
    page.wait_for_url(re.compile(r"&"))

    jump = page.locator(".to-results")
    expect(jump).to_be_in_viewport()
    jump.click()
    expect(page.locator("#results-heading")).to_be_in_viewport()
    context.close()


def test_the_histogram_spans_the_results_own_years(page, site):
    page.goto(site + "/search?from=2007-01-01&to=2008-12-31")
    years = [
        int(y) for y in page.locator("a.bar").evaluate_all("els => els.map(e => e.dataset.year)")
    ]

    assert years and min(years) >= 2007 and max(years) <= 2008


def test_dragging_across_bars_filters_to_that_range(page, site):
    page.goto(site + "/search")
    bars = page.locator("a.bar[data-year]")
    first, last = bars.first, bars.nth(2)
    lo, hi = first.get_attribute("data-year"), last.get_attribute("data-year")
    a, b = first.bounding_box(), last.bounding_box()

    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] - 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] - 2, steps=5)
    page.mouse.up()

    page.wait_for_url(re.compile(rf"from={lo}-01-01&to={hi}-12-31"))
    expect(page.locator("#from")).to_have_value(f"{lo}-01-01")


def test_a_range_of_years_from_the_keyboard(page, site):
    page.goto(site + "/search")
    bars = page.locator("a.bar[data-year]")
    lo, hi = bars.first.get_attribute("data-year"), bars.nth(1).get_attribute("data-year")
    bars.first.focus()

    page.keyboard.press("Shift+ArrowRight")
    expect(bars.nth(1)).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"from={lo}-01-01&to={hi}-12-31"))
