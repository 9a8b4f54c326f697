"""Settings for the test suite: the real settings with a throwaway data folder."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("CABLESEARCH_DATA_DIR", tempfile.mkdtemp(prefix="cablesearch-test-"))
# Tests speak plain HTTP to the test client and to live servers on loopback.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_SECURE_HSTS_SECONDS", "0")

from config.settings import *  # noqa: E402,F403
from config.settings import DATA_DIR, DATABASES, STATIC_ROOT, STORAGES  # noqa: E402

# WhiteNoise warns on every request when the collected-static folder does not exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file in WAL mode, as in production: another thread (the index writing an import's
    # groups in the background, a live server) reads while an import writes. Django's default
    # in-memory test database locks whole tables between connections instead.
    # One per test process: two runs sharing a data folder must not delete each other's.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
