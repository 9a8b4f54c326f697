"""cables/tasks.py: the background import of an ImportJob."""

from __future__ import annotations

import io
import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError
from django.utils import timezone

from cables import tasks
from cables.models import IMPORT_STALLED_AFTER, Cable, ImportJob
from cables.tasks import run_import_job

SEED = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample" / "07MOSCOW5100.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(tmp_path, settings) -> ImportJob:
    settings.MEDIA_ROOT = tmp_path / "media"
    job = ImportJob.objects.create()
    job.folder.mkdir(parents=True)
    shutil.copy(SEED, job.folder / SEED.name)
    (job.folder / "junk.bin").write_bytes(bytes(range(256)) * 4)
    return job


def test_job_imports_its_folder_and_records_the_outcome(job):
    result = run_import_job.call(job.pk)
    job.refresh_from_db()
    assert result == {"new": 1, "updated": 0, "unchanged": 0, "failed": 1}
    assert job.status == ImportJob.Status.DONE
    assert (job.processed, job.total, job.percent) == (2, 2, 100)
    assert job.errors[0]["source"] == f"imports/{job.pk}/junk.bin"
    assert job.started_at <= job.finished_at
    assert Cable.objects.filter(pk="07MOSCOW5100").exists()


def test_a_job_runs_once(job):
    run_import_job.call(job.pk)
    assert run_import_job.call(job.pk) == {"skipped": True}


def test_a_job_whose_files_vanished_reports_them(job):
    shutil.rmtree(job.folder)
    run_import_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.failed == 1
    assert "no such file or folder" in job.errors[0]["error"]


def test_deleting_a_job_removes_its_files(job, django_capture_on_commit_callbacks):
    folder = job.folder
    with django_capture_on_commit_callbacks(execute=True):
        job.delete()
    assert not folder.exists()


@pytest.mark.django_db(transaction=True)
def test_heartbeat_marks_a_running_job_alive_while_the_import_is_busy(monkeypatch):
    monkeypatch.setattr(tasks, "HEARTBEAT_SECONDS", 0.05)
    long_ago = timezone.now() - timedelta(hours=1)
    job = ImportJob.objects.create(status=ImportJob.Status.RUNNING, heartbeat_at=long_ago)

    with tasks._Heartbeat(job.pk):
        time.sleep(0.5)  # what indexing a big group looks like from here: no progress at all

    job.refresh_from_db()
    assert job.heartbeat_at > long_ago
    assert not job.stalled


@pytest.mark.django_db(transaction=True)
def test_heartbeat_leaves_an_ended_job_alone(monkeypatch):
    monkeypatch.setattr(tasks, "HEARTBEAT_SECONDS", 0.05)
    job = ImportJob.objects.create(status=ImportJob.Status.CANCELLED)

    with tasks._Heartbeat(job.pk):
        time.sleep(0.3)

    job.refresh_from_db()
    assert job.heartbeat_at is None


def test_a_running_job_without_a_heartbeat_for_long_is_stalled():
    job = ImportJob(status=ImportJob.Status.RUNNING)
    job.heartbeat_at = timezone.now() - IMPORT_STALLED_AFTER - timedelta(seconds=1)
    assert job.stalled
    assert job.state == "Stalled"
    job.heartbeat_at = timezone.now()
    assert not job.stalled
    assert job.state == "Running"


def test_an_ended_job_is_never_stalled():
    long_ago = timezone.now() - timedelta(days=1)
    for status in (ImportJob.Status.DONE, ImportJob.Status.FAILED, ImportJob.Status.CANCELLED):
        assert not ImportJob(status=status, heartbeat_at=long_ago).stalled


def test_a_job_cancelled_while_queued_never_runs(job):
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CANCELLED)

    assert run_import_job.call(job.pk) == {"skipped": True}
    assert not Cable.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_running_import_stops_it_with_every_stored_cable_whole_and_indexed(
    tmp_path, settings, corpus_dir, index_dir
):
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    job = ImportJob.objects.create()
    job.folder.mkdir(parents=True)
    shutil.copy(corpus_dir / "cables-text.tar.xz", job.folder)  # ~1,500 cables
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(run_import_job.call(job.pk)))
    worker.start()
    try:
        deadline = time.monotonic() + 120
        while not ImportJob.objects.filter(pk=job.pk, new__gt=0).exists():
            assert time.monotonic() < deadline and worker.is_alive()
            time.sleep(0.05)
        # What the admin cancel button does, once a first batch is committed (waiting only for
        # cables read could cancel before anything was stored on a busy machine). The test
        # database is SQLite in shared-cache memory, where a writer meets "table is locked" at
        # once instead of waiting out the busy timeout as the admin's request does: retry.
        while True:
            try:
                ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CANCELLED)
                break
            except OperationalError:
                assert time.monotonic() < deadline and worker.is_alive()
                time.sleep(0.05)
    finally:
        worker.join(timeout=300)

    job.refresh_from_db()
    stored = Cable.objects.count()
    assert outcome == {"cancelled": True}
    assert job.status == ImportJob.Status.CANCELLED
    assert 0 < stored < 1000
    assert job.new == stored
    assert all(c.paragraphs.exists() for c in Cable.objects.prefetch_related("paragraphs"))
    out = io.StringIO()
    call_command("check_index", stdout=out)
    assert "The index agrees with the database" in out.getvalue()
