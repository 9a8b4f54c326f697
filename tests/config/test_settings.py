"""config/settings.py read in a fresh process from a controlled environment, as a server would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "k9S-3vQ_pX7mT2wZr8LdYf4NbHc6JuGe1oKiAsWq5EyRt0PlMnBvCx"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What docs/deploy.md tells an operator to set, and nothing from this shell."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": PRODUCTION_KEY,
        "DJANGO_ALLOWED_HOSTS": "cables.example.org",
        "CABLESEARCH_DATA_DIR": str(tmp_path / "data"),
    }
    env.update(extra)
    return {key: value for key, value in env.items() if value is not None}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_settings(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    done = run_python(code, env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]

    done = run_python("import django; django.setup()", env)

    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in done.stderr


def test_an_empty_secret_key_is_refused_too(tmp_path):
    done = run_python(
        "import django; django.setup()", production_env(tmp_path, DJANGO_SECRET_KEY="")
    )

    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in done.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    assert read_settings(production_env(tmp_path), "DEBUG") == {"DEBUG": False}


def test_development_runs_without_a_secret_key_when_debug_is_on(tmp_path):
    env = production_env(tmp_path, DJANGO_DEBUG="1")
    del env["DJANGO_SECRET_KEY"]

    assert read_settings(env, "DEBUG")["DEBUG"] is True


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=PROJECT_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNINGS" not in done.stdout + done.stderr


def test_https_hardening_is_on_by_default_in_production(tmp_path):
    values = read_settings(
        production_env(tmp_path),
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
    )

    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
    }


def test_https_hardening_can_be_turned_off_for_plain_http_on_loopback(tmp_path):
    env = production_env(
        tmp_path,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
    )

    values = read_settings(
        env, "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS"
    )

    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
    }


def test_the_proxy_https_header_is_trusted_only_when_asked(tmp_path):
    plain = read_settings(production_env(tmp_path), "SECURE_PROXY_SSL_HEADER")
    proxied = read_settings(
        production_env(tmp_path, DJANGO_BEHIND_TLS_PROXY="1"), "SECURE_PROXY_SSL_HEADER"
    )

    assert plain["SECURE_PROXY_SSL_HEADER"] is None
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_database_url_selects_postgresql(tmp_path):
    env = production_env(tmp_path, DATABASE_URL="postgres://cs:secret@db.internal:5433/cables")

    database = read_settings(env, "DATABASES")["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "cables")


def test_without_database_url_sqlite_lives_in_the_data_dir(tmp_path):
    database = read_settings(production_env(tmp_path), "DATABASES")["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "data" / "cablesearch.sqlite3")


def test_production_serves_static_files_from_whitenoise_manifest(tmp_path):
    values = read_settings(production_env(tmp_path), "STORAGES", "MIDDLEWARE")

    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in values["MIDDLEWARE"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_suite_really_runs_on_postgresql_when_database_url_says_so():
    from django.db import connection

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("DATABASE_URL does not point at PostgreSQL (make test-postgres sets it)")
    assert connection.vendor == "postgresql"
