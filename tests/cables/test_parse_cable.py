"""manage.py parse_cable: one JSON object per cable per line, failures as error lines."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cables.parsing import parse

SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"
SEED = SAMPLE / "07MOSCOW5100.txt"


def lines(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("parse_cable", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_prints_the_record_json_with_its_source():
    (data,) = lines(str(SEED))
    assert data == parse(SEED.read_bytes(), source=str(SEED)).to_json()
    assert data["source"] == str(SEED)


def test_reads_archives_in_member_order(tmp_path):
    archive = tmp_path / "two.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(SEED, arcname="b/07MOSCOW5100.txt")
        tar.add(SEED, arcname="a/again.txt")
    sources = [data["source"] for data in lines(str(archive))]
    assert sources == [f"{archive}:b/07MOSCOW5100.txt", f"{archive}:a/again.txt"]


def test_a_failing_file_gives_an_error_line_and_the_rest_goes_on(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 10)
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("parse_cable", str(junk), str(SEED), stdout=out)
    assert raised.value.returncode == 1
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert set(first) == {"source", "error"}
    assert first["source"] == str(junk)
    assert second["id"] == "07MOSCOW5100"
