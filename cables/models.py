"""The cable library: one row per cable and its parts, as the parser read them."""

from django.db import models
from django.urls import reverse


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
    tags = models.ManyToManyField(Tag, through="CableTag", related_name="cables")

    # Provenance: what was uploaded, verbatim, and when.
    format = models.CharField(max_length=16, blank=True)
    source = models.TextField(blank=True)
    raw_text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    first_imported = models.DateTimeField()
    last_imported = models.DateTimeField()

    class Meta:
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        return self.id

    def get_absolute_url(self) -> str:
        return reverse("cables:detail", args=[self.id])


class CableTag(models.Model):
    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="cable_tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="cable_tags")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["cable", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "tag"], name="unique_cable_tag"),
        ]


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
