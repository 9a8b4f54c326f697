"""Source items to parsed cables: the one place that calls the parser on import inputs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cables.ingest.sources import Limits, SourceCsv, SourceFailure, SourceFile, SourceItem
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


def iter_parsed(
    items: Iterable[SourceItem], limits: Limits | None = None
) -> Iterator[Parsed | ParseFailure]:
    """Parse every item in order; failures come out as ParseFailure, never as exceptions.

    ``limits`` (by default ``items.limits`` for a Sources, else the defaults) say how big one
    cable may be; a bigger one is refused with a message saying which limit it broke.
    """
    limits = limits or getattr(items, "limits", None) or Limits()
    for item in items:
        if isinstance(item, SourceFailure):
            yield ParseFailure(item.source, item.error)
        elif isinstance(item, SourceFile):
            try:
                yield _checked(_parsed_file(item), limits)
            except Exception as exc:  # noqa: BLE001 - one input's failure line; the rest goes on
                yield ParseFailure(item.source, f"could not be read ({type(exc).__name__}: {exc})")
        elif isinstance(item, SourceCsv):
            yield from _csv_rows(item, limits)


def _parsed_file(item: SourceFile) -> Parsed | ParseFailure:
    result = parse(item.data, source=item.source)
    if isinstance(result, ParseFailure):
        return result
    return Parsed(result, decode_bytes(item.data))


def too_big(record: CableRecord, text_chars: int, limits: Limits) -> str:
    """Why one cable is refused for its size ("" when it is within the limits)."""
    if text_chars > limits.max_file_bytes:
        return f"cable text longer than {limits.max_file_bytes:,} characters: not stored"
    if len(record.paragraphs) > limits.max_paragraphs:
        return (
            f"{len(record.paragraphs):,} paragraphs, more than the {limits.max_paragraphs:,} "
            "one cable may hold: not stored"
        )
    longest = max((len(p.text) for p in record.paragraphs), default=0)
    if longest > limits.max_paragraph_chars:
        return (
            f"a paragraph of {longest:,} characters, more than the "
            f"{limits.max_paragraph_chars:,} allowed: not stored"
        )
    return ""


def _checked(item: Parsed | ParseFailure, limits: Limits) -> Parsed | ParseFailure:
    if isinstance(item, ParseFailure):
        return item
    reason = too_big(item.record, len(item.raw_text), limits)
    return ParseFailure(item.record.source, reason) if reason else item


def _csv_rows(item: SourceCsv, limits: Limits) -> Iterator[Parsed | ParseFailure]:
    rows = 0
    try:
        for result in iter_csv(item.stream, source=item.source):
            rows += 1
            if isinstance(result, ParseFailure):
                yield result
            else:
                # A csv row has no file of its own: its text is the header and body it holds.
                raw = "\n\n".join(part for part in (result.header, result.body) if part)
                yield _checked(Parsed(result, raw), limits)
    except Exception as exc:  # noqa: BLE001 - a broken stream (bomb, truncation) ends this csv only
        yield ParseFailure(item.source, f"reading stopped after {rows} rows: {exc}")
