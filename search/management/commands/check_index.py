"""Compare the search index with the database; exit 1 on any drift; --repair fixes it."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from search.exceptions import IndexUnavailable
from search.service import get_backend

SHOW = 10  # ids listed per kind of drift


class Command(BaseCommand):
    help = "Report cables missing from, stale in, or unknown to the search index (exit 1 on drift)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repair", action="store_true", help="fix the drift found")

    def handle(self, *args, **options) -> None:
        backend = get_backend()
        try:
            drift = backend.check()
        except IndexUnavailable as error:
            if not options["repair"]:
                self.stderr.write(str(error))
                raise SystemExit(1) from error
            self.stdout.write("The index cannot be read; rebuilding it.")
            backend.rebuild()
            drift = backend.check()
        self.stdout.write(f"Database: {drift.total_db} cables. Index: {drift.total_index} cables.")
        for note in drift.notes:
            self.stdout.write(f"Note: {note}.")
        for label, ids in (
            ("missing from the index", drift.missing),
            ("stale in the index", drift.stale),
            ("in the index but not in the database", drift.unknown),
        ):
            if ids:
                shown = ", ".join(ids[:SHOW]) + (" …" if len(ids) > SHOW else "")
                self.stdout.write(f"{len(ids)} {label}: {shown}")
        if drift.ok:
            self.stdout.write(self.style.SUCCESS("The index agrees with the database."))
            return
        if not options["repair"]:
            self.stderr.write("The index has drifted. Run: manage.py check_index --repair")
            raise SystemExit(1)
        backend.repair(drift)
        after = backend.check()
        if after.ok:
            self.stdout.write(self.style.SUCCESS("Repaired: the index agrees with the database."))
            return
        self.stderr.write("Drift remains after repair (a writer may be running); run it again.")
        raise SystemExit(1)
