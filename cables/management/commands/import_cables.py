"""``manage.py import_cables PATH...``: import cables from files, folders, archives, cables.csv."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from cables.ingest.importer import (
    BATCH_SIZE,
    ImportStopped,
    ImportSummary,
    ProgressSource,
    import_paths,
)
from cables.locking import probe_json_patiently


class Command(BaseCommand):
    help = (
        "Import cables from text or HTML files, folders, zip/tar(.gz/.xz/.bz2) archives and "
        "the full release's cables.csv. Re-importing unchanged cables writes nothing. "
        "Exits with status 1 if anything failed."
    )

    def check(self, *args, **kwargs):
        probe_json_patiently()  # a second import may be committing as this one starts
        return super().check(*args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--quiet", action="store_true", help="no progress bar and no summary; failures only"
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="cables per transaction"
        )
        parser.add_argument(
            "--no-parallel",
            action="store_true",
            help="parse in this process (by default a second process parses big inputs)",
        )

    def handle(
        self,
        *args,
        paths: list[str],
        quiet: bool,
        batch_size: int,
        no_parallel: bool,
        **options,
    ) -> None:
        started = time.monotonic()
        bar = None if quiet else tqdm(unit=" cables", desc="Importing", file=self.stderr._out)
        last_refresh = 0.0

        def progress(summary: ImportSummary, sources: ProgressSource) -> None:
            nonlocal last_refresh
            now = time.monotonic()
            if bar is None or now - last_refresh < 0.2:
                return
            last_refresh = now
            # The total is estimated from the bytes read so far: archives are not counted first.
            if sources.bytes_done and sources.bytes_total:
                bar.total = max(
                    summary.read, round(summary.read * sources.bytes_total / sources.bytes_done)
                )
            bar.update(summary.read - bar.n)

        stopped: ImportStopped | None = None
        try:
            summary = import_paths(
                paths,
                batch_size=batch_size,
                progress=progress,
                parallel=False if no_parallel else None,
            )
        except ImportStopped as exc:
            stopped, summary = exc, exc.summary
        finally:
            # Closed however the import ends: a bar left open crashes the interpreter's exit.
            if bar is not None:
                bar.close()
        elapsed = time.monotonic() - started
        for failure in summary.failures:
            self.stderr.write(f"FAILED {failure.source}: {failure.error}")
        if not quiet or stopped is not None:
            rate = summary.read / elapsed if elapsed > 0 else 0.0
            self.stdout.write(
                f"{summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged, "
                f"{summary.failed} failed ({summary.read} read in {elapsed:.1f} s, "
                f"{rate:.0f} cables/s)"
            )
        if stopped is not None:
            raise CommandError(
                f"The import stopped: {stopped.reason}. The counts above are what was stored; "
                "nothing is half-written. Fix the cause and run the same command again.",
                returncode=1,
            )
        if summary.failed:
            noun = "input" if summary.failed == 1 else "inputs"
            raise CommandError(f"{summary.failed} {noun} failed (listed above)", returncode=1)
