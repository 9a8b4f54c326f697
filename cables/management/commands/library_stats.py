"""How much the library holds and how much disk it takes: text, database, index, their ratio."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.models import Count, Sum

from cables.models import Cable, CableSource, Paragraph

MB = 1e6


def folder_bytes(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                continue  # removed meanwhile (a merge finishing)
    return total


def database_bytes() -> tuple[int, int]:
    """(size of the database on disk, of it bytes that are free pages a VACUUM would return)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_size")
            page = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA freelist_count")
            free = cursor.fetchone()[0]
            return page * pages, page * free
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0], 0
    return 0, 0


def table_bytes() -> dict[str, int]:
    """Bytes per table, its indexes included, where the database can tell."""
    tables = [m._meta.db_table for m in (Cable, CableSource, Paragraph)]
    out: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                out[table] = cursor.fetchone()[0]
        elif connection.vendor == "sqlite":
            try:
                cursor.execute("SELECT name, tbl_name FROM sqlite_master")
                owner = dict(cursor.fetchall())
                cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
                for name, size in cursor.fetchall():
                    table = owner.get(name, name)
                    if table in tables:
                        out[table] = out.get(table, 0) + size
            except Exception:  # noqa: BLE001 - SQLite built without dbstat: totals only
                return {}
    return out


def text_bytes() -> int:
    """UTF-8 bytes of every cable's subject and paragraph text (what the footprint is set
    against)."""
    subjects = sum(len(s.encode("utf-8")) for s in Cable.objects.values_list("subject", flat=True))
    paragraphs = sum(
        len(text.encode("utf-8"))
        for text in Paragraph.objects.values_list("text", flat=True).iterator(chunk_size=5000)
    )
    return subjects + paragraphs


class Command(BaseCommand):
    help = (
        "Print the library's footprint: bytes of cable text (subjects and paragraphs), of the "
        "database and of the search index, and their ratio."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--vacuum",
            action="store_true",
            help="SQLite: give free pages back to the disk first (after a migration or deletes)",
        )

    def handle(self, *args, vacuum: bool = False, **options) -> None:
        if vacuum and connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM")
        text = text_bytes()
        db, free = database_bytes()
        index = folder_bytes(Path(settings.SEARCH_INDEX_DIR))
        forms = CableSource.objects.aggregate(
            n=Count("id"), originals=Sum("original_size", default=0)
        )
        kinds = dict(
            CableSource.objects.values_list("kind").annotate(n=Count("id")).order_by("kind")
        )
        write = self.stdout.write
        write(f"cables: {Cable.objects.count():,}")
        by_kind = ", ".join(f"{n:,} {kind}" for kind, n in kinds.items())
        write(f"forms imported: {forms['n']:,}" + (f" ({by_kind})" if by_kind else ""))
        write(f"uploads kept (uncompressed size): {forms['originals'] / MB:,.2f} MB")
        write(f"text (subjects and paragraphs): {text / MB:,.2f} MB")
        write(
            f"database: {db / MB:,.2f} MB"
            + (f" ({free / MB:,.2f} MB free pages: --vacuum returns them)" if free else "")
        )
        for table, size in sorted(table_bytes().items()):
            write(f"  {table}: {size / MB:,.2f} MB")
        write(f"index: {index / MB:,.2f} MB")
        ratio = (db - free + index) / text if text else 0.0
        write(f"footprint: {ratio:.2f}x the text (database without free pages + index)")
