"""``manage.py db_worker``: django_tasks_db's worker, made to outlast a long SQLite write lock.

The upstream worker claims each task in an exclusive transaction; when another connection holds
the write lock for longer than the SQLite timeout (a big import batch on a slow disk, a backup),
opening that transaction raises "database is locked" and the worker process exits. This one
waits and polls again. (This app is listed before django_tasks_db in INSTALLED_APPS, so this
command is the one ``manage.py db_worker`` runs.)
"""

from __future__ import annotations

import logging
import time

from django.db import OperationalError, connections
from django_tasks_db.management.commands import db_worker as upstream

from cables.locking import is_locked, probe_json_patiently

logger = logging.getLogger(__name__)


class PatientWorker(upstream.Worker):
    def run(self) -> None:
        while True:
            try:
                return super().run()
            except OperationalError as exc:
                if not is_locked(exc):
                    raise
                logger.warning("the database is locked by another writer; polling again")
                connections.close_all()  # a fresh connection for the next poll
                self.startup_delay = False
                time.sleep(max(self.interval, 0.5))


class Command(upstream.Command):
    def check(self, *args, **kwargs):
        probe_json_patiently()
        return super().check(*args, **kwargs)

    def handle(self, *args, **options) -> None:
        # The upstream command builds its Worker by module name: hand it this one.
        original, upstream.Worker = upstream.Worker, PatientWorker
        try:
            super().handle(*args, **options)
        finally:
            upstream.Worker = original
