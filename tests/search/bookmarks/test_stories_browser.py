"""A story from starring to its share link, in real headless Chromium against a live server."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from .conftest import PASSWORD, RS_CABLES
from .test_browser import import_ids  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


def test_star_note_story_mark_and_share_read_signed_out(page, browser, live_server, import_ids):  # noqa: F811
    get_user_model().objects.create_user("alice", password=PASSWORD)
    import_ids(*RS_CABLES[:2])
    first = RS_CABLES[0]
    sign_in(page, live_server.url)

    # Star from the results: the focus stays on the star, the note and stories open beside it.
    page.goto(live_server.url + "/search?q=missile+defense")
    star = page.locator(f"#bm-star-{first}")
    star.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#bm-star-{first}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#bm-star-{first}")).to_be_focused()
    page.fill(f"#bm-keep-note-{first}", "Lead for the piece")
    page.fill(f"#bm-keep-new-{first}", "Missile shield")
    page.get_by_role("button", name="Save note and stories").click()

    # On the cable page, mark the first paragraph for the dossier.
    page.goto(live_server.url + f"/cables/{first}/")
    expect(page.locator(f"#bm-keep-note-{first}")).to_have_value("Lead for the piece")
    first_para = page.locator(".para").first
    anchor = first_para.get_attribute("id")
    first_para.get_by_role("button", name="Mark for the dossier").click()
    expect(
        page.locator(f"#{anchor}").get_by_role("button", name="Marked for the dossier")
    ).to_be_visible()

    # The story page: the cable, its note; then a share link.
    page.goto(live_server.url + "/bookmarks/")
    page.get_by_role("link", name="Missile shield").first.click()
    expect(page.locator(".story-cable")).to_have_count(1)
    expect(page.locator(".story-note")).to_contain_text("Lead for the piece")
    page.get_by_role("button", name="Create a read-only share link").click()
    share_url = page.locator("#story-share-url").input_value()

    # Opened signed out, in a fresh browser context: read-only, with note and marked paragraph.
    context = browser.new_context()
    stranger = context.new_page()
    stranger.goto(share_url)
    expect(stranger.locator("h1")).to_have_text("Missile shield")
    expect(stranger.locator(".story-note")).to_contain_text("Lead for the piece")
    expect(stranger.locator(".story-marked blockquote")).to_have_count(1)
    assert stranger.locator("form[method=post]").count() == 0

    # Revoked: the same link is gone.
    page.get_by_role("button", name="Stop sharing").click()
    assert stranger.goto(share_url).status == 404
    context.close()


def test_unstar_then_undo_keeps_the_note(page, live_server, import_ids):  # noqa: F811
    get_user_model().objects.create_user("alice", password=PASSWORD)
    import_ids(RS_CABLES[0])
    cable = RS_CABLES[0]
    sign_in(page, live_server.url)
    page.goto(live_server.url + f"/cables/{cable}/")
    page.locator(f"#bm-star-{cable}").click()
    page.fill(f"#bm-keep-note-{cable}", "keep me")
    page.get_by_role("button", name="Save note and stories").click()

    page.locator(f"#bm-star-{cable}").click()
    expect(page.locator(f"#bm-star-{cable}")).to_have_attribute("aria-pressed", "false")
    page.get_by_role("button", name="Undo").click()

    expect(page.locator(f"#bm-star-{cable}")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator(f"#bm-keep-note-{cable}")).to_have_value("keep me")
