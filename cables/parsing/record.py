"""The typed record the parser produces: one per cable, independent of the input format.

Pure Python (no Django import). ``CableRecord.to_json()`` gives the keys documented in
docs/api.md, which ``parse_cable`` prints and ``/cables/<ID>.json`` serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime

TAG_KINDS = ("geo", "subject", "program", "organization", "person", "unknown")

CLASSIFICATIONS = (
    "UNCLASSIFIED",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
    "CONFIDENTIAL",
    "CONFIDENTIAL//NOFORN",
    "SECRET",
    "SECRET//NOFORN",
)


@dataclass(frozen=True, slots=True)
class Tag:
    code: str  # as the cable writes it, upper-cased: "PREL", "RS", "OVIP (RICE, CONDOLEEZZA)"
    kind: str  # one of TAG_KINDS


@dataclass(frozen=True, slots=True)
class Reference:
    text: str  # the reference as written: "08 STATE 81854", "MADRID 5426", "DEMARCHE OF 5/12"
    cable_id: str | None  # canonical id when it cites a cable ("08STATE81854"), else None
    label: str = ""  # "A", "B"... when the REF list letters its items


@dataclass(frozen=True, slots=True)
class Paragraph:
    number: int  # 0 for text before the first numbered paragraph
    marking: str  # "U", "C", "S", "SBU", "S/NF"... or "" when unmarked
    text: str


@dataclass(frozen=True, slots=True)
class Origin:
    code: str  # as addressed: "AMEMBASSY MOSCOW", "SECSTATE WASHDC", "USMISSION USNATO"
    label: str  # WikiLeaks' style: "Embassy Moscow", "Secretary of State", "Mission USNATO"


@dataclass(slots=True)
class CableRecord:
    id: str
    date: datetime | None  # timezone-aware, UTC
    classification: str
    origin: Origin
    subject: str = ""
    precedence: str = ""
    transmission_id: str = ""
    to: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    eo: str = ""
    declassify_on: str = ""
    tags: list[Tag] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    classified_by: str = ""
    reasons: str = ""
    paragraphs: list[Paragraph] = field(default_factory=list)
    signer: str = ""
    partial: bool = False
    header: str = ""  # the transmission header as text ("" when the input has none)
    body: str = ""  # the body as plain text (HTML removed, link residue removed)
    format: str = ""  # detected input format: "text", "html", "html-body", "csv"
    source: str = ""  # where it came from: a path, "archive.zip:member", "cables.csv:row 12"
    warnings: list[str] = field(default_factory=list)
    # "MOSCOW 5154" when the text carries another cable's body under this cable's header
    # (07PARIS2725): id, date and origin follow the header, as WikiLeaks' do.
    body_ref: str = ""
    # True when no classification line was found and the level is the highest paragraph marking.
    classification_inferred: bool = False

    @property
    def anomalies(self) -> tuple[str, ...]:
        return anomalies(self.body_ref, self.classification_inferred)

    def to_json(self) -> dict:
        data = _plain(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


def _plain(value):
    """dataclasses.asdict for a record's fields (dataclasses, lists and plain values): the
    same dict at a third of the cost, which every imported cable's content hash pays."""
    names = _FIELD_NAMES.get(type(value))
    if names is None and is_dataclass(value):
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


# What a cable can be found by when its text is unusual (the search query ``anomaly:``).
HEADER_BODY = "header-body"  # the body is another cable's
INFERRED_CLASSIFICATION = "inferred-classification"  # the level is read from the markings
ANOMALIES = (HEADER_BODY, INFERRED_CLASSIFICATION)


def anomalies(body_ref: str, classification_inferred: bool) -> tuple[str, ...]:
    """The anomaly codes of a cable, from the record's (or the stored row's) two fields."""
    return tuple(
        code
        for code, present in (
            (HEADER_BODY, body_ref),
            (INFERRED_CLASSIFICATION, classification_inferred),
        )
        if present
    )


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """What the parser returns for input that is not a cable (it never raises)."""

    source: str
    error: str

    def to_json(self) -> dict:
        return {"source": self.source, "error": self.error}
