"""The Content Security Policy: sent on every page, strict, and nothing of ours needs to break it."""

import re
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((PROJECT_DIR / "templates").rglob("*.html"))
COMMENT_RE = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.S)


def markup(path: Path) -> str:
    """A template's text without its template comments (they never reach the browser)."""
    return COMMENT_RE.sub("", path.read_text(encoding="utf-8"))


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.mark.django_db
def test_pages_carry_a_strict_policy(client):
    csp = policy(client.get("/admin/login/"))

    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_policy_never_allows_inline_code_or_eval(client):
    header = client.get("/admin/login/").headers["Content-Security-Policy"]

    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


@pytest.mark.django_db
def test_error_pages_carry_the_policy_too(client):
    response = client.get("/cables/NO-SUCH-CABLE-XYZ/")

    assert response.status_code == 404
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_there_are_templates_to_check():
    assert any(path.name == "base.html" for path in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_templates_hold_no_inline_script(path):
    html = markup(path)
    scripts = re.findall(r"<script\b[^>]*>", html, flags=re.I)

    # JSON data blocks are never executed; every other script must come from a file.
    inline = [tag for tag in scripts if "src=" not in tag and "application/json" not in tag]
    assert inline == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_templates_hold_no_event_handler_attributes(path):
    html = markup(path)

    assert re.findall(r"""<[^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=""", html, flags=re.I) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_templates_hold_no_inline_styles(path):
    html = markup(path)

    assert re.findall(r"<style\b|\sstyle\s*=", html, flags=re.I) == []


HTMX_TEMPLATES = [path for path in TEMPLATES if "htmx_script" in markup(path)]


@pytest.mark.parametrize("path", HTMX_TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_every_template_loading_htmx_configures_it_for_the_policy(path):
    assert '"includeIndicatorStyles": false' in markup(path)


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code():
    base = (PROJECT_DIR / "templates" / "base.html").read_text(encoding="utf-8")

    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base


def csp_violations(page, url: str) -> list[str]:
    """Open url and return what Chromium reports as refused by the policy."""
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return [m for m in messages if "Content Security Policy" in m or "CSP violation" in m]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_runs_under_the_policy(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-for-tests-only")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    assert csp_violations(page, live_server.url + "/admin/auth/user/") == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path",
    [
        "/bookmarks/",
        "/accounts/password_change/",
        "/admin/cables/importjob/upload/",
        "/admin/cables/importjob/{job}/change/",
        "/admin/cables/cable/07MOSCOW5100/change/",
    ],
)
def test_signed_in_pages_run_under_the_policy(
    page, live_server, django_user_model, seed_cable, path
):
    from cables.models import ImportJob

    job = ImportJob.objects.create(files=["a.txt"])
    django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-for-tests-only")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("form button[type=submit], form input[type=submit]")
    page.wait_for_load_state("networkidle")

    assert csp_violations(page, live_server.url + path.format(job=job.pk)) == []


@pytest.fixture
def seed_cable(corpus_dir, index_dir) -> str:
    """The seed cable, stored and indexed."""
    from django.core.management import call_command

    call_command("import_cables", str(corpus_dir / "seed" / "07MOSCOW5100.txt"), "--quiet")
    return "07MOSCOW5100"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=lavrov&tag=PREL",
        "/cables/07MOSCOW5100/?q=lavrov",
        "/help",
        "/accounts/login/",
    ],
)
def test_the_public_pages_run_under_the_policy(page, live_server, seed_cable, path):
    assert csp_violations(page, live_server.url + path) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_searching_as_you_type_runs_under_the_policy(page, live_server, seed_cable):
    violations = csp_violations(page, live_server.url + "/search")
    with page.expect_response(lambda r: "q=missile" in r.url):
        page.fill("#q", "missile")
    page.wait_for_selector("#results a[href*='07MOSCOW5100']")

    assert violations == []
    assert page.evaluate("document.querySelectorAll('style').length") == 0
