"""Background tasks (django.tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from cables.ingest.importer import ImportSummary, ProgressSource, import_paths
from cables.models import ImportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5
# A job page lists at most this many failures; the count says how many there were.
MAX_STORED_ERRORS = 1000


@task
def run_import_job(job_id: int) -> dict:
    """Import the files uploaded for one ImportJob, keeping its progress up to date."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return {"skipped": True}
    jobs = ImportJob.objects.filter(pk=job_id)
    size = sum(p.stat().st_size for p in job.folder.rglob("*") if p.is_file())
    jobs.update(status=ImportJob.Status.RUNNING, started_at=timezone.now(), total_bytes=size)
    last_saved = 0.0

    def progress(summary: ImportSummary, sources: ProgressSource) -> None:
        nonlocal last_saved
        now = time.monotonic()
        if now - last_saved < PROGRESS_EVERY_SECONDS:
            return
        last_saved = now
        estimate = summary.read
        if sources.bytes_done:
            estimate = max(estimate, round(summary.read * sources.bytes_total / sources.bytes_done))
        jobs.update(
            total_bytes=sources.bytes_total,
            processed_bytes=sources.bytes_done,
            total=estimate,
            processed=summary.read,
            **summary.as_dict(),
        )

    try:
        summary = import_paths([job.folder], progress=progress, root=settings.MEDIA_ROOT)
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        jobs.update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            message=f"The import stopped on an unexpected error: {exc}",
        )
        return {"failed": True}
    errors = [{"source": f.source, "error": f.error} for f in summary.failures[:MAX_STORED_ERRORS]]
    jobs.update(
        status=ImportJob.Status.DONE,
        finished_at=timezone.now(),
        total=summary.read,
        processed=summary.read,
        processed_bytes=F("total_bytes"),
        errors=errors,
        **summary.as_dict(),
    )
    return summary.as_dict()
