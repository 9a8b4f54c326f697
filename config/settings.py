"""Settings for cablesearch, read from the environment with safe local defaults.

Everything the app writes lives under CABLESEARCH_DATA_DIR (default ``var/``): the SQLite
database, the search index and uploaded files. See docs/configuration.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A production server must never run on a key that is in the source tree.
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it (any long random string) or set "
            "DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-key-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# HTTPS hardening: on by default whenever DEBUG is off, so `manage.py check --deploy` is clean;
# each can be turned off from the environment (e.g. plain HTTP on loopback). See docs/deploy.md.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
# Joining the browsers' preload list is the domain owner's decision, not a default: opt in above.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    # Only behind a proxy that sets this header itself; otherwise clients could forge it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (Django 6 built-in): no inline scripts or styles anywhere, so injected
# markup in cable text could not run even if it escaped the templates' autoescaping.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

DATA_DIR = Path(os.environ.get("CABLESEARCH_DATA_DIR", BASE_DIR / "var")).resolve()
# SQLite cannot create the folder its database lives in.
DATA_DIR.mkdir(parents=True, exist_ok=True)
SEARCH_INDEX_DIR = Path(os.environ.get("CABLESEARCH_INDEX_DIR", DATA_DIR / "index"))
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/uploads/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "cables",
    "search",
    "search.bookmarks",
    # After cables, whose db_worker command (patient with a locked SQLite) replaces this one's.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before anything reads a body (the CSRF check does): an oversized one is never read.
    "cables.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "cablesearch.sqlite3",
        "OPTIONS": {
            # WAL lets searches read while an import writes; IMMEDIATE avoids
            # "database is locked" on write upgrades inside transactions.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("CABLESEARCH_SQLITE_TIMEOUT", 30),
        },
    }


DATABASES = {"default": _database()}
# How long imports, job progress and the task worker keep retrying while another connection
# holds SQLite's write lock (each try waits the timeout above), before they fail loudly.
CABLESEARCH_LOCK_PATIENCE_SECONDS = env_int("CABLESEARCH_LOCK_PATIENCE_SECONDS", 600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads: the largest upload (one request, all files) staff may send through the admin.
CABLESEARCH_MAX_UPLOAD_BYTES = env_int("CABLESEARCH_MAX_UPLOAD_BYTES", 512 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("CABLESEARCH_MAX_UPLOAD_FILES", 1000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Bigger uploads stream to files here while they arrive (not to /tmp): all the app writes.
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(exist_ok=True)

# Import limits (cables/ingest/sources.py): hostile archives fail with a message, the rest imports.
CABLESEARCH_MAX_FILE_BYTES = env_int("CABLESEARCH_MAX_FILE_BYTES", 4 * 1024 * 1024)
CABLESEARCH_MAX_ARCHIVE_BYTES = env_int("CABLESEARCH_MAX_ARCHIVE_BYTES", 8 * 1024**3)
CABLESEARCH_MAX_ARCHIVE_MEMBERS = env_int("CABLESEARCH_MAX_ARCHIVE_MEMBERS", 1_000_000)
CABLESEARCH_MAX_COMPRESSION_RATIO = env_int("CABLESEARCH_MAX_COMPRESSION_RATIO", 200)
CABLESEARCH_MAX_ARCHIVE_DEPTH = env_int("CABLESEARCH_MAX_ARCHIVE_DEPTH", 3)
# CPU seconds one input (file or archive) may cost to read and parse: the first plus the second
# per MB of the input (the full release's 1.7 GB cables.csv gets ~6,900; its whole import costs
# ~2,100 CPU seconds over all processes).
CABLESEARCH_MAX_INPUT_CPU_SECONDS = env_int("CABLESEARCH_MAX_INPUT_CPU_SECONDS", 120)
CABLESEARCH_INPUT_CPU_SECONDS_PER_MB = env_int("CABLESEARCH_INPUT_CPU_SECONDS_PER_MB", 4)
# What one cable may hold (cables/ingest/reading.py): a bigger one is refused with a message.
# The largest Cablegate cables have a few hundred paragraphs of at most ~60,000 characters.
CABLESEARCH_MAX_PARAGRAPHS = env_int("CABLESEARCH_MAX_PARAGRAPHS", 5000)
CABLESEARCH_MAX_PARAGRAPH_CHARS = env_int("CABLESEARCH_MAX_PARAGRAPH_CHARS", 200_000)

# Search
CABLESEARCH_SEARCH_BACKEND = os.environ.get(
    "CABLESEARCH_SEARCH_BACKEND", "search.backends.whoosh.WhooshBackend"
)
CABLESEARCH_PAGE_SIZE = env_int("CABLESEARCH_PAGE_SIZE", 20)
# Whole result pages kept per worker process (search/pages.py); 0 keeps none.
CABLESEARCH_RESULTS_CACHE = env_int("CABLESEARCH_RESULTS_CACHE", 256)
CABLESEARCH_CSV_MAX_ROWS = env_int("CABLESEARCH_CSV_MAX_ROWS", 50_000)

# Accounts: self sign-up is off (an administrator creates users). Failed sign-ins per username
# and address within the window lock that pair out until the oldest failure ages out.
CABLESEARCH_ALLOW_SIGNUP = env_bool("CABLESEARCH_ALLOW_SIGNUP", False)
CABLESEARCH_LOGIN_MAX_FAILURES = env_int("CABLESEARCH_LOGIN_MAX_FAILURES", 5)
CABLESEARCH_LOGIN_WINDOW_SECONDS = env_int("CABLESEARCH_LOGIN_WINDOW_SECONDS", 15 * 60)
CABLESEARCH_TRUSTED_PROXIES = env_int("CABLESEARCH_TRUSTED_PROXIES", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
