"""Parsed cables to rows, idempotently.

A cable is keyed on its id. Its ``content_hash`` (see ``reading.content_hash``) is the SHA-256
of the record's JSON without ``source`` and ``format``, so importing the same input again finds every cable unchanged and
writes nothing (``last_imported`` is the last time the stored content changed, not the last
time it was seen).

The same cable often exists in several forms (a cablegate page, a plain-text export, a
body-only fragment). Every form a cable was imported from is kept (``CableSource``: the upload
compressed, its cable text, its record's hash): a form seen before is "unchanged", so
re-importing a mixed corpus is idempotent whatever the order. A new form replaces the shown
record ("updated") unless it is less complete than the shown one (a body-only fragment never
replaces a full page): then it is only added to the cable's forms, and the cable counts as
unchanged. An input whose read key (``reading.read_key``) is stored is not even parsed.

Cables are written in batches: one transaction per batch, one query per table per batch for
new cables. If a batch fails, it is rolled back whole and retried cable by cable, each in its
own savepoint, so a bad cable fails alone and no cable is ever half written. ``cables_stored``
is sent after commit, for every ``announce_every`` committed cables (by default each batch;
``import_paths`` groups ``ANNOUNCE_EVERY`` of them, so the search index writes a few big
segments instead of one small one per batch) and for the rest when the import ends.
``import_paths`` brackets the import with ``import_started`` and ``import_finished`` and marks
its announcements ``in_import``: the index may write a group in the background while the next
is stored, and finishes when ``import_finished`` is sent. If the process dies in between, up to
two groups of cables are stored but not indexed: ``manage.py check_index`` lists them as
missing and ``--repair`` indexes them.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.db import DatabaseError, OperationalError, connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone

from cables.compression import compress, decompress_text, needs_base, paragraphs_base
from cables.ingest.pipeline import RemoteProgress, iter_parsed_in_background
from cables.ingest.reading import Parsed, ReadItem, Unchanged, cable_text, iter_parsed
from cables.ingest.sources import Limits, Sources
from cables.locking import patiently
from cables.models import Addressee, Cable, CableSource, CableTag, Paragraph, Reference, Tag
from cables.parsing.record import CableRecord, ParseFailure
from cables.parsing.tagsdict import TAGS, tag_name
from cables.signals import cables_stored, import_finished, import_started

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# Committed cables announced at once by import_paths: the index writes a group of this size
# with two processes into two segments that are never merged again (search/backends/whoosh/
# merging.py), so a 251,287-cable import leaves ~26 segments and never stalls on a big merge.
# Smaller groups mean more segments; bigger ones more memory in the index writers.
ANNOUNCE_EVERY = 20_000
# How complete each input form is: a fuller form replaces a poorer one, never the reverse.
FORMAT_RANK = {"csv": 3, "html": 3, "text": 2, "html-body": 1}
TAG_KINDS = {choice.value for choice in Tag.Kind}


@dataclass(frozen=True, slots=True)
class ImportFailure:
    source: str
    error: str


@dataclass
class ImportSummary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    read: int = 0  # items read so far (counts lag behind by at most one batch)
    failures: list[ImportFailure] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.new + self.updated

    def as_dict(self) -> dict:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }


class ImportStopped(Exception):
    """The database or the search index failed (disk full, I/O error, lock never released):
    the import stopped. ``summary`` counts what was committed; nothing is half-written."""

    def __init__(self, reason: str, summary: ImportSummary) -> None:
        super().__init__(reason)
        self.reason = reason
        self.summary = summary


@dataclass(slots=True)
class _Pending:
    parsed: Parsed
    existing: _Stored | None = None

    @property
    def record(self) -> CableRecord:
        return self.parsed.record

    @property
    def hash(self) -> str:
        return self.parsed.hash


@dataclass(frozen=True, slots=True)
class _Stored:
    content_hash: str
    format: str
    forms: dict[str, tuple[int, str]]  # record hash -> (CableSource id, read key)


@dataclass
class _Plan:
    """What a batch writes: cables (new or updated, each with its form), forms added to a
    cable that keeps its shown record, and read keys of known forms to store."""

    cables: list[_Pending] = field(default_factory=list)
    forms: list[_Pending] = field(default_factory=list)
    keys: list[tuple[str, int]] = field(default_factory=list)  # (read key, CableSource id)
    unchanged: int = 0
    unchanged_ids: list[str] = field(default_factory=list)  # for announce_unchanged

    def __bool__(self) -> bool:
        return bool(self.cables or self.forms or self.keys)


class _Announcer:
    """Collects the ids of committed batches and sends ``cables_stored`` for groups of them."""

    def __init__(self, every: int) -> None:
        self.every = max(1, every)
        self.ids: list[str] = []
        self.closing = False
        self.in_import = False  # between import_started and import_finished
        self.failure = ""  # why the index could not take a group, once it could not

    def committed(self, ids: list[str]) -> None:
        self.ids.extend(ids)
        if self.closing or len(self.ids) >= self.every:
            self.send()

    def send(self) -> None:
        ids, self.ids = self.ids, []
        if ids:
            try:
                failure = _send_robustly(cables_stored, Cable, ids=ids, in_import=self.in_import)
            except BaseException:
                # Interrupted (Ctrl-C) while a listener waited: announced again on the way out.
                self.ids = ids + self.ids
                raise
            self.failure = self.failure or failure

    def start(self) -> None:
        import_started.send(sender=Importer)
        self.in_import = True

    def finish(self) -> None:
        if self.in_import:
            # Listeners may still be indexing the last groups in the background: they finish
            # here.
            self.in_import = False
            self.failure = self.failure or _send_robustly(import_finished, Importer)


class Importer:
    """Feed parsed items in; cables are written in batches. Call :meth:`close` at the end.

    ``announce_every``: committed cables per ``cables_stored`` signal (default: one per batch).
    """

    def __init__(
        self,
        *,
        batch_size: int = BATCH_SIZE,
        announce_every: int | None = None,
        announce_unchanged: bool = False,
    ) -> None:
        self.batch_size = batch_size
        # Also hand unchanged cables to the index: a run after a killed one finds stored cables
        # that the killed run never announced.
        self.announce_unchanged = announce_unchanged
        self.summary = ImportSummary()
        self._pending: dict[str, _Pending] = {}
        self._known_tags: set[str] | None = None
        self._announcer = _Announcer(announce_every or 1)

    def feed(self, item: ReadItem) -> None:
        self.summary.read += 1
        if isinstance(item, ParseFailure):
            self._fail(item.source, item.error)
            return
        if isinstance(item, Unchanged):
            self.summary.unchanged += 1
            return
        record = item.record
        if not record.id:
            self._fail(record.source, "no reference id found: not stored")
            return
        if record.id in self._pending:
            # The same cable twice in one batch: write the first before judging the second.
            self.flush()
        self._pending[record.id] = _Pending(item)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def close(self) -> ImportSummary:
        self._announcer.closing = True  # the last batch's commit announces everything left
        self.flush()
        self.announce_committed()
        self._stop_if_index_failed()
        return self.summary

    def start(self) -> None:
        """Send ``import_started``; until ``finish``, announcements say they are part of an
        import (listeners may index them in the background)."""
        self._announcer.start()

    def finish(self) -> ImportSummary:
        """Send ``import_finished`` (after ``close``, or after the import stopped) and raise
        ``ImportStopped`` if a listener failed: what it indexed in the background is then
        committed."""
        self._announcer.finish()
        self._stop_if_index_failed()
        return self.summary

    def _stop_if_index_failed(self) -> None:
        if self._announcer.failure:
            raise ImportStopped(
                f"the search index could not be updated ({self._announcer.failure}); the "
                "cables stored are safe: run manage.py check_index --repair",
                self.summary,
            )

    def announce_committed(self) -> None:
        """Send ``cables_stored`` now for committed cables not announced yet (after commit)."""
        if self._announcer.ids:
            transaction.on_commit(self._announcer.send)

    def _fail(self, source: str, error: str) -> None:
        self.summary.failed += 1
        self.summary.failures.append(ImportFailure(source, error))

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        items = list(pending.values())
        plan = self._judge(items)
        if not plan:
            self._count(plan)
            self._announce_unchanged(plan)
            return
        try:
            plan = patiently(lambda: self._write_batch(items), "an import batch")
        except OperationalError as exc:
            # Not this batch's fault (disk full, I/O error, a lock never released): every
            # batch after it would fail the same way.
            raise ImportStopped(f"the database could not be written ({exc})", self.summary) from exc
        except DatabaseError:
            self._write_one_by_one(items)
        else:
            self._count(plan)
            self._announce_unchanged(plan)
        self._stop_if_index_failed()

    def _write_batch(self, items: list[_Pending]) -> _Plan:
        with transaction.atomic():
            # Another import may have stored some of these cables since they were judged:
            # wait for its batch to commit, then judge again, so none is inserted twice.
            _one_writer_at_a_time()
            plan = self._judge(items)
            self._write(plan)
            self._announce([item.record.id for item in plan.cables])
        return plan

    def _announce_unchanged(self, plan: _Plan) -> None:
        if self.announce_unchanged:
            self._announce(plan.unchanged_ids)  # committed already, by an earlier run

    @staticmethod
    def _judge(items: list[_Pending]) -> _Plan:
        """What these items write, each with ``existing`` read now."""
        ids = [item.record.id for item in items]
        forms: dict[str, dict[str, tuple[int, str]]] = {}
        for cable_id, pk, chash, key in CableSource.objects.filter(cable_id__in=ids).values_list(
            "cable_id", "id", "content_hash", "read_key"
        ):
            forms.setdefault(cable_id, {})[chash] = (pk, key)
        stored = {
            cable_id: _Stored(content_hash, fmt, forms.get(cable_id, {}))
            for cable_id, content_hash, fmt in Cable.objects.filter(id__in=ids).values_list(
                "id", "content_hash", "format"
            )
        }
        plan = _Plan()
        for item in items:
            existing = item.existing = stored.get(item.record.id)
            if existing is None:
                plan.cables.append(item)
                continue
            known = existing.forms.get(item.hash)
            if known is not None:
                # Read before (by an older parser, or before read keys were stored).
                plan.unchanged += 1
                plan.unchanged_ids.append(item.record.id)
                if item.parsed.read_key and known[1] != item.parsed.read_key:
                    plan.keys.append((item.parsed.read_key, known[0]))
            elif FORMAT_RANK.get(item.record.format, 0) < FORMAT_RANK.get(existing.format, 0):
                plan.unchanged += 1  # a poorer form: kept among the forms, not shown
                plan.unchanged_ids.append(item.record.id)
                plan.forms.append(item)
            else:
                plan.cables.append(item)
        return plan

    def _count(self, plan: _Plan) -> None:
        self.summary.unchanged += plan.unchanged
        for item in plan.cables:
            if item.existing is None:
                self.summary.new += 1
            else:
                self.summary.updated += 1

    def _write_one_by_one(self, items: list[_Pending]) -> None:
        # The tag cache may hold codes whose insert was rolled back with the batch.
        self._known_tags = None
        done = _Plan()
        failed: list[ImportFailure] = []
        try:
            with transaction.atomic():
                _one_writer_at_a_time()
                for item in items:
                    try:
                        with transaction.atomic():
                            plan = self._judge([item])
                            self._write(plan)
                    except OperationalError:
                        raise  # the database, not this cable: stop (see flush)
                    except DatabaseError as exc:
                        self._known_tags = None
                        source = item.record.source or item.record.id
                        failed.append(ImportFailure(source, f"could not store: {exc}"))
                    else:
                        done.cables.extend(plan.cables)
                        done.unchanged += plan.unchanged
                        done.unchanged_ids.extend(plan.unchanged_ids)
                self._announce([item.record.id for item in done.cables])
        except OperationalError as exc:
            raise ImportStopped(f"the database could not be written ({exc})", self.summary) from exc
        # Counted once committed: a rolled-back batch counts nothing.
        for failure in failed:
            self._fail(failure.source, failure.error)
        self._count(done)
        self._announce_unchanged(done)

    def _announce(self, ids: list[str]) -> None:
        if ids:
            transaction.on_commit(lambda: self._announcer.committed(ids))

    def _write(self, plan: _Plan) -> None:
        now = timezone.now()
        if plan.keys:
            _update_many(CableSource, "read_key", plan.keys)
        _insert_forms(plan.forms, now, shown=False)
        items = plan.cables
        if not items:
            return
        self._ensure_tags(items)
        new = [item for item in items if item.existing is None]
        updated = [item for item in items if item.existing is not None]
        if updated:
            ids = [item.record.id for item in updated]
            _detach_shown_texts(ids)
            for model in (Paragraph, CableTag, Reference, Addressee):
                model.objects.filter(cable_id__in=ids).delete()
            for item in updated:
                Cable.objects.filter(pk=item.record.id).update(**_cable_fields(item, now))
        if new:
            Cable.objects.bulk_create(
                [
                    Cable(id=item.record.id, first_imported=now, **_cable_fields(item, now))
                    for item in new
                ]
            )
        _insert_forms(items, now, shown=True)
        # Child rows go in with one executemany per table: plain tuples, no model instances
        # (the ORM's bulk_create spends most of its time building objects and SQL).
        paragraphs: list[tuple] = []
        cable_tags: list[tuple] = []
        references: list[tuple] = []
        addressees: list[tuple] = []
        for item in items:
            record = item.record
            cable_id = record.id
            paragraphs.extend(
                (cable_id, position, p.number, p.marking, blob)
                for position, (p, blob) in enumerate(
                    zip(record.paragraphs, item.parsed.paragraph_blobs, strict=True)
                )
            )
            cable_tags.extend(
                (cable_id, code, position) for position, code in enumerate(_tag_codes(record))
            )
            references.extend(
                (cable_id, position, r.label, r.text, r.cable_id or "")
                for position, r in enumerate(record.references)
            )
            for kind, names in ((Addressee.Kind.TO, record.to), (Addressee.Kind.INFO, record.info)):
                addressees.extend(
                    (cable_id, str(kind), position, name) for position, name in enumerate(names)
                )
        _insert_many(Paragraph, ("cable", "position", "number", "marking", "text"), paragraphs)
        _insert_many(CableTag, ("cable", "tag", "position"), cable_tags)
        _insert_many(Reference, ("cable", "position", "label", "text", "cited_id"), references)
        _insert_many(Addressee, ("cable", "kind", "position", "name"), addressees)

    def _ensure_tags(self, items: list[_Pending]) -> None:
        if self._known_tags is None:
            self._known_tags = set(Tag.objects.values_list("code", flat=True))
        missing: dict[str, str] = {}
        for item in items:
            for tag in item.record.tags:
                if tag.code not in self._known_tags:
                    missing.setdefault(tag.code, tag.kind)
        if missing:
            Tag.objects.bulk_create(
                [_new_tag(code, kind) for code, kind in missing.items()], ignore_conflicts=True
            )
            self._known_tags.update(missing)


# PostgreSQL advisory lock key meaning "an import is writing a batch" (any fixed number).
IMPORT_LOCK_KEY = 0x6361626C


def _one_writer_at_a_time() -> None:
    """Serialise concurrent imports' batches. SQLite's IMMEDIATE transactions already do."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


def _detach_shown_texts(ids: list[str]) -> None:
    """Before these cables' paragraphs are replaced: rewrite the texts that were compressed
    against them (the forms shown until now) on their own."""
    old: dict[str, list[str]] = {}
    for cable_id, text in (
        Paragraph.objects.filter(cable_id__in=ids)
        .order_by("cable_id", "position")
        .values_list("cable_id", "text")
    ):
        old.setdefault(cable_id, []).append(text)
    rows = [
        (compress(decompress_text(blob, base=paragraphs_base(old.get(cable_id, [])))), pk)
        for pk, cable_id, blob in CableSource.objects.filter(cable_id__in=ids).values_list(
            "id", "cable_id", "text_blob"
        )
        if needs_base(blob)
    ]
    if rows:
        _update_many(CableSource, "text_blob", rows)


def _insert_forms(items: list[_Pending], now: datetime, *, shown: bool) -> None:
    """The forms these items were read from; ``shown``: each is its cable's shown form now."""
    rows = [
        (
            item.record.id,
            item.record.format,
            item.record.source,
            item.hash,
            item.parsed.read_key,
            len(item.record.header) if item.record.header else 0,
            item.parsed.text_blob
            if shown
            else compress(cable_text(item.record.header, item.record.body)),
            item.parsed.original_blob,
            len(item.parsed.original),
            now,
        )
        for item in items
    ]
    fields = (
        "cable",
        "kind",
        "name",
        "content_hash",
        "read_key",
        "header_length",
        "text_blob",
        "original",
        "original_size",
        "imported_at",
    )
    if rows:
        # The datetime as the ORM writes it (the raw executemany below bypasses the field).
        stamp = CableSource._meta.get_field("imported_at").get_db_prep_value(now, connection)
        rows = [(*row[:-1], stamp) for row in rows]
    _insert_many(CableSource, fields, rows)


def _update_many(model: type[models.Model], name: str, rows: list[tuple]) -> None:
    """``UPDATE ... SET name = %s WHERE id = %s`` for each (value, id)."""
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(name).column)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {column} = %s WHERE {quote('id')} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_many(model: type[models.Model], fields: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _send_robustly(signal: Signal, sender: type, **kwargs) -> str:
    """Send ``cables_stored`` or ``import_finished``; why a listener (the search index) failed,
    or ""."""
    # The cables are committed: a failing listener is logged and must not hide the others;
    # the import then stops (see Importer._stop_if_index_failed).
    failure = ""
    for receiver, result in signal.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            logger.error("listener %r failed", receiver, exc_info=result)
            failure = failure or f"{type(result).__name__}: {result}"
    return failure


def _tag_codes(record: CableRecord) -> list[str]:
    # A cable that lists a tag twice ("PREL, PREL") keeps it once, at its first place.
    return list(dict.fromkeys(tag.code for tag in record.tags))


def _new_tag(code: str, kind: str) -> Tag:
    info = TAGS.get(code)
    if info is not None and info.kind in TAG_KINDS:
        kind = info.kind
    return Tag(
        code=code,
        kind=kind if kind in TAG_KINDS else Tag.Kind.UNKNOWN,
        name=tag_name(code) or "",  # never an invented name: "" shows the code itself
        verified=info.verified if info is not None else "",
    )


def _cable_fields(item: _Pending, now: datetime) -> dict:
    record = item.record
    return {
        "date": record.date,
        "classification": record.classification,
        "origin_code": record.origin.code,
        "origin": record.origin.label,
        "subject": record.subject,
        "precedence": record.precedence,
        "transmission_id": record.transmission_id,
        "caveats": list(record.caveats),
        "eo": record.eo,
        "declassify_on": record.declassify_on,
        "classified_by": record.classified_by,
        "reasons": record.reasons,
        "signer": record.signer,
        "partial": record.partial,
        "warnings": list(record.warnings),
        "body_ref": record.body_ref,
        "classification_inferred": record.classification_inferred,
        "format": record.format,
        "content_hash": item.hash,
        "last_imported": now,
    }


class ProgressSource(Protocol):
    bytes_total: int  # size of all input files
    bytes_done: int  # how much of them has been read


ProgressCallback = Callable[[ImportSummary, ProgressSource], None]
# Below this much input, starting a parsing process costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024


def import_paths(
    paths: Iterable[str | os.PathLike],
    *,
    limits: Limits | None = None,
    batch_size: int = BATCH_SIZE,
    announce_every: int = ANNOUNCE_EVERY,
    progress: ProgressCallback | None = None,
    root: str | os.PathLike | None = None,
    parallel: bool | None = None,
    announce_unchanged: bool = False,
) -> ImportSummary:
    """Import every cable found under ``paths`` and say what happened.

    ``announce_every``: committed cables per ``cables_stored`` signal (the rest at the end).
    ``root``: name sources relative to this folder (see :class:`Sources`).
    ``parallel``: parse in a second process while this one writes (see
    :mod:`cables.ingest.pipeline`); by default when the input is big and there are two cores.
    ``announce_unchanged``: hand unchanged cables to the index too (running a job again).
    """
    paths = list(paths)
    limits = limits or Limits.from_settings()
    sources = Sources(paths, limits, root=root)
    if parallel is None:
        parallel = sources.bytes_total >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1
    tracker: ProgressSource
    # Inputs read before by this parser are not parsed again (a few MB for a full release).
    # Running a job again re-reads every input: the unchanged cables it finds are handed to
    # the index (announce_unchanged), which a skipped input could not name.
    known: frozenset[str] = frozenset()
    if not announce_unchanged:
        keys = CableSource.objects.exclude(read_key="").values_list("read_key", flat=True)
        known = frozenset(keys.iterator())
    if parallel:
        tracker = RemoteProgress(bytes_total=sources.bytes_total)
        items = iter_parsed_in_background(paths, limits, tracker, root=root, known=known)
    else:
        tracker = sources
        items = iter_parsed(sources, known)
    importer = Importer(
        batch_size=batch_size, announce_every=announce_every, announce_unchanged=announce_unchanged
    )
    importer.start()
    try:
        for item in items:
            importer.feed(item)
            if progress is not None:
                progress(importer.summary, tracker)
        importer.close()
    except BaseException:
        # Stopped by an error or Ctrl-C: what is committed still reaches the index, and the
        # error that stopped the import is the one reported.
        importer.announce_committed()
        with contextlib.suppress(ImportStopped):
            importer.finish()
        raise
    summary = importer.finish()
    if progress is not None:
        progress(summary, tracker)
    return summary
