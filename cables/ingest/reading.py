"""Source items to parsed cables: the one place that calls the parser on import inputs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath

from cables.compression import compress, compress_original, paragraphs_base
from cables.ingest.sources import Limits, SourceCsv, SourceFailure, SourceFile, SourceItem
from cables.parsing import iter_csv, parse
from cables.parsing.csvrows import SkippedRow
from cables.parsing.record import CableRecord, ParseFailure

HASH_EXCLUDED = ("source", "format")
# What the parser's reading depends on: its code and the TAGS dictionary.
_CABLES_DIR = Path(__file__).resolve().parents[1]
_PARSER_FILES = (_CABLES_DIR / "parsing", _CABLES_DIR / "data" / "tags.csv")


def cable_text(header: str, body: str) -> str:
    """A cable's text as it reads: its header, a blank line, its body (one rule, see
    CableSource.header and .body)."""
    return f"{header}\n\n{body}" if header else body


def content_hash(record: CableRecord) -> str:
    """SHA-256 of the record's JSON minus where it came from (deterministic, key-sorted)."""
    data = record.to_json()
    for key in HASH_EXCLUDED:
        data.pop(key, None)
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@cache
def parser_fingerprint() -> bytes:
    """Changes whenever the parser could read an input differently (its files changed)."""
    digest = hashlib.sha256()
    for root in _PARSER_FILES:
        files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
        for path in files:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def read_key(data: bytes, source: str = "") -> str:
    """Names one input as this parser reads it: its bytes, its file name (a body-only
    fragment's id comes from it) and the parser's fingerprint. A stored key means the input
    was read before, to the same record: re-importing it needs no parsing."""
    name = PurePosixPath(source.rsplit(":", 1)[-1]).name if source else ""
    digest = hashlib.sha256(parser_fingerprint())
    digest.update(name.encode("utf-8", "replace") + b"\0")
    digest.update(data)
    return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Parsed:
    """A cable read from an input, with the input's bytes (stored verbatim, compressed).

    ``original`` is empty for a cables.csv row: its header and body cells are the cable text.
    ``hash`` is computed where the record is parsed (in the parsing process, when there is one).
    """

    record: CableRecord
    original: bytes
    hash: str = field(default="")
    read_key: str = field(default="")
    # What is stored, compressed here (in the parsing process, when there is one).
    text_blob: bytes = field(init=False)
    original_blob: bytes = field(init=False)
    paragraph_blobs: tuple[bytes, ...] = field(init=False)

    def __post_init__(self) -> None:
        if isinstance(self.original, str):
            object.__setattr__(self, "original", self.original.encode("utf-8"))
        if not self.hash:
            object.__setattr__(self, "hash", content_hash(self.record))
        text = cable_text(self.record.header, self.record.body)
        # As the shown form (against the paragraphs); the importer recompresses a form that
        # is not shown on its own.
        base = paragraphs_base(p.text for p in self.record.paragraphs)
        object.__setattr__(self, "text_blob", compress(text, base=base))
        blob = compress_original(self.record.format, text, self.original)
        object.__setattr__(self, "original_blob", blob)
        blobs = tuple(compress(p.text) for p in self.record.paragraphs)
        object.__setattr__(self, "paragraph_blobs", blobs)


@dataclass(frozen=True, slots=True)
class Unchanged:
    """An input read before by the same parser (its read key is stored): not parsed again."""

    source: str


ReadItem = Parsed | ParseFailure | Unchanged


def iter_parsed(
    items: Iterable[SourceItem],
    known: Container[str] = frozenset(),
    limits: Limits | None = None,
) -> Iterator[ReadItem]:
    """Parse every item in order; failures come out as ParseFailure, never as exceptions.

    ``known``: read keys of inputs already stored; those come out as :class:`Unchanged`.
    ``limits`` (by default ``items.limits`` for a Sources, else the defaults) say how big one
    cable may be; a bigger one is refused with a message saying which limit it broke.
    """
    limits = limits or getattr(items, "limits", None) or Limits()
    for item in items:
        if isinstance(item, SourceFailure):
            yield ParseFailure(item.source, item.error)
        elif isinstance(item, SourceFile):
            try:
                yield _parsed_file(item, known, limits)
            except Exception as exc:  # noqa: BLE001 - one input's failure line; the rest goes on
                yield ParseFailure(item.source, f"could not be read ({type(exc).__name__}: {exc})")
        elif isinstance(item, SourceCsv):
            yield from _csv_rows(item, known, limits)


def _parsed_file(item: SourceFile, known: Container[str], limits: Limits) -> ReadItem:
    key = read_key(item.data, item.source)
    if key in known:
        return Unchanged(item.source)
    result = parse(item.data, source=item.source)
    if isinstance(result, ParseFailure):
        return result
    return _checked(result, limits, item.data, key)


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


def _checked(
    record: CableRecord, limits: Limits, original: bytes, key: str
) -> Parsed | ParseFailure:
    # Checked before Parsed is built: an oversized cable is refused, never compressed.
    reason = too_big(record, len(cable_text(record.header, record.body)), limits)
    return ParseFailure(record.source, reason) if reason else Parsed(record, original, read_key=key)


def _csv_rows(item: SourceCsv, known: Container[str], limits: Limits) -> Iterator[ReadItem]:
    rows = 0
    keys: list[str] = []  # the key of the row being read, for the record that comes out of it

    def skip(raw: bytes) -> bool:
        keys.append(read_key(raw))
        return keys[-1] in known

    try:
        for result in iter_csv(item.stream, source=item.source, skip=skip):
            rows += 1
            if isinstance(result, SkippedRow):
                yield Unchanged(result.source)
            elif isinstance(result, ParseFailure):
                yield result
            else:
                # A csv row has no file of its own: its cells are the cable text.
                yield _checked(result, limits, b"", keys[-1] if keys else "")
            keys.clear()
    except Exception as exc:  # noqa: BLE001 - a broken stream (bomb, truncation) ends this csv only
        yield ParseFailure(item.source, f"reading stopped after {rows} rows: {exc}")
