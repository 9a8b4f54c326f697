"""The forms of one cable in a real browser: from the cable page to a side-by-side diff, and
the cable text of a form on a phone."""

from __future__ import annotations

import pytest

from tests.cables.test_views_sources import two_forms  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_LINE = "WORD " * 200


def test_from_the_cable_page_to_a_side_by_side_diff(page, live_server, two_forms):  # noqa: F811
    page.goto(f"{live_server.url}/cables/07MOSCOW5100/")
    page.get_by_role("link", name="Compare the forms").click()

    # Unified first, with JavaScript or not: a plain GET form.
    assert "1 line differs" in page.locator(".diff-summary").inner_text()
    page.get_by_label("side by side").check()
    page.get_by_role("button", name="Compare").click()

    table = page.locator("table.diff-side")
    assert "mode=side" in page.url
    assert table.locator("tr.diff-changed del").inner_text().startswith("¶1. (U) Lavrov said")
    assert table.locator("tr.diff-changed ins").inner_text().startswith("¶1. (U) Minister")


def test_the_unified_diff_wraps_on_a_phone(page, live_server, two_forms):  # noqa: F811
    cable, text, _ = two_forms
    text.text = text.text + LONG_LINE
    text.save()
    page.set_viewport_size({"width": 375, "height": 700})

    page.goto(f"{live_server.url}/cables/07MOSCOW5100/diff")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_cable_text_of_a_form_wraps_on_a_phone(page, live_server, two_forms):  # noqa: F811
    _, text, _ = two_forms
    text.text = text.text + LONG_LINE
    text.save()
    page.set_viewport_size({"width": 375, "height": 700})

    page.goto(f"{live_server.url}/cables/07MOSCOW5100/raw?source={text.pk}")

    assert "Lavrov said" in page.inner_text("body")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
