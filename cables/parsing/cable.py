"""From decoded text to a CableRecord: the format-independent part of the parser."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import PurePosixPath, PureWindowsPath

from . import body as B
from . import header as H
from . import html as HT
from .classification import normalise_classification, wikileaks_classification
from .decode import decode_bytes, strip_controls
from .detect import detect_format, looks_binary
from .ids import canonical_id, full_year, is_valid_id, make_id
from .origins import origin_from_station
from .record import CableRecord, Origin, ParseFailure
from .reflow import reflow_fields
from .yearguess import guess_year

_MD_LINK_RE = re.compile(r"\[([^\[\]\n]*)\]\((?:#|https?://[^)\s]*|/[^)\s]*)?\)")
PARTIAL_RE = re.compile(r"This record is a partial extract of the original cable", re.I)
_PAGE_ID_RE = re.compile(
    r"^\s*PAGE \d{2,3}\s+(?P<station>[A-Z][A-Z ]*?)\s+0*(?P<serial>\d{1,6})\s+\d{2}\s+OF\s+\d{2}",
    re.M,
)
_CLASSIFICATION_FIELD_RE = re.compile(
    r"^\s*CLASSIFICATION:\s*(UNCLASSIFIED|CONFIDENTIAL|SECRET)\b", re.M | re.I
)
# An unreadable classification line still naming its cable ("CSE C R E T SECTION 01 OF 02
# SHENYANG 000004"): the zero-padded six-digit serial that only classification lines carry.
_GARBLED_CLASS_LINE_RE = re.compile(r"[A-Z][A-Z .'-]*\s(0\d{5})\s*$")
# Where the addressee lines end when there is no classification line to split at.
_HEADER_END_RE = re.compile(
    r"\n[ \t]*\n|\n(?=[ \t]*(?:SIPDIS|E\.?\s?O\.?\s*1\d{4}|TAGS\b|SUBJ|CLASSIFIED BY|REF\b))", re.I
)
_INLINE_PILCROW_RE = re.compile(r"(?<=\S)[ \t]*(?=¶\s*\d{1,3}\s?\.)")
_NOT_A_CABLE = "not a cable: no reference id, date or classification line found"


def strip_link_residue(text: str) -> str:
    """'[MARR](#)' -> 'MARR' (text copied from a rendered page keeps its links as Markdown)."""
    return _MD_LINK_RE.sub(lambda m: m.group(1), text)


def _id_hint(source: str) -> str:
    name = PureWindowsPath(PurePosixPath(source).name).name if source else ""
    stem = name.rsplit(":", 1)[-1]
    stem = re.sub(r"\.(?:txt|html?|htm)$", "", PurePosixPath(stem).name, flags=re.I)
    candidate = canonical_id(stem)
    return candidate if is_valid_id(candidate) else ""


# A row of a database dump pasted as text: "2007-09-11 09:44:00<TAB>07BERN881<TAB>Embassy Bern<TAB>
# SECRET<TAB>07STATE124823<TAB>VZCZC...", each line of the cable ending with a backslash.
_DUMP_ROW_RE = re.compile(
    r"^\s*(?P<created>\d{4}-\d{2}-\d{2} \d{2}:\d{2})(?::\d{2})?\t(?P<id>\d{2}[A-Z][A-Z0-9-]*\d)\t"
    r"(?P<origin>[^\t\n]*)\t(?P<classification>[^\t\n]*)\t[^\t\n]*\t",
    re.M,
)


def _unescape_dump_lines(text: str) -> str:
    """Drop the backslash that ends every line of a dumped cable."""
    lines = text.count("\n") + 1
    if text.count("\\\n") * 2 > lines:
        return text.replace("\\\n", "\n")
    return text


def _take_dump_row(text: str, meta: dict[str, str]) -> str:
    head = text[:20000]
    m = _DUMP_ROW_RE.search(head) if "\t" in head else None
    if not m:
        return text
    meta.update(
        id=m.group("id"),
        created=m.group("created"),
        origin=m.group("origin").strip(),
        classification=m.group("classification").strip(),
    )
    return text[: m.start()] + text[m.end() :]


# A record's fields pasted one per line above the cable (some mirrors print them so):
# "9608 / 2003-07-23 / 03THEHAGUE1865 / Embassy The Hague / CONFIDENTIAL", blank lines between.
_RECORD_BLOCK_RE = re.compile(
    r"^[ \t]*\d{1,6}[ \t]*\n\s*(?P<created>\d{4}-\d{2}-\d{2})(?: \d{2}:\d{2})?[ \t]*\n\s*"
    r"(?P<id>\d{2}[A-Z][A-Z-]*\d+)[ \t]*\n\s*(?P<origin>[A-Z][^\n]{2,60}?)[ \t]*\n\s*"
    r"(?P<classification>(?:UNCLASSIFIED|CONFIDENTIAL|SECRET)(?://[A-Z ]+)?)[ \t]*\n",
    re.M,
)


_DAY_LINE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ \t]*$", re.M)


def _take_record_block(text: str, meta: dict[str, str]) -> str:
    head = text[:20000]
    m = _RECORD_BLOCK_RE.search(head) if _DAY_LINE_RE.search(head) else None
    if not m:
        return text
    meta.update(
        id=m.group("id"),
        created=m.group("created"),
        origin=m.group("origin").strip(),
        classification=m.group("classification"),
    )
    return text[: m.start()] + text[m.end() :]


def _meta_date(value: str) -> datetime | None:
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:\s+(\d{2}):(\d{2}))?", value.strip())
    if not m:
        return None
    y, mo, d, hh, mm = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), tzinfo=UTC)
    except ValueError:
        return None


def _split_header(text: str) -> tuple[str, str, re.Match[str] | None]:
    """Header (transmission lines) and body (from the classification line on)."""
    m = B.find_class_line(text)
    if not m:
        # No classification line: the transmission lines, if any, end at the first blank line
        # after the FM line.
        fm = H.FM_RE.search(text)
        if not fm:
            return "", text, None
        stop = _HEADER_END_RE.search(text, fm.end())
        end = stop.start() if stop else len(text)
        return text[:end], text[end:], None
    return text[: m.start()], text[m.start() :], m


_POST_PREFIXES = ("AMEMBASSY", "AMCONSUL", "AMCONGEN", "USMISSION", "USOFFICE", "USINT", "USLO")


def _body_of_another_cable(header_text: str, body_text: str, de_serial: str) -> bool:
    """The line where header and body meet is an unreadable classification line naming another
    serial than the DE line ("DE RUEHMO #1108" over "... SHENYANG 000004")."""
    head = [ln for ln in header_text.splitlines() if ln.strip()][-1:]
    body = [ln for ln in body_text.splitlines() if ln.strip()][:1]
    for line in head + body:
        m = _GARBLED_CLASS_LINE_RE.search(line)
        if m and de_serial.isdigit() and int(m.group(1)) != int(de_serial):
            return True
    return False


def station_from_origin(code: str) -> str:
    """'AMCONSUL SHENYANG' -> 'SHENYANG', 'SECSTATE WASHDC' -> 'STATE'."""
    words = code.upper().split()
    if words[:1] == ["SECSTATE"]:
        return "STATE"
    if words and words[0] in _POST_PREFIXES:
        words = words[1:]
    return " ".join(words)


def _explicit_ref_years(lines: list[str]) -> list[int]:
    """Years written in the REF list ('REF: A. 08 STATE 81854'): the cable is no older."""
    probe = B.Body()
    B.parse_refs(lines, probe, "")
    return [full_year(int(r.cable_id[:2])) for r in probe.references if r.cable_id]


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
    supplies the year when the text names the same station and serial but has no date."""
    meta = dict(meta or {})
    text = _unescape_dump_lines(text)
    if not meta:
        text = _take_dump_row(text, meta)
    if not meta:
        text = _take_record_block(text, meta)
    text = reflow_fields(strip_link_residue(text.replace("\r\n", "\n").replace("\r", "\n")))
    if "¶" in text:
        # A paragraph mark always opens a paragraph, even when the line breaks were lost.
        text = _INLINE_PILCROW_RE.sub("\n", text)
    warnings: list[str] = []
    if header_text is None:
        header_text, body_text, class_match = _split_header(text)
    else:
        header_text = strip_link_residue(header_text.replace("\r\n", "\n"))
        body_text = text
        class_match = B.find_class_line(body_text)
    partial = bool(PARTIAL_RE.search(header_text) or PARTIAL_RE.search(body_text[:400]))
    head = H.parse_header(header_text)
    if head.date is None:
        # Partial extracts and pasted texts carry the date elsewhere ("Cable dated: ...").
        head.date, prec = H.find_date(body_text[:3000])
        head.precedence = head.precedence or prec
    body = B.Body()
    if class_match:
        B.parse_class_line(class_match, body)
    body_lines = body_text.splitlines()
    B.parse_caveats(body_lines[1:], body)
    B.parse_eo(body_lines, body)
    B.parse_tags(body_lines, body)
    B.parse_subject(body_lines, body)
    B.parse_classified_by(body_text, body)

    date = _meta_date(meta.get("created", "")) if meta.get("created") else None
    if date is None or (
        # A day without a time: the date-time group, when it falls on that day, is more exact.
        len(meta.get("created", "")) == 10 and head.date and head.date.date() == date.date()
    ):
        date = head.date

    # Reference id.
    cable_id = canonical_id(meta["id"]) if meta.get("id") else ""
    if not is_valid_id(cable_id):
        cable_id = ""
    year = ""
    if date:
        year = f"{date.year % 100:02d}"
    elif body.year_in_line:
        year = body.year_in_line
    station, serial = body.station, body.serial
    if station and set(station.replace(" ", "")) == {"X"} and head.origin_code:
        # The station is redacted ("XXXXXXXXXXXX 000004"); the FM line still names the post.
        station = station_from_origin(head.origin_code)
    if not (station and serial):
        m = _PAGE_ID_RE.search(text)
        if m:
            station, serial = m.group("station"), m.group("serial")
    if not (station and serial) and head.de_serial and head.origin_code:
        # No classification line: "DE RUEHLP #3262" and "FM AMEMBASSY LA PAZ" name the cable.
        station, serial = station_from_origin(head.origin_code), head.de_serial
    if not cable_id and id_hint:
        cable_id = id_hint
    if not year and cable_id:
        year = cable_id[:2]
    # The text names the cable but not its year. A file name that names the same station and
    # serial supplies the year; it never overrides what the text says.
    if not year and station and serial and name_hint[2:] == make_id(0, station, serial)[2:]:
        year = name_hint[:2]
        warnings.append("no date: the year in the id is taken from the file name")
    if not year and station and serial:
        guessed = guess_year(
            body_text, body.declassify_on, body.eo, _explicit_ref_years(body_lines)
        )
        if guessed:
            year = f"{guessed % 100:02d}"
            warnings.append("no date: the year in the id is a guess from the text")
    if not cable_id and station and serial and year:
        cable_id = make_id(year, station, serial)
    if not year and cable_id:
        year = cable_id[:2]

    B.parse_refs(body_lines, body, year)
    B.parse_paragraphs(body_text, body)
    B.parse_signer(body_text, body)

    # A file name alone never makes a cable: the text must show something of one.
    evidence = meta or class_match or body.tags_found or body.eo or head.date or head.origin_code
    if not evidence or not (cable_id or date or class_match or body.tags_found):
        return ParseFailure(source=source, error=_NOT_A_CABLE)

    # Classification.
    if meta.get("classification"):
        classification = normalise_classification(meta["classification"])
    elif class_match:
        classification = wikileaks_classification(body.classification, body.caveats, body_text)
    elif head.zny_classification or _CLASSIFICATION_FIELD_RE.search(body_text[:5000]):
        m = _CLASSIFICATION_FIELD_RE.search(body_text[:5000])
        base = head.zny_classification or B.base_classification(m.group(1) if m else "")
        B.parse_caveats(body_lines, body)
        caveats = body.caveats
        if _body_of_another_cable(header_text, body_text, head.de_serial):
            # The metadata describes the cable the header names; caveats under another
            # cable's classification line (09MOSCOW1108 holds SHENYANG 000004) are not its own.
            caveats = []
            warnings.append("the body is headed by another cable's classification line")
        classification = wikileaks_classification(base, caveats, body_text)
        warnings.append("no classification line: classification from the transmission line")
    else:
        classification = ""
        warnings.append("no classification line")

    # Origin.
    if head.origin_code:
        origin = H.make_origin(head.origin_code)
        if meta.get("origin"):
            origin = Origin(code=origin.code, label=meta["origin"])
    elif meta.get("origin"):
        guess = origin_from_station(station) if station else Origin(code="", label="")
        origin = Origin(
            code=guess.code if guess.label == meta["origin"] else "", label=meta["origin"]
        )
    else:
        origin = origin_from_station(station or (cable_id and re.sub(r"^\d{2}|\d+$", "", cable_id)))

    if not cable_id:
        warnings.append("no reference id")
    if date is None:
        warnings.append("no date-time group")
    if not body.tags_found:
        warnings.append("no TAGS line")
    if not body.subject:
        warnings.append("no SUBJECT line")

    caveats = list(body.caveats)
    if re.search(r"^\s*SIPDIS\s*$", body_text, re.M) and "SIPDIS" not in caveats:
        caveats.append("SIPDIS")

    return CableRecord(
        id=cable_id,
        date=date,
        classification=classification,
        origin=origin,
        subject=body.subject,
        precedence=head.precedence,
        transmission_id=head.transmission_id,
        to=head.to,
        info=head.info,
        caveats=caveats,
        eo=body.eo,
        declassify_on=body.declassify_on,
        tags=body.tags,
        references=body.references,
        classified_by=body.classified_by,
        reasons=body.reasons,
        paragraphs=body.paragraphs,
        signer=body.signer,
        partial=partial or meta.get("partial") == "true",
        header=header_text.strip("\n"),
        body=body_text.strip("\n"),
        format=fmt,
        source=source,
        warnings=warnings,
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
