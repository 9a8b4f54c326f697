"""cables/tasks.py: the background import of an ImportJob."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cables.models import Cable, ImportJob
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
