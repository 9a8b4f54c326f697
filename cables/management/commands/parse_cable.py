"""``manage.py parse_cable FILE...``: print each cable as one JSON object per line."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cables.ingest.reading import Parsed, iter_parsed
from cables.ingest.sources import Limits, Sources


class Command(BaseCommand):
    help = (
        "Parse cables (text, HTML, archives, cables.csv) and print one JSON object per cable "
        'per line, in input order. A failure prints {"source": ..., "error": ...} and the '
        "command goes on; the exit status is 1 if anything failed. Nothing is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files: list[str], **options) -> None:
        failed = 0
        for item in iter_parsed(Sources(files, Limits.from_settings())):
            if isinstance(item, Parsed):
                data = item.record.to_json()
            else:
                failed += 1
                data = item.to_json()
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        if failed:
            noun = "input" if failed == 1 else "inputs"
            raise CommandError(f"{failed} {noun} failed", returncode=1)
