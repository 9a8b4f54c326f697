"""Rewrite the screenshots in docs/ with real headless Chromium (not part of the test suite).

    .venv/bin/python -m pytest docs/screenshots.py -p no:cacheprovider

Outside ``testpaths``, so ``make test`` never runs it; it uses the suite's fixtures (a live
server over 40 real cables of the shared corpus).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from search.bookmarks.models import CableBookmark, Story, StoryCable
from tests.conftest import browser, corpus_dir  # noqa: F401 - fixtures
from tests.search.ui_data import extract_slice, import_slice

DOCS = Path(__file__).resolve().parent
PASSWORD = "correct horse battery staple"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, tmp_path, settings, corpus_dir):  # noqa: F811
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    import_slice(extract_slice(corpus_dir, tmp_path / "slice", count=40))
    return live_server.url


def shoot(browser, url: str, name: str, *, width: int = 1280, height: int = 900, login=False):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    if login:
        page.goto(url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/accounts/login/")
        page.fill("#id_username", "alice")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(DOCS / name))
    context.close()


def test_screenshots(browser, site):  # noqa: F811
    user = get_user_model().objects.create_user("alice", password=PASSWORD)
    bookmark = CableBookmark.objects.create(
        user=user, cable_id="07MOSCOW5100", note="Lavrov's objection, for the lede", marked=["p3"]
    )
    story = Story.objects.create(user=user, name="Missile defense in Europe")
    StoryCable.objects.create(story=story, bookmark=bookmark)
    story.share()

    shoot(browser, site + "/search?q=missile+defense", "screenshot-search.png", height=1150)
    shoot(browser, site + "/cables/07MOSCOW5100/?q=missile", "screenshot-cable.png", height=1150)
    shoot(browser, site + story.share_url, "screenshot-story.png")
    shoot(browser, site + "/cables/07MOSCOW5100/thread/", "screenshot-thread.png", height=600)
    shoot(browser, site + "/search?q=missile", "screenshot-search-phone.png", width=390, height=844)
