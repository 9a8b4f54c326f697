"""From decoded text to a CableRecord: the format-independent part of the parser.

``parse_text`` runs the stages in order, each over what the earlier ones found, none changing
it: locate (layout.py: header, body, pasted metadata), header fields (header.py), the body's
fields (body.py: classification line, caveats, E.O., TAGS, SUBJECT, REF, Classified By,
paragraphs, signer), identity (identity.py: id, date, whether the body is another cable's),
classification and origin. Where a stage has to choose, it says so in the record's warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from . import body as B
from . import header as H
from . import html as HT
from .classification import level_from_markings, normalise_classification, wikileaks_classification
from .decode import decode_bytes, strip_controls
from .detect import detect_format, looks_binary
from .identity import Identity, identify
from .ids import canonical_id, is_valid_id
from .layout import Layout, locate, strip_link_residue
from .origins import origin_from_station
from .record import CableRecord, Origin, Paragraph, ParseFailure

__all__ = ["parse", "parse_text", "strip_link_residue"]

_CLASSIFICATION_FIELD_RE = re.compile(
    r"^\s*CLASSIFICATION:\s*(UNCLASSIFIED|CONFIDENTIAL|SECRET)\b", re.M | re.I
)
_SIPDIS_LINE_RE = re.compile(r"^\s*SIPDIS\s*$", re.M)
_NOT_A_CABLE = "not a cable: no reference id, date or classification line found"


def _id_hint(source: str) -> str:
    name = PureWindowsPath(PurePosixPath(source).name).name if source else ""
    stem = name.rsplit(":", 1)[-1]
    stem = re.sub(r"\.(?:txt|html?|htm)$", "", PurePosixPath(stem).name, flags=re.I)
    candidate = canonical_id(stem)
    return candidate if is_valid_id(candidate) else ""


@dataclass(frozen=True, slots=True)
class Classification:
    value: str
    inferred: bool  # the level of the highest paragraph marking: no classification line
    warnings: tuple[str, ...]


def classify(
    layout: Layout,
    head: H.Header,
    line: B.ClassLine | None,
    caveats: tuple[str, ...],
    paragraphs: list[Paragraph],
    ident: Identity,
) -> Classification:
    """WikiLeaks' label, from the first of: the metadata; the classification line with its
    caveat lines; the transmission line (ZNY CCCCC) or a "Classification:" field; the highest
    paragraph marking. When the body is another cable's, its lines and markings are that
    cable's, so only the metadata and the transmission line can label this one."""
    meta = layout.meta.get("classification")
    if meta:
        return Classification(normalise_classification(meta), False, ())
    if ident.body_ref and head.zny_classification:
        value = wikileaks_classification(head.zny_classification, [], layout.body)
        return Classification(
            value,
            False,
            ("the body is another cable's: classification from the transmission line",),
        )
    if ident.body_ref:
        if line is None:
            return Classification(
                "", False, ("the body is another cable's and the header shows no classification",)
            )
        value = wikileaks_classification(line.classification, list(caveats), layout.body)
        return Classification(
            value,
            False,
            ("the body is another cable's: classification from its classification line",),
        )
    if line is not None:
        value = wikileaks_classification(line.classification, list(caveats), layout.body)
        return Classification(value, False, ())
    field = _CLASSIFICATION_FIELD_RE.search(layout.body[:5000])
    if head.zny_classification or field:
        base = head.zny_classification or B.base_classification(field.group(1) if field else "")
        value = wikileaks_classification(base, list(caveats), layout.body)
        return Classification(
            value, False, ("no classification line: classification from the transmission line",)
        )
    level = level_from_markings(p.marking for p in paragraphs)
    if level:
        return Classification(
            level,
            True,
            ("no classification line: the level is the highest paragraph marking",),
        )
    return Classification("", False, ("no classification line",))


def find_origin(layout: Layout, head: H.Header, ident: Identity) -> Origin:
    """The FM line, labelled as the metadata labels it; else the post the id names."""
    label = layout.meta.get("origin", "")
    if head.origin_code:
        origin = H.make_origin(head.origin_code)
        return Origin(code=origin.code, label=label) if label else origin
    station = ident.station or (ident.id and re.sub(r"^\d{2}|\d+$", "", ident.id))
    if label:
        guess = origin_from_station(ident.station) if ident.station else Origin(code="", label="")
        return Origin(code=guess.code if guess.label == label else "", label=label)
    return origin_from_station(station)


def _class_line(layout: Layout) -> B.ClassLine | None:
    return B.read_class_line(layout.class_match) if layout.class_match else None


def _caveats(layout: Layout, line: B.ClassLine | None) -> tuple[str, ...]:
    """The classification line's caveats, then those of the caveat lines below it (from the
    first line when there is no classification line)."""
    below = B.read_caveats(layout.lines[1:] if line is not None else layout.lines)
    found = list(line.caveats) if line is not None else []
    found.extend(c for c in below if c not in found)
    return tuple(found)


def parse_text(
    text: str,
    *,
    source: str,
    fmt: str,
    meta: dict[str, str] | None = None,
    header_text: str | None = None,
    id_hint: str = "",
    name_hint: str = "",
) -> CableRecord | ParseFailure:
    """Parse decoded cable text. ``meta`` holds a metadata table's fields (id, created,
    classification, origin), which win over the text. ``id_hint`` is the id a body-only fragment
    carries only in its file name. ``name_hint`` is an id read from a text file's name: it only
    supplies what the text leaves out (see identity.py)."""
    layout = locate(text, meta, header_text)
    head = H.parse_header(layout.header)
    line = _class_line(layout)
    caveats = _caveats(layout, line)
    eo, declassify_on = B.read_eo(layout.lines)
    tags = B.read_tags(layout.lines)
    subject = B.read_subject(layout.lines)
    classified_by, reasons = B.read_classified_by(layout.body)
    ref_items = B.read_ref_items(layout.lines)
    ident = identify(
        layout,
        head,
        line,
        id_hint=id_hint,
        name_hint=name_hint,
        eo=eo,
        declassify_on=declassify_on,
        ref_years=B.written_years(ref_items),
    )
    paragraphs = B.read_paragraphs(layout.body)

    # A file name alone never makes a cable: the text must show something of one.
    evidence = layout.meta or line or tags is not None or eo or ident.date or head.origin_code
    if not evidence or not (ident.id or ident.date or line or tags is not None):
        return ParseFailure(source=source, error=_NOT_A_CABLE)

    label = classify(layout, head, line, caveats, paragraphs, ident)
    warnings = [*ident.warnings, *label.warnings]
    if not ident.id:
        warnings.append("no reference id")
    if ident.date is None:
        warnings.append("no date-time group")
    if tags is None:
        warnings.append("no TAGS line")
    if not subject:
        warnings.append("no SUBJECT line")
    all_caveats = list(caveats)
    if "SIPDIS" not in all_caveats and _SIPDIS_LINE_RE.search(layout.body):
        all_caveats.append("SIPDIS")

    return CableRecord(
        id=ident.id,
        date=ident.date,
        classification=label.value,
        origin=find_origin(layout, head, ident),
        subject=subject,
        precedence=ident.precedence,
        transmission_id=head.transmission_id,
        to=list(head.to),
        info=list(head.info),
        caveats=all_caveats,
        eo=eo,
        declassify_on=declassify_on,
        tags=list(tags or ()),
        references=B.cite(ref_items, ident.year),
        classified_by=classified_by,
        reasons=reasons,
        paragraphs=paragraphs,
        signer=B.read_signer(layout.body),
        partial=layout.partial,
        header=layout.header.strip("\n"),
        body=layout.body.strip("\n"),
        format=fmt,
        source=source,
        warnings=warnings,
        body_ref=ident.body_ref,
        classification_inferred=label.inferred,
    )


def parse(data: bytes | str, *, source: str = "") -> CableRecord | ParseFailure:
    """Parse one cable in any supported format. Never raises: bad input gives a ParseFailure."""
    try:
        return _parse(data, source)
    except RecursionError:
        return ParseFailure(source=source, error="could not read this file: too deeply nested")
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"; say what failed
        return ParseFailure(source=source, error=f"could not read this file ({type(exc).__name__})")


def _parse(data: bytes | str, source: str) -> CableRecord | ParseFailure:
    text = decode_bytes(data) if not isinstance(data, str) else data
    if not text.strip():
        return ParseFailure(source=source, error="not a cable: the file is empty")
    if looks_binary(text):
        return ParseFailure(
            source=source, error="not a cable: the file holds binary data, not text"
        )
    text = strip_controls(text)
    fmt = detect_format(text)
    if fmt == "text":
        return parse_text(text, source=source, fmt="text", name_hint=_id_hint(source))
    extracted = HT.extract(text)
    if extracted is None or not (extracted.body.strip() or extracted.meta):
        return ParseFailure(
            source=source, error="not a cable: an HTML page without a cable body (<pre> block)"
        )
    if extracted.page:
        return parse_text(
            extracted.body,
            source=source,
            fmt="html",
            meta=extracted.meta,
            header_text=extracted.header,
        )
    return parse_text(
        extracted.body, source=source, fmt="html-body", header_text="", id_hint=_id_hint(source)
    )
