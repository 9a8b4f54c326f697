"""Source items to parsed cables: the one place that calls the parser on import inputs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cables.ingest.sources import SourceCsv, SourceFailure, SourceFile, SourceItem
from cables.parsing import decode_bytes, iter_csv, parse
from cables.parsing.record import CableRecord, ParseFailure


@dataclass(frozen=True, slots=True)
class Parsed:
    """A cable read from an input, with the text it was read from (stored verbatim)."""

    record: CableRecord
    raw_text: str


def iter_parsed(items: Iterable[SourceItem]) -> Iterator[Parsed | ParseFailure]:
    """Parse every item in order; failures come out as ParseFailure, never as exceptions."""
    for item in items:
        if isinstance(item, SourceFailure):
            yield ParseFailure(item.source, item.error)
        elif isinstance(item, SourceFile):
            result = parse(item.data, source=item.source)
            if isinstance(result, ParseFailure):
                yield result
            else:
                yield Parsed(result, decode_bytes(item.data))
        elif isinstance(item, SourceCsv):
            yield from _csv_rows(item)


def _csv_rows(item: SourceCsv) -> Iterator[Parsed | ParseFailure]:
    rows = 0
    try:
        for result in iter_csv(item.stream, source=item.source):
            rows += 1
            if isinstance(result, ParseFailure):
                yield result
            else:
                # A csv row has no file of its own: its text is the header and body it holds.
                raw = "\n\n".join(part for part in (result.header, result.body) if part)
                yield Parsed(result, raw)
    except Exception as exc:  # noqa: BLE001 - a broken stream (bomb, truncation) ends this csv only
        yield ParseFailure(item.source, f"reading stopped after {rows} rows: {exc}")
