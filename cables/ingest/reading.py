"""Source items to parsed cables: the one place that calls the parser on import inputs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cables.ingest.sources import SourceCsv, SourceFailure, SourceFile, SourceItem
from cables.parsing import decode_bytes, iter_csv, parse
from cables.parsing.record import CableRecord, ParseFailure

HASH_EXCLUDED = ("source", "format")


def content_hash(record: CableRecord) -> str:
    """SHA-256 of the record's JSON minus where it came from (deterministic, key-sorted)."""
    data = record.to_json()
    for key in HASH_EXCLUDED:
        data.pop(key, None)
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Parsed:
    """A cable read from an input, with the text it was read from (stored verbatim).

    ``hash`` is computed where the record is parsed (in the parsing process, when there is one).
    """

    record: CableRecord
    raw_text: str
    hash: str = field(default="")

    def __post_init__(self) -> None:
        if not self.hash:
            object.__setattr__(self, "hash", content_hash(self.record))


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
