"""Uploading cables through the admin in a real browser: progress, then the summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from cables.models import ImportJob

SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_shows_progress_then_the_summary(
    page, live_server, django_user_model, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    django_user_model.objects.create_user("staff", password="a-long-password", is_staff=True)
    junk = tmp_path / "notes.txt"
    junk.write_text("some words, not a cable\n")

    page.goto(f"{live_server.url}/admin/login/?next=/admin/cables/importjob/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "a-long-password")
    page.click("input[type=submit]")
    page.get_by_role("link", name="Upload cables").click()
    page.set_input_files("#id_files", [str(SAMPLE / "07MOSCOW5100.txt"), str(junk)])
    page.get_by_role("button", name="Upload and import").click()

    # The job page: queued until a worker takes it.
    status = page.locator(".import-status")
    assert status.inner_text() == "Queued"
    assert ImportJob.objects.get().status == ImportJob.Status.QUEUED

    # The worker runs; the page follows by polling (no reload) and ends on the summary.
    call_command("db_worker", "--batch", verbosity=0)
    page.locator(".import-status", has_text="Done").wait_for()
    summary = page.locator(".import-summary tbody td")
    assert summary.all_inner_texts() == ["1", "0", "0", "1"]
    assert "notes.txt" in page.locator(".import-errors").inner_text()
    assert page.locator("#import-progress[hx-get]").count() == 0
