"""axe-core over the search, cable, bookmarks and import pages in real headless Chromium.

axe-core comes from npm (``.ci/run`` installs it under var/node). Outside CI a machine without
it skips; in CI (``CI=true``) a missing axe-core fails, so the check can never vanish quietly.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from cables.models import ImportJob
from search.bookmarks.models import CableBookmark, SavedSearch, Story, StoryCable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parent.parent
AXE_JS = Path(os.environ.get("AXE_CORE_JS", PROJECT / "var/node/node_modules/axe-core/axe.min.js"))
PASSWORD = "correct horse battery staple"
# WCAG 2.0-2.2 A and AA rules; "serious" and "critical" are what this check refuses.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
REFUSED = {"serious", "critical"}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        message = f"axe-core is missing at {AXE_JS} (npm install --prefix var/node axe-core)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


def serious_violations(page, axe_source: str) -> list[str]:
    # Injected through Playwright, not a <script> tag: the page's CSP forbids inline scripts.
    page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    assert result["passes"], "axe-core checked nothing"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in REFUSED
    ]


def signed_in(page, base: str, *, staff: bool = False):
    user = get_user_model().objects.create_user("alice", password=PASSWORD, is_staff=staff)
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return user


@pytest.mark.parametrize(
    "path",
    ["/search", "/search?q=missile&country=JA", "/cables/07MOSCOW5100/?q=missile#p3"],
)
def test_public_pages_have_no_serious_violation(page, site, axe_source, path):
    page.goto(site + path)

    assert serious_violations(page, axe_source) == []


def test_phone_search_page_has_no_serious_violation(browser, site, axe_source):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(site + "/search?q=missile")

    assert serious_violations(page, axe_source) == []
    context.close()


def test_bookmarks_pages_have_no_serious_violation(page, site, axe_source):
    user = signed_in(page, site)
    SavedSearch.objects.create(user=user, name="missile", query="q=missile")
    bookmark = CableBookmark.objects.create(user=user, cable_id="07MOSCOW5100", note="n")
    story = Story.objects.create(user=user, name="Missile defense")
    StoryCable.objects.create(story=story, bookmark=bookmark)
    story.share()

    for path in (
        "/bookmarks/",
        f"/bookmarks/stories/{story.pk}/",
        f"/bookmarks/stories/{story.pk}/dossier/",
        story.share_url,
        "/cables/07MOSCOW5100/",
    ):
        page.goto(site + path)
        assert serious_violations(page, axe_source) == [], path


def test_import_page_has_no_serious_violation(page, site, axe_source):
    signed_in(page, site, staff=True)
    job = ImportJob.objects.create(
        status=ImportJob.Status.DONE,
        files=["cables.tar.xz"],
        total=3,
        processed=3,
        new=2,
        failed=1,
        errors=[{"source": "cables.tar.xz/x.txt", "error": "not a cable"}],
    )

    page.goto(site + f"/admin/cables/importjob/{job.pk}/change/")

    assert serious_violations(page, axe_source) == []
