"""manage.py import_cables: summary, failures with file names, exit status."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cables.models import Cable

SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"
SEED = SAMPLE / "07MOSCOW5100.txt"

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cables", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_summary_counts_new_cables():
    out, _ = run(str(SEED))
    assert out.startswith("1 new, 0 updated, 0 unchanged, 0 failed")
    assert "cables/s" in out
    assert Cable.objects.filter(pk="07MOSCOW5100").exists()


def test_second_import_reports_everything_unchanged():
    run(str(SEED), str(SAMPLE / "cablegate-pages.tar.xz"))
    out, _ = run(str(SEED), str(SAMPLE / "cablegate-pages.tar.xz"), "--quiet")
    assert out == ""
    out, _ = run(str(SEED))
    assert out.startswith("0 new, 0 updated, 1 unchanged, 0 failed")


def test_failures_are_listed_with_file_and_reason_and_exit_status_is_1(tmp_path):
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 10)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_cables", str(junk), str(SEED), stdout=out, stderr=err)
    assert raised.value.returncode == 1
    assert f"FAILED {junk}: " in err.getvalue()
    assert out.getvalue().startswith("1 new, 0 updated, 0 unchanged, 1 failed")


def test_missing_path_fails_clearly(tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cables", str(tmp_path / "nope"), stdout=io.StringIO(), stderr=err)
    assert f"FAILED {tmp_path / 'nope'}: no such file or folder" in err.getvalue()


def test_quiet_prints_only_failures(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 10)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cables", "--quiet", str(junk), stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert err.getvalue().startswith(f"FAILED {junk}: ")
