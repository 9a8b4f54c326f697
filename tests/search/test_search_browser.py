"""The search page and the cable page in real headless Chromium (Playwright, Debian chromium)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def count_of(page) -> int:
    text = page.locator("#results-heading").inner_text()
    return int(text.split()[0]) if text[0].isdigit() else 0


def hit_ids(page) -> list[str]:
    return page.locator(".hit-id").all_inner_texts()


def mark_document(page) -> None:
    """Tag the loaded document: the tag survives htmx swaps but not a full page load."""
    page.evaluate("window.__sameDocument = true")


def same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def test_typing_a_query_updates_results_and_url(page, site):
    page.goto(site + "/search")
    everything = count_of(page)
    mark_document(page)
    entries = page.evaluate("history.length")

    page.locator("#q").press_sequentially("missile")

    page.wait_for_url(re.compile(r"/search\?q=missile$"))
    expect(page.locator("#results-heading")).not_to_have_text(f"{everything} cables")
    expect(page.locator(".hit-title").first).to_be_visible()
    assert 0 < count_of(page) < everything
    expect(page.locator("#result-status")).to_contain_text("found for missile")
    expect(page.locator("#q")).to_be_focused()
    assert same_document(page)
    assert page.evaluate("history.length") == entries  # typing replaces, never pushes


def test_submitting_the_form_pushes_a_history_entry(page, site):
    page.goto(site + "/search")
    entries = page.evaluate("history.length")

    page.locator("#q").fill("missile")
    page.locator("#q").press("Enter")

    page.wait_for_url(re.compile(r"/search\?q=missile$"))
    expect(page.locator("#result-status")).to_contain_text("found for missile")
    assert page.evaluate("history.length") == entries + 1


def test_ticking_a_facet_updates_counts_and_results(page, site):
    page.goto(site + "/search?q=missile")
    before = count_of(page)
    subject_counts = page.locator("#facet-tag-body .facet-count").all_inner_texts()
    japan = page.locator("#fv-country-JA")
    expect(japan).to_have_attribute("aria-checked", "false")
    mark_document(page)

    japan.click()

    page.wait_for_url(re.compile(r"/search\?q=missile&country=JA$"))
    expect(page.locator("#fv-country-JA")).to_have_attribute("aria-checked", "true")
    expect(page.locator(".chip-remove")).to_contain_text("JA - Japan")
    assert 0 < count_of(page) < before
    assert page.locator("#facet-tag-body .facet-count").all_inner_texts() != subject_counts
    expect(page.locator("#fv-country-JA")).to_be_focused()
    expect(page.locator("#facet-country-toggle")).to_have_attribute("aria-expanded", "true")
    assert same_document(page)


def test_typing_keeps_the_chosen_filters(page, site):
    page.goto(site + "/search?q=missile")
    page.locator("#fv-country-JA").click()
    page.wait_for_url(re.compile(r"country=JA$"))

    page.locator("#q").press("End")
    page.locator("#q").press_sequentially(" lavrov")

    page.wait_for_url(re.compile(r"/search\?q=missile\+lavrov&country=JA$"))
    expect(page.locator("#fv-country-JA")).to_have_attribute("aria-checked", "true")


def test_facets_work_from_the_keyboard(page, site):
    page.goto(site + "/search?q=missile")
    page.locator("#fv-country-JA").focus()

    page.keyboard.press("Space")

    page.wait_for_url(re.compile(r"country=JA$"))
    expect(page.locator("#fv-country-JA")).to_have_attribute("aria-checked", "true")


def test_a_collapsed_facet_stays_collapsed_after_a_swap(page, site):
    page.goto(site + "/search?q=missile")
    toggle = page.locator("#facet-tag-toggle")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#facet-tag-body")).to_be_hidden()
    page.locator("#fv-country-JA").click()
    page.wait_for_url(re.compile(r"country=JA$"))

    expect(page.locator("#facet-tag-toggle")).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#facet-tag-body")).to_be_hidden()
    expect(page.locator("#facet-country-toggle")).to_have_attribute("aria-expanded", "true")


def test_excluding_a_value_shows_a_struck_through_chip(page, site):
    page.goto(site + "/search?q=missile")

    page.locator("#fv-country-JA-x").click()

    page.wait_for_url(re.compile(r"country=-JA$"))
    expect(page.locator(".chip-excluded")).to_contain_text("JA - Japan")


def test_back_restores_the_previous_state(page, site):
    page.goto(site + "/search?q=missile")
    before, ids = count_of(page), hit_ids(page)
    mark_document(page)
    page.locator("#fv-country-JA").click()
    page.wait_for_url(re.compile(r"country=JA$"))
    expect(page.locator("#fv-country-JA")).to_have_attribute("aria-checked", "true")

    page.go_back()

    page.wait_for_url(re.compile(r"/search\?q=missile$"))
    expect(page.locator("#fv-country-JA")).to_have_attribute("aria-checked", "false")
    expect(page.locator("#q")).to_have_value("missile")
    assert count_of(page) == before
    assert hit_ids(page) == ids
    assert same_document(page)


def test_back_from_a_cable_gives_the_whole_search_page(page, site):
    page.goto(site + "/search?q=missile")
    page.locator("#fv-country-JA").click()  # this URL was last fetched as a fragment
    page.wait_for_url(re.compile(r"country=JA$"))
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/cables/"))

    page.go_back()

    page.wait_for_url(re.compile(r"/search\?q=missile&country=JA$"))
    expect(page.locator("#search-form")).to_be_visible()
    expect(page.locator("#fv-country-JA")).to_have_attribute("aria-checked", "true")
    expect(page.locator(".site-header")).to_be_visible()


def test_a_bookmarked_url_gives_the_same_results(page, site, browser):
    url = site + "/search?q=missile&country=JA&sort=newest"
    page.goto(site + "/search?q=missile")
    page.locator("#fv-country-JA").click()
    page.wait_for_url(re.compile(r"country=JA$"))
    page.get_by_role("link", name="Newest first").click()
    page.wait_for_url(url)
    ids = hit_ids(page)

    page.reload()
    assert hit_ids(page) == ids
    other = browser.new_context().new_page()
    other.goto(url)
    assert hit_ids(other) == ids
    other.context.close()


def test_the_title_follows_the_query(page, site):
    page.goto(site + "/search")

    page.locator("#q").press_sequentially("missile")

    expect(page).to_have_title(re.compile(r"^missile · Search"))


def test_removing_a_chip_puts_the_focus_on_the_results(page, site):
    page.goto(site + "/search?q=missile&country=JA")

    page.locator(".chip-remove").first.focus()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/search\?q=missile$"))
    expect(page.locator("#results-heading")).to_be_focused()


def test_a_date_range_filters_the_results(page, site):
    page.goto(site + "/search?q=missile")

    page.locator("#from").fill("2007-01-01")
    page.locator("#to").fill("2007-12-31")
    page.get_by_role("button", name="Apply dates").click()

    page.wait_for_url(re.compile(r"/search\?q=missile&from=2007-01-01&to=2007-12-31$"))
    expect(page.locator(".chip-remove").first).to_contain_text("2007-01-01")
    dates = page.locator(".hit-meta time").all_inner_texts()
    assert dates and all(d.endswith("2007") for d in dates)


def test_a_histogram_bar_filters_to_its_year(page, site):
    page.goto(site + "/search?q=missile")

    page.locator("#bar-2007").click()

    page.wait_for_url(re.compile(r"/search\?q=missile&year=2007$"))
    expect(page.locator(".chip-remove")).to_contain_text("2007")
    dates = page.locator(".hit-meta time").all_inner_texts()
    assert dates and all(d.endswith("2007") for d in dates)


def test_the_more_list_loads_and_filters(page, site):
    page.goto(site + "/search")
    more = page.locator("#facet-country-more")
    if more.count() == 0:
        pytest.skip("the sample has too few countries for a 'more' list")

    more.locator("summary").click()
    box = more.locator(".facet-filter")
    box.fill("japan")

    visible = more.locator(".facet-values-all li:visible")
    expect(visible).to_have_count(1)
    expect(visible).to_contain_text("JA - Japan")


def test_choosing_from_the_more_list_keeps_it_open_and_focused(page, site):
    page.goto(site + "/search")
    more = page.locator("#facet-country-more")
    more.locator("summary").click()
    value = more.locator(".facet-values-all .facet-check").last
    value_id = value.get_attribute("id")

    value.click()

    page.wait_for_url(re.compile(r"country="))
    expect(page.locator("#facet-country-more")).to_have_attribute("open", "")
    expect(page.locator(f"#{value_id}")).to_have_attribute("aria-checked", "true")
    expect(page.locator(f"#{value_id}")).to_be_focused()


def test_the_page_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/search?q=missile")
    before = count_of(page)

    page.locator("#fv-country-JA").click()
    page.wait_for_url(re.compile(r"country=JA$"))
    assert 0 < count_of(page) < before
    page.locator("#q").fill("lavrov")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"q=lavrov"))
    assert "country=JA" in page.url
    expect(page.locator(".hit-title").first).to_contain_text("LAVROV")
    context.close()


def test_a_cable_opens_at_its_paragraph_with_highlights(page, site):
    page.goto(site + "/search?q=lavrov")

    page.locator(".snippet-para").first.click()

    page.wait_for_url(re.compile(r"/cables/07MOSCOW5100/\?q=lavrov#p\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    paragraph = page.locator(f"#{anchor}")
    expect(paragraph.locator("mark").first).to_have_text(re.compile("lavrov", re.I))
    assert paragraph.evaluate("el => el.matches(':target')")
    top = paragraph.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < 100


def test_the_cable_page_links_back_to_the_search(page, site):
    page.goto(site + "/search?q=missile&country=JA")
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/cables/"))

    page.locator(".back-link").click()

    page.wait_for_url(re.compile(r"/search\?q=missile&country=JA$"))


def test_no_content_security_policy_violations(page, site):
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(site + "/search?q=missile")
    page.locator("#fv-country-JA").click()
    page.wait_for_url(re.compile(r"country=JA$"))
    page.goto(site + "/cables/07MOSCOW5100/?q=missile")
    page.wait_for_load_state("networkidle")

    assert violations == []


def test_no_script_errors_in_a_session(page, site):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site + "/search")
    page.locator("#q").press_sequentially("missile")
    page.wait_for_url(re.compile(r"q=missile$"))
    page.locator("#fv-country-JA").click()
    page.wait_for_url(re.compile(r"country=JA$"))
    page.locator("#facet-tag-toggle").click()
    page.go_back()
    page.wait_for_url(re.compile(r"q=missile$"))
    expect(page.locator("#fv-country-JA")).to_have_attribute("aria-checked", "false")

    assert errors == []


def test_did_you_mean_puts_the_corrected_words_in_the_box(page, site):
    page.goto(site + "/search?q=goverment+officials")
    suggestion = page.locator(".suggestion a")
    expect(suggestion).to_have_text("government officials")

    suggestion.click()

    page.wait_for_url(re.compile(r"q=government\+officials$"))
    expect(page.locator("#q")).to_have_value("government officials")
    page.locator("#q").press("End")
    page.locator("#q").type(" said")
    page.wait_for_url(re.compile(r"q=government\+officials\+said$"))
    assert count_of(page) > 0


def test_all_of_switch_needs_every_ticked_value(page, site):
    page.goto(site + "/search?tag=PREL&tag=PGOV")
    any_of = count_of(page)
    mark_document(page)

    page.locator("#facet-tag-all").click()

    page.wait_for_url(re.compile(r"tag=PREL&tag=PGOV&all=tag$"))
    assert 0 < count_of(page) < any_of
    expect(page.locator("#facet-tag-mode strong")).to_have_text("all of them")
    assert same_document(page)


def test_all_of_survives_typing_a_query(page, site):
    page.goto(site + "/search?tag=PREL&tag=PGOV&all=tag")
    page.locator("#q").type("minister")
    page.wait_for_url(re.compile(r"q=minister&tag=PREL&tag=PGOV&all=tag$"))
    expect(page.locator("#facet-tag-any")).to_be_visible()
