"""Fixtures shared by the whole suite. App-specific fixtures live beside their tests."""

from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_CORPUS = PROJECT_DIR.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real shared corpus (../shared/corpus). CI lays it beside the clone."""
    assert SHARED_CORPUS.is_dir(), f"the shared corpus is missing at {SHARED_CORPUS}"
    return SHARED_CORPUS


@pytest.fixture
def index_dir(tmp_path, settings) -> Path:
    """A fresh, empty search index folder for one test."""
    path = tmp_path / "index"
    settings.SEARCH_INDEX_DIR = path
    return path


BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_slice(corpus_dir, tmp_path_factory) -> Path:
    """About 40 real cables of the shared corpus, extracted once for the browser tests."""
    from tests.search.ui_data import extract_slice

    return extract_slice(corpus_dir, tmp_path_factory.mktemp("browser-slice"), count=40)


@pytest.fixture
def site(live_server, index_dir, browser_slice) -> str:
    """A live server over those cables (imported and indexed for each test). Modules with
    another site define their own."""
    from tests.search.ui_data import import_slice

    import_slice(browser_slice)
    return live_server.url


@pytest.fixture(scope="session")
def browser():
    """Real headless Debian Chromium driven by Playwright (never Playwright's own download)."""
    import os

    # Django refuses ORM calls from a thread with a running event loop; Playwright's sync API
    # runs one, and tests here prepare data with the ORM between browser steps.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page per test (no shared cookies or storage)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
