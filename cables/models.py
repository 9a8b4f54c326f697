"""The cable library: one row per cable and its parts, as the parser read them."""

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
    header = models.TextField(blank=True)
    body = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # "MOSCOW 5154" when the text carries another cable's body under this cable's header.
    body_ref = models.CharField(max_length=100, blank=True)
    # No classification line: the level is the highest paragraph marking.
    classification_inferred = models.BooleanField(default=False)
    tags = models.ManyToManyField(Tag, through="CableTag", related_name="cables")

    # Provenance: what was uploaded, verbatim, and when.
    format = models.CharField(max_length=16, blank=True)
    source = models.TextField(blank=True)
    raw_text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    # Hashes of every form this cable was imported from (page, text, fragment): a form seen
    # before is "unchanged", so re-importing a mixed corpus is idempotent (cables/ingest).
    seen_hashes = models.JSONField(default=list, blank=True)
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


class CableTag(models.Model):
    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="cable_tags")
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
    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="paragraphs")
    position = models.PositiveIntegerField()
    number = models.PositiveIntegerField()  # 0: text before the first numbered paragraph
    marking = models.CharField(max_length=32, blank=True)
    text = models.TextField()

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
