"""Background tasks (django.tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from cables.ingest.importer import ImportStopped, ImportSummary, ProgressSource, import_paths
from cables.locking import is_locked, patiently
from cables.models import ImportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5
# How often a running job says it is alive; well under models.IMPORT_STALLED_AFTER.
HEARTBEAT_SECONDS = 10.0
# A job page lists at most this many failures; the count says how many there were.
MAX_STORED_ERRORS = 1000


class _Cancelled(Exception):
    """Staff cancelled the job (its status is no longer "running")."""


class _Heartbeat:
    """Marks the job alive every HEARTBEAT_SECONDS from a thread of its own, whatever the
    import is busy with: indexing a group of 20,000 cables reports no progress for minutes."""

    def __init__(self, job_id: int) -> None:
        self._running = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"import-{job_id}", daemon=True)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                # Busy (SQLite has one writer at a time): the next beat will do.
                with contextlib.suppress(DatabaseError):
                    self._running.update(heartbeat_at=timezone.now())
        finally:
            connections.close_all()  # this thread's own connections

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@task
def run_import_job(job_id: int) -> dict:
    """Import the files uploaded for one ImportJob, keeping its progress up to date."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return {"skipped": True}  # cancelled while queued, or already taken
    jobs = ImportJob.objects.filter(pk=job_id)
    # Every update while importing goes through `running`: once staff cancel the job, it
    # matches nothing, which is how the import learns it should stop.
    running = jobs.filter(status=ImportJob.Status.RUNNING)
    # Run before (then killed, failed or cancelled): the cables it stored count as unchanged
    # now, and the killed run may never have handed them to the index.
    again = job.started_at is not None
    size = sum(p.stat().st_size for p in job.folder.rglob("*") if p.is_file())
    now = timezone.now()
    started = jobs.filter(status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now, total_bytes=size
    )
    if not started:  # cancelled (or taken by another worker) since the check above
        return {"skipped": True}
    last_saved = 0.0
    latest: ImportSummary | None = None

    def progress(summary: ImportSummary, sources: ProgressSource) -> None:
        nonlocal last_saved, latest
        latest = summary
        now = time.monotonic()
        if now - last_saved < PROGRESS_EVERY_SECONDS:
            return
        last_saved = now
        estimate = summary.read
        if sources.bytes_done:
            estimate = max(estimate, round(summary.read * sources.bytes_total / sources.bytes_done))
        try:
            saved = running.update(
                total_bytes=sources.bytes_total,
                processed_bytes=sources.bytes_done,
                total=estimate,
                processed=summary.read,
                heartbeat_at=timezone.now(),
                **summary.as_dict(),
            )
        except DatabaseError as exc:
            if is_locked(exc):
                return  # another writer holds the lock: the next report will do
            raise
        if not saved:
            # Raised between batches: no cable is half-written, and import_paths still
            # hands what was committed to the index on the way out.
            raise _Cancelled

    try:
        with _Heartbeat(job_id):
            summary = import_paths(
                [job.folder], progress=progress, root=settings.MEDIA_ROOT, announce_unchanged=again
            )
    except _Cancelled:
        return _cancelled(jobs, latest)
    except ImportStopped as exc:
        stopped = exc
        logger.error("import job %s stopped: %s", job_id, stopped.reason)
        patiently(
            lambda: running.update(
                status=ImportJob.Status.FAILED,
                finished_at=timezone.now(),
                processed=stopped.summary.read,
                errors=_errors(stopped.summary),
                message=(
                    f"The import stopped: {stopped.reason}. The counts are what was stored; "
                    "nothing is half-written. Fix the cause and run the import again."
                ),
                **stopped.summary.as_dict(),
            ),
            "an import job's result",
        )
        return {"failed": True, **stopped.summary.as_dict()}
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        running.update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            message=f"The import stopped on an unexpected error: {exc}",
        )
        return {"failed": True}
    finished = patiently(
        lambda: running.update(
            status=ImportJob.Status.DONE,
            finished_at=timezone.now(),
            total=summary.read,
            processed=summary.read,
            processed_bytes=F("total_bytes"),
            errors=_errors(summary),
            **summary.as_dict(),
        ),
        "an import job's result",
    )
    if not finished:  # cancelled after the last progress report
        return _cancelled(jobs, summary)
    return summary.as_dict()


def _cancelled(jobs, summary: ImportSummary | None) -> dict:
    """Keep the cancelled status staff set; record what the import had done by then."""
    if summary is not None:
        jobs.update(processed=summary.read, errors=_errors(summary), **summary.as_dict())
    return {"cancelled": True}


def _errors(summary: ImportSummary) -> list[dict]:
    return [{"source": f.source, "error": f.error} for f in summary.failures[:MAX_STORED_ERRORS]]
