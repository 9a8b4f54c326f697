"""Real cables for the search page tests: a slice of the shared corpus, imported for real.

The slice is extracted once per session into a temporary folder; each test imports it with
``manage.py import_cables`` into its own database and index (the ingest signals index it).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tarfile
from pathlib import Path

SLICE = 150  # the first cables of cables-text.tar.xz, plus the seed cable


def extract_slice(corpus_dir: Path, target: Path, count: int = SLICE) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(corpus_dir / "cables-text.tar.xz") as tar:
        taken = 0
        for member in tar:
            if not (member.isfile() and member.name.endswith(".txt")):
                continue
            data = tar.extractfile(member).read()
            (target / Path(member.name).name).write_bytes(data)
            taken += 1
            if taken >= count:
                break
    shutil.copy(corpus_dir / "seed" / "07MOSCOW5100.txt", target / "07MOSCOW5100.txt")
    return target


def import_slice(folder: Path) -> None:
    """Import the slice. A cable the parser rejects is skipped; the tests need the rest."""
    from django.core.management import CommandError, call_command

    with contextlib.suppress(CommandError):  # raised after storing all the others
        call_command("import_cables", str(folder), quiet=True, stderr=io.StringIO())
