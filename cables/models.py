"""The cable library: one row per cable and its parts, as the parser read them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from cables.compression import (
    compress,
    decompress_original,
    decompress_text,
    needs_base,
    paragraphs_base,
)
from cables.fields import CompressedTextField
from cables.parsing.record import anomalies


class Tag(models.Model):
    """A TAGS code and what it means (from the dictionary shipped in cables/data/tags.csv)."""

    class Kind(models.TextChoices):
        GEO = "geo", "Country or region"
        SUBJECT = "subject", "Subject"
        PROGRAM = "program", "Program"
        ORGANIZATION = "organization", "Organization"
        PERSON = "person", "Person"
        UNKNOWN = "unknown", "Unknown"

    code = models.CharField(primary_key=True, max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    # Empty when no name is known: show the code itself, never an invented name.
    name = models.CharField(max_length=200, blank=True)
    verified = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} - {self.name}" if self.name else self.code

    @property
    def label(self) -> str:
        return str(self)


class Cable(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    date = models.DateTimeField(null=True, blank=True, db_index=True)
    classification = models.CharField(max_length=64, db_index=True)
    origin_code = models.CharField(max_length=200, blank=True)
    origin = models.CharField(max_length=200, db_index=True)  # display label: "Embassy Moscow"
    subject = models.TextField(blank=True)
    precedence = models.CharField(max_length=16, blank=True)
    transmission_id = models.CharField(max_length=64, blank=True)
    caveats = models.JSONField(default=list, blank=True)
    eo = models.CharField(max_length=32, blank=True)
    declassify_on = models.CharField(max_length=64, blank=True)
    classified_by = models.TextField(blank=True)
    reasons = models.CharField(max_length=200, blank=True)
    signer = models.CharField(max_length=200, blank=True)
    partial = models.BooleanField(default=False)
    warnings = models.JSONField(default=list, blank=True)
    # "MOSCOW 5154" when the text carries another cable's body under this cable's header.
    body_ref = models.CharField(max_length=100, blank=True)
    # No classification line: the level is the highest paragraph marking.
    classification_inferred = models.BooleanField(default=False)
    tags = models.ManyToManyField(Tag, through="CableTag", related_name="cables")

    # The form shown (see CableSource): its kind and its record's hash. Every form the cable
    # was imported from, verbatim, is a CableSource.
    format = models.CharField(max_length=16, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    # Indexed: saved-search feeds and "new since" counts ask for cables imported after a time.
    first_imported = models.DateTimeField(db_index=True)
    last_imported = models.DateTimeField()

    class Meta:
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        return self.id

    def get_absolute_url(self) -> str:
        return reverse("cables:detail", args=[self.id])

    @property
    def anomalies(self) -> tuple[str, ...]:
        return anomalies(self.body_ref, self.classification_inferred)

    @cached_property
    def shown_source(self) -> CableSource | None:
        """The form the page shows: the one the stored record was read from."""
        # Over sources.all(): a prefetched queryset (cables.records) needs no query per cable.
        shown = [s for s in self.sources.all() if s.content_hash == self.content_hash]
        return max(shown, key=lambda s: (s.imported_at, s.pk)) if shown else None

    @property
    def header(self) -> str:
        return self.shown_source.header if self.shown_source else ""

    @property
    def body(self) -> str:
        return self.shown_source.body if self.shown_source else ""

    @property
    def source(self) -> str:
        return self.shown_source.name if self.shown_source else ""


class CableSource(models.Model):
    """One form a cable was imported from: the upload verbatim (compressed), the cable text
    read from it (header and body as the cable reads, never a page's navigation), and when.

    The cable shows the form whose record hash is its ``content_hash``: the most complete one,
    the latest among equally complete ones (cables.ingest.importer.FORMAT_RANK)."""

    class Kind(models.TextChoices):
        HTML = "html", "cablegate page"
        TEXT = "text", "text"
        FRAGMENT = "html-body", "body-only fragment"
        CSV = "csv", "cables.csv row"

    # No index of its own: the unique (cable, content_hash) index serves look-ups by cable.
    cable = models.ForeignKey(
        Cable, on_delete=models.CASCADE, related_name="sources", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.TextField(blank=True)  # where it was read: file, archive member, csv row
    content_hash = models.CharField(max_length=64)  # of the record read from it
    # Hash of the input bytes and of the parser that read them: an input whose key is stored
    # is not parsed again on re-import (cables.ingest.reading.read_key).
    read_key = models.CharField(max_length=64, db_index=True, blank=True)
    header_length = models.PositiveIntegerField(default=0)  # text[:header_length] is the header
    # The cable text, compressed: the shown form's against its cable's paragraphs (one copy
    # of the paragraph text serves both), any other form on its own (see ``text``).
    text_blob = models.BinaryField()
    # The upload's bytes, compressed against ``text`` (empty for a csv row: its cells are the
    # text). ``original_size`` is their size uncompressed.
    original = models.BinaryField(blank=True, default=b"")
    original_size = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["cable", "imported_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "content_hash"], name="unique_cable_form"),
        ]

    def __str__(self) -> str:
        return f"{self.cable_id} ({self.get_kind_display()})"

    @property
    def text(self) -> str:
        """The cable text: header, a blank line, body (cables.ingest.reading.cable_text)."""
        cached = self.__dict__.get("_text")
        if cached is None:
            blob = self.text_blob
            if needs_base(blob):
                texts = [p.text for p in self.cable.paragraphs.all()]
                cached = decompress_text(blob, base=paragraphs_base(texts))
            else:
                cached = decompress_text(blob)
            self.__dict__["_text"] = cached
        return cached

    @text.setter
    def text(self, value: str) -> None:
        # Written on its own: valid whichever form the cable shows.
        self.text_blob = compress(value)
        self.__dict__["_text"] = value

    @property
    def header(self) -> str:
        return self.text[: self.header_length]

    @property
    def body(self) -> str:
        return self.text[self.header_length + 2 :] if self.header_length else self.text

    @property
    def original_bytes(self) -> bytes:
        """The upload exactly as it was (a csv row: its header and body cells as UTF-8)."""
        if not self.original:
            return self.text.encode("utf-8")
        return decompress_original(self.kind, self.text, self.original)


class CableTag(models.Model):
    # No index of its own: the unique (cable, tag) index serves look-ups by cable.
    cable = models.ForeignKey(
        Cable, on_delete=models.CASCADE, related_name="cable_tags", db_index=False
    )
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="cable_tags")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["cable", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "tag"], name="unique_cable_tag"),
        ]

    def __str__(self) -> str:
        return f"{self.cable_id} {self.tag_id}"


class Paragraph(models.Model):
    # No index of its own: the unique (cable, position) index serves look-ups by cable.
    cable = models.ForeignKey(
        Cable, on_delete=models.CASCADE, related_name="paragraphs", db_index=False
    )
    position = models.PositiveIntegerField()
    number = models.PositiveIntegerField()  # 0: text before the first numbered paragraph
    marking = models.CharField(max_length=32, blank=True)
    text = CompressedTextField()

    class Meta:
        ordering = ["cable", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "position"], name="unique_paragraph_position"),
        ]

    def __str__(self) -> str:
        return f"{self.cable_id} ¶{self.number}"


class Reference(models.Model):
    """A reference the cable cites. ``cited_id`` is kept as text, so a cited cable that is
    imported later is found without rewriting the citing cable ("cited by" just works)."""

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=8, blank=True)
    text = models.TextField()
    cited_id = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["cable", "position"]

    def __str__(self) -> str:
        return f"{self.label}. {self.text}" if self.label else self.text


class Addressee(models.Model):
    class Kind(models.TextChoices):
        TO = "to", "To"
        INFO = "info", "Info"

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="addressees")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)

    class Meta:
        ordering = ["cable", "kind", "position"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


# A running job whose worker has not beaten for this long is shown as stalled; the worker beats
# every cables.tasks.HEARTBEAT_SECONDS.
IMPORT_STALLED_AFTER = timedelta(seconds=90)


class ImportJob(models.Model):
    """One upload through the admin, imported in the background by cables.tasks."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last sign of life of the worker running the job (every few seconds, whatever it is busy
    # with): a running job whose worker was killed or restarted stops beating.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    files = models.JSONField(default=list, blank=True)  # uploaded file names, as stored
    # Stored name -> the name the browser sent ("my cables (2).zip" is stored as
    # "my_cables_2.zip"): what staff see on the job page.
    uploaded_names = models.JSONField(default=dict, blank=True)
    # Progress: bytes of the uploaded files read, and cables read (total is an estimate
    # while archives are being read, exact at the end).
    total_bytes = models.BigIntegerField(default=0)
    processed_bytes = models.BigIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"source": ..., "error": ...}]
    message = models.TextField(blank=True)  # why the whole job failed, if it did

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.state.lower()})"

    @property
    def folder(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "imports" / str(self.pk)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def stalled(self) -> bool:
        """Running, but its worker has given no sign of life for a while (killed, restarted)."""
        if self.status != self.Status.RUNNING:
            return False
        last = self.heartbeat_at or self.started_at
        return last is not None and timezone.now() - last > IMPORT_STALLED_AFTER

    @property
    def state(self) -> str:
        """The status as staff should read it: a running job whose worker is gone is stalled."""
        return "Stalled" if self.stalled else self.get_status_display()

    @property
    def uploaded_files(self) -> list[str]:
        return [self.uploaded_names.get(name, name) for name in self.files]

    @property
    def cables_seen(self) -> int:
        """Inputs that were cables (new, updated or unchanged); the rest failed."""
        return self.new + self.updated + self.unchanged

    @property
    def shown_errors(self) -> list[dict]:
        """Failures named as staff uploaded them: "cables.zip/x.txt", not "imports/7/..."."""
        prefix = f"imports/{self.pk}/"
        shown = []
        for error in self.errors:
            source = str(error.get("source", ""))
            source = source.removeprefix(prefix)
            first, slash, rest = source.partition("/")
            source = self.uploaded_names.get(first, first) + slash + rest
            shown.append({**error, "source": source})
        return shown

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(100 * self.processed_bytes / self.total_bytes))


# Deleted cable ids collected by batched_deletes(), announced once instead of one by one.
_deleted_batch: ContextVar[list[str] | None] = ContextVar("deleted_batch", default=None)


def _announce_deleted(ids: list[str]) -> None:
    from cables.signals import cables_deleted

    if ids:
        transaction.on_commit(lambda: cables_deleted.send(sender=Cable, ids=ids))


@receiver(post_delete, sender=Cable, dispatch_uid="cables_announce_deleted")
def _cable_deleted(sender, instance: Cable, **kwargs) -> None:
    # Any delete (admin, ORM, shell) is announced, after commit: a rolled-back delete is not.
    batch = _deleted_batch.get()
    if batch is not None:
        batch.append(instance.pk)
    else:
        _announce_deleted([instance.pk])


@contextmanager
def batched_deletes() -> Iterator[None]:
    """Delete many cables and send one ``cables_deleted`` for all of them (after commit)."""
    batch: list[str] = []
    token = _deleted_batch.set(batch)
    try:
        with transaction.atomic():
            yield
            _announce_deleted(batch)
    finally:
        _deleted_batch.reset(token)


@receiver(post_delete, sender=ImportJob, dispatch_uid="cables_importjob_files")
def _import_job_deleted(sender, instance: ImportJob, **kwargs) -> None:
    # The uploaded files go with their job, once the delete is committed.
    folder = instance.folder
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
