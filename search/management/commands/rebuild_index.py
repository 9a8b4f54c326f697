"""Rebuild the search index from the database into a fresh folder, then swap it in."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from search.service import get_backend


class Command(BaseCommand):
    help = "Rebuild the search index from the database (searches keep working meanwhile)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        bar = tqdm(
            unit="cable", disable=options["no_progress"], file=self.stderr._out, dynamic_ncols=True
        )

        def set_total(n: int) -> None:
            bar.total = n
            bar.refresh()

        try:
            count = get_backend().rebuild(progress=bar.update, total=set_total)
        finally:
            bar.close()
        self.stdout.write(f"Indexed {count} cables in {time.monotonic() - started:.1f} s.")
