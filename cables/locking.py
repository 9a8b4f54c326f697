"""Waiting for the database's one writer: "database is locked" means wait and retry, not fail.

SQLite lets one connection write at a time; the others wait ``timeout`` seconds (settings) and
then fail with "database is locked". An import, a job's progress report or the worker polling
for tasks may meet a writer that takes longer (another import's batch on a slow disk, a backup,
a big delete in the admin): they retry with :func:`patiently` for up to
``CABLESEARCH_LOCK_PATIENCE_SECONDS`` before giving up loudly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError

logger = logging.getLogger(__name__)


def is_locked(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite saying another connection holds the write lock."""
    return isinstance(exc, OperationalError) and "is locked" in str(exc).lower()


def patiently[T](work: Callable[[], T], what: str, patience: float | None = None) -> T:
    """``work()``, run again while the database is locked, for up to ``patience`` seconds.

    ``work`` must be a whole transaction (or one autocommit statement): a locked attempt has
    written nothing, so running it again is safe.
    """
    if patience is None:
        patience = settings.CABLESEARCH_LOCK_PATIENCE_SECONDS
    deadline = time.monotonic() + patience
    pause = 0.05
    while True:
        try:
            return work()
        except OperationalError as exc:
            if not is_locked(exc) or time.monotonic() >= deadline:
                raise
            logger.warning("database locked by another writer; %s waits its turn", what)
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def probe_json_patiently() -> None:
    """Django's SQLite probe for JSON support reads "database is locked" as "no JSON"
    (fields.E180), so a command starting while an import commits would stop at its system
    checks: probe patiently first, and the checks then see the truth. Call it before checks."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return

    def probe() -> None:
        with connection.cursor() as cursor:
            cursor.execute("""SELECT JSON('{"a": "b"}')""")
        connection.features.supports_json_field = True  # what Django's own probe would find

    patiently(probe, "a command's start-up check")
