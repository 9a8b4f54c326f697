"""The production stack as docs/deploy.md runs it: gunicorn, WhiteNoise, DEBUG off."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load_test import free_port, site_env, start_gunicorn, stop

PROJECT_DIR = Path(__file__).resolve().parents[2]


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn on loopback with production settings (plain HTTP allowed: it is loopback)."""
    root = tmp_path_factory.mktemp("production")
    env = site_env(root / "data")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    port = free_port()
    process = start_gunicorn(env, port, workers=1, threads=2, log=root / "server.log")
    yield port
    stop(process)


def test_pages_are_served_with_debug_off(server):
    status, headers, body = get(server, "/search?q=%3Cscript%3E")

    assert status == 200
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"


def test_whitenoise_serves_hashed_static_files_with_long_caching(server):
    _, _, body = get(server, "/help")
    stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the page should link the hashed stylesheet from the manifest"

    status, headers, css = get(server, stylesheet.group(1).decode())

    assert status == 200
    assert "immutable" in headers["cache-control"]
    assert b".htmx-indicator" in css


def test_errors_never_show_a_traceback(server):
    status, _, body = get(server, "/cables/NO-SUCH-CABLE/")

    assert status == 404
    assert b"Traceback" not in body
    assert b"DEBUG = True" not in body


def test_plain_http_is_redirected_to_https_by_default(tmp_path):
    env = site_env(tmp_path / "data")
    del env["DJANGO_SECURE_SSL_REDIRECT"]
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    port = free_port()
    process = start_gunicorn(env, port, workers=1, threads=1, log=tmp_path / "server.log")
    try:
        status, headers, _ = get(port, "/search?q=x")
    finally:
        stop(process)

    assert status == 301
    assert headers["location"] == f"https://127.0.0.1:{port}/search?q=x"
    assert "strict-transport-security" not in headers  # HSTS is only sent over HTTPS
