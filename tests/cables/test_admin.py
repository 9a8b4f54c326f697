"""cables/admin.py: reading the library, uploading cables, following an import job."""

from __future__ import annotations

import io
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cables.ingest.importer import import_paths
from cables.models import Cable, ImportJob
from cables.tasks import run_import_job

SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"
SEED = SAMPLE / "07MOSCOW5100.txt"
UPLOAD = reverse("admin:cables_importjob_upload")

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(user)
    return client


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def seed_upload() -> SimpleUploadedFile:
    return upload("07MOSCOW5100.txt", SEED.read_bytes())


def pages_upload() -> SimpleUploadedFile:
    return upload("pages.tar.xz", (SAMPLE / "cablegate-pages.tar.xz").read_bytes())


def test_upload_stores_files_creates_a_job_and_queues_it(
    staff_client, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.post(UPLOAD, {"files": [seed_upload(), pages_upload()]})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:cables_importjob_change", args=[job.pk])
    assert job.status == ImportJob.Status.QUEUED
    assert job.files == ["07MOSCOW5100.txt", "pages.tar.xz"]
    assert (media / "imports" / str(job.pk) / "07MOSCOW5100.txt").read_bytes() == SEED.read_bytes()
    assert job.created_by.username == "staff"
    assert len(callbacks) == 1  # the enqueue, after commit


@pytest.mark.django_db(transaction=True)
def test_queued_job_runs_in_the_db_worker(staff_client, media):
    # Real commits: the worker checks its connection between tasks, which a test transaction
    # wrapped around it would not survive on PostgreSQL.
    staff_client.post(UPLOAD, {"files": [seed_upload(), pages_upload()]})
    call_command("db_worker", "--batch", verbosity=0)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert job.new == Cable.objects.count() > 1
    assert job.failed == 0
    assert job.processed == job.total == job.new
    assert Cable.objects.get(pk="07MOSCOW5100").source.endswith("/07MOSCOW5100.txt")


def test_job_page_shows_the_summary_and_per_file_errors(staff_client, media):
    staff_client.post(UPLOAD, {"files": [seed_upload(), upload("notes.txt", b"just some words\n")]})
    job = ImportJob.objects.get()
    run_import_job.call(job.pk)
    page = staff_client.get(reverse("admin:cables_importjob_change", args=[job.pk]))
    html = page.content.decode()
    assert "Done" in html
    # The failing file named as it was uploaded, not by its place in the data dir.
    assert "<tr><td>notes.txt</td>" in html
    assert f"imports/{job.pk}/" not in html
    assert "hx-get" not in html  # finished: nothing left to poll


def test_progress_partial_polls_while_running_and_stops_with_286(staff_client, media):
    staff_client.post(UPLOAD, {"files": [seed_upload()]})
    job = ImportJob.objects.get()
    url = reverse("admin:cables_importjob_progress", args=[job.pk])
    queued = staff_client.get(url, headers={"HX-Request": "true"})
    assert queued.status_code == 200
    assert 'hx-trigger="every 1s"' in queued.content.decode()
    run_import_job.call(job.pk)
    done = staff_client.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 286
    assert "hx-trigger" not in done.content.decode()


def test_unfinished_job_page_reloads_itself_without_javascript(staff_client, media):
    staff_client.post(UPLOAD, {"files": [seed_upload()]})
    job = ImportJob.objects.get()
    html = staff_client.get(reverse("admin:cables_importjob_change", args=[job.pk])).content
    assert b'<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert b"<script>" not in html  # no inline script: the CSP forbids them


def test_upload_over_the_size_limit_is_refused_with_a_message(staff_client, media, settings):
    settings.CABLESEARCH_MAX_UPLOAD_BYTES = 1000
    response = staff_client.post(UPLOAD, {"files": [seed_upload()]})
    assert response.status_code == 200
    assert "the limit is 1 KB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_wrong_file_type_is_refused_with_a_message(staff_client, media):
    png = upload("scan.txt", b"\x89PNG\r\n\x1a\n" + bytes(100))
    response = staff_client.post(UPLOAD, {"files": [seed_upload(), png]})
    assert response.status_code == 200
    assert "scan.txt is a PNG image, not cables" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_empty_upload_asks_for_a_file(staff_client, media):
    response = staff_client.post(UPLOAD, {})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


def test_non_staff_cannot_upload_or_see_jobs(client, django_user_model, media):
    user = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(user)
    job = ImportJob.objects.create()
    for url in (
        UPLOAD,
        reverse("admin:cables_importjob_changelist"),
        reverse("admin:cables_importjob_change", args=[job.pk]),
        reverse("admin:cables_importjob_progress", args=[job.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    response = client.post(UPLOAD, {"files": [seed_upload()]})
    assert response.status_code == 302
    assert ImportJob.objects.count() == 1


def test_job_changelist_links_to_the_upload_page(staff_client):
    ImportJob.objects.create()
    html = staff_client.get(reverse("admin:cables_importjob_changelist")).content.decode()
    assert UPLOAD in html
    assert "Import #" in html


def test_cable_detail_lists_references_and_cited_by(admin_client):
    citing, cited = "06REYKJAVIK150", "06REYKJAVIK140"
    import_paths([SAMPLE / "text" / f"{citing}.txt", SAMPLE / "text" / f"{cited}.txt"])
    cited_page = admin_client.get(reverse("admin:cables_cable_change", args=[cited]))
    assert reverse("admin:cables_cable_change", args=[citing]) in cited_page.content.decode()
    citing_page = admin_client.get(reverse("admin:cables_cable_change", args=[citing]))
    assert citing_page.status_code == 200
    assert reverse("admin:cables_cable_change", args=[cited]) in citing_page.content.decode()


def test_cable_changelist_searches_and_filters(admin_client):
    import_paths([SEED])
    url = reverse("admin:cables_cable_changelist")
    found = admin_client.get(url, {"q": "LAVROV"}).content.decode()
    assert "07MOSCOW5100" in found
    filtered = admin_client.get(url, {"classification__exact": "SECRET"}).content.decode()
    assert "07MOSCOW5100" not in filtered


def test_tag_admin_lists_codes_with_names(admin_client):
    import_paths([SEED])
    html = admin_client.get(reverse("admin:cables_tag_changelist"), {"q": "RS"}).content.decode()
    assert "Russia" in html


def test_archive_upload_with_hostile_member_imports_the_rest(staff_client, media):
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz") as tar:
        tar.add(SEED, arcname="ok/07MOSCOW5100.txt")
        evil = tarfile.TarInfo("../../etc/evil.txt")
        evil.size = 4
        tar.addfile(evil, io.BytesIO(b"evil"))
    staff_client.post(UPLOAD, {"files": [upload("mixed.tgz", data.getvalue())]})
    job = ImportJob.objects.get()
    run_import_job.call(job.pk)
    job.refresh_from_db()
    assert (job.new, job.failed) == (1, 1)
    assert "escapes the archive" in job.errors[0]["error"]


@pytest.mark.django_db(transaction=True)
def test_job_left_running_by_a_killed_worker_can_be_run_again(staff_client, media):
    staff_client.post(UPLOAD, {"files": [seed_upload()]})
    job = ImportJob.objects.get()
    # What a SIGKILLed worker leaves behind: the job marked running, its task gone.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    call_command("db_worker", "--batch", verbosity=0)
    assert ImportJob.objects.get().status == ImportJob.Status.RUNNING

    changelist = reverse("admin:cables_importjob_changelist")
    staff_client.post(changelist, {"action": "run_again", "_selected_action": [job.pk]})
    call_command("db_worker", "--batch", verbosity=0)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.new + job.unchanged == 1
    assert Cable.objects.filter(pk="07MOSCOW5100").exists()


def stalled_job() -> ImportJob:
    """What a worker killed mid-import leaves: a running job that stopped beating long ago."""
    long_ago = timezone.now() - timedelta(minutes=10)
    return ImportJob.objects.create(
        status=ImportJob.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago, processed=40
    )


def test_a_job_whose_worker_stopped_shows_as_stalled_with_a_way_to_finish_it(staff_client):
    job = stalled_job()

    html = staff_client.get(reverse("admin:cables_importjob_change", args=[job.pk])).content
    listing = staff_client.get(reverse("admin:cables_importjob_changelist")).content

    assert b"Stalled" in html
    assert b"no sign of the import worker" in html
    assert reverse("admin:cables_importjob_run_again", args=[job.pk]).encode() in html
    assert b"Stalled" in listing


def test_a_running_job_offers_cancel_but_not_run_again(staff_client):
    job = ImportJob.objects.create(status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now())

    html = staff_client.get(reverse("admin:cables_importjob_change", args=[job.pk])).content

    assert reverse("admin:cables_importjob_cancel", args=[job.pk]).encode() in html
    assert reverse("admin:cables_importjob_run_again", args=[job.pk]).encode() not in html


@pytest.mark.django_db(transaction=True)
def test_run_again_finishes_a_stalled_job(staff_client, media):
    staff_client.post(UPLOAD, {"files": [seed_upload()]})
    job = ImportJob.objects.get()
    long_ago = timezone.now() - timedelta(minutes=10)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )

    staff_client.post(reverse("admin:cables_importjob_run_again", args=[job.pk]))
    call_command("db_worker", "--batch", verbosity=0)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Cable.objects.filter(pk="07MOSCOW5100").exists()


def test_run_again_leaves_a_job_that_is_still_running_alone(staff_client):
    job = ImportJob.objects.create(status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now())

    response = staff_client.post(
        reverse("admin:cables_importjob_run_again", args=[job.pk]), follow=True
    )

    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert b"is still running" in response.content


def test_cancel_ends_a_queued_job_and_says_who_cancelled_it(staff_client, media):
    staff_client.post(UPLOAD, {"files": [seed_upload()]})
    job = ImportJob.objects.get()

    response = staff_client.post(
        reverse("admin:cables_importjob_cancel", args=[job.pk]), follow=True
    )

    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert job.finished_at is not None
    assert "Cancelled by staff" in job.message
    assert b"Cancelled by staff" in response.content
    assert run_import_job.call(job.pk) == {"skipped": True}


def test_cancel_leaves_an_ended_job_as_it_was(staff_client):
    job = ImportJob.objects.create(status=ImportJob.Status.DONE, new=3)

    response = staff_client.post(
        reverse("admin:cables_importjob_cancel", args=[job.pk]), follow=True
    )

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert b"had already ended" in response.content


@pytest.mark.parametrize("name", ["cancel", "run_again"])
def test_cancel_and_run_again_answer_only_post(staff_client, name):
    job = stalled_job()

    response = staff_client.get(reverse(f"admin:cables_importjob_{name}", args=[job.pk]))

    assert response.status_code == 405
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


@pytest.mark.parametrize("name", ["cancel", "run_again"])
def test_non_staff_cannot_cancel_or_run_again(client, django_user_model, name):
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))
    job = stalled_job()

    response = client.post(reverse(f"admin:cables_importjob_{name}", args=[job.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


def test_job_page_names_files_as_they_were_uploaded(staff_client, media):
    staff_client.post(UPLOAD, {"files": [upload("my notes (2).txt", b"just some words\n")]})
    job = ImportJob.objects.get()
    run_import_job.call(job.pk)

    html = staff_client.get(
        reverse("admin:cables_importjob_change", args=[job.pk])
    ).content.decode()

    assert job.files == ["my_notes_2.txt"]
    assert "<tr><td>my notes (2).txt</td>" in html


def test_job_page_counts_cables_apart_from_inputs_that_were_not(staff_client, media):
    staff_client.post(UPLOAD, {"files": [seed_upload(), upload("notes.txt", b"just some words\n")]})
    job = ImportJob.objects.get()
    run_import_job.call(job.pk)

    html = staff_client.get(
        reverse("admin:cables_importjob_change", args=[job.pk])
    ).content.decode()

    assert "2 inputs read" in html
    assert "1 cable and 1 input that could not be imported as a cable" in html


def test_the_progress_partial_updates_heading_breadcrumb_and_title(staff_client, media):
    staff_client.post(UPLOAD, {"files": [seed_upload()]})
    job = ImportJob.objects.get()
    run_import_job.call(job.pk)

    html = staff_client.get(
        reverse("admin:cables_importjob_progress", args=[job.pk])
    ).content.decode()

    assert '<span id="job-title-state" hx-swap-oob="true">done</span>' in html
    assert '<span id="job-crumb-state" hx-swap-oob="true">done</span>' in html
    assert f"<title>Import #{job.pk} (done)" in html


def test_a_finished_job_links_to_the_cables_it_added(staff_client, media, index_dir):
    staff_client.post(UPLOAD, {"files": [seed_upload()]})
    job = ImportJob.objects.get()
    run_import_job.call(job.pk)

    html = staff_client.get(
        reverse("admin:cables_importjob_change", args=[job.pk])
    ).content.decode()

    assert "The 1 cable this import added</a>" in html
    assert "/search?added=" in html and "sort=added" in html


def test_a_finished_job_links_to_the_users_saved_searches_it_matched(
    staff_client, media, index_dir, django_capture_on_commit_callbacks
):
    from search.bookmarks.models import SavedSearch

    staff = ImportJob._meta.get_field("created_by").related_model.objects.get(username="staff")
    SavedSearch.objects.create(user=staff, name="Lavrov", query="q=lavrov")
    SavedSearch.objects.create(user=staff, name="Nothing", query="q=zzyzx")
    staff_client.post(UPLOAD, {"files": [seed_upload()]})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        run_import_job.call(job.pk)

    html = staff_client.get(
        reverse("admin:cables_importjob_change", args=[job.pk])
    ).content.decode()

    assert ">Lavrov</a> matches cables this import added" in html
    assert "Nothing</a>" not in html
