"""Which cable a text is: its id and date, and whether its body is another cable's.

A stage of the parser (cables/parsing/cable.py). The rules, each learned from real cables:

- The header names the cable: the FM line its post, the DE line the last digits of its serial
  ("DE RUEHFR #2725/01"), the date-time group its date. A metadata table's id (an HTML page's
  table, a pasted row) and a file name's id (a body-only fragment) name it too.
- The body's classification line names the cable the body belongs to ("S E C R E T SECTION 01
  OF 04 MOSCOW 005154"); so does an unreadable classification line that still ends in a
  six-digit serial ("CSE C R E T SECTION 01 OF 02 SHENYANG 000004").
- When the two name different cables (07PARIS2725 holds MOSCOW 5154, 09HAVANA132 MOSCOW 512,
  88BAGHDAD28 STATE 68250, 09MOSCOW1108 SHENYANG 4), the id, date and origin follow the header,
  as WikiLeaks' do, and the body's cable is kept as ``body_ref``. Nothing is then read from the
  body to name or date the cable: its page lines, dates and REF years are the other cable's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from . import header as H
from .body import ClassLine, find_class_line
from .ids import canonical_id, is_valid_id, make_id
from .layout import Layout, meta_date
from .yearguess import guess_year

_PAGE_ID_RE = re.compile(
    r"^\s*PAGE \d{2,3}\s+(?P<station>[A-Z][A-Z ]*?)\s+0*(?P<serial>\d{1,6})\s+\d{2}\s+OF\s+\d{2}",
    re.M,
)
# An unreadable classification line still naming its cable ("CSE C R E T SECTION 01 OF 02
# SHENYANG 000004"): the zero-padded six-digit serial that only classification lines carry.
_GARBLED_CLASS_LINE_RE = re.compile(r"(?:^|\s)(?P<station>[A-Z][A-Z.'-]*)\s(?P<serial>0\d{5})\s*$")
_POST_PREFIXES = ("AMEMBASSY", "AMCONSUL", "AMCONGEN", "USMISSION", "USOFFICE", "USINT", "USLO")


@dataclass(frozen=True, slots=True)
class Claim:
    """A cable as one part of the text names it: post, serial and year (any may be unknown)."""

    station: str
    serial: str
    year: str = ""  # two digits

    def __str__(self) -> str:
        serial = str(int(self.serial)) if self.serial.isdigit() else self.serial
        return f"{self.station} {serial}".strip()


@dataclass(frozen=True, slots=True)
class Identity:
    id: str
    date: datetime | None
    precedence: str
    year: str  # two digits, "" when unknown: REF items without a year are of this year
    station: str  # the cable's post as its id names it (for the origin when there is no FM)
    body_ref: str  # "MOSCOW 5154" when the body is another cable's, else ""
    warnings: tuple[str, ...]


def station_from_origin(code: str) -> str:
    """'AMCONSUL SHENYANG' -> 'SHENYANG', 'SECSTATE WASHDC' -> 'STATE'."""
    words = code.upper().split()
    if words[:1] == ["SECSTATE"]:
        return "STATE"
    if words and words[0] in _POST_PREFIXES:
        words = words[1:]
    return " ".join(words)


def _redacted(station: str) -> bool:
    return bool(station) and set(station.replace(" ", "")) == {"X"}


def body_claim(layout: Layout, line: ClassLine | None) -> Claim | None:
    """The cable the body's classification line names."""
    if line is not None and line.station and line.serial:
        return Claim(line.station, line.serial, line.year_in_line)
    if line is None:
        head = [ln for ln in layout.header.splitlines() if ln.strip()][-1:]
        first = [ln for ln in layout.lines if ln.strip()][:1]
        for text in head + first:
            m = _GARBLED_CLASS_LINE_RE.search(text.upper())
            if m and not find_class_line(text):
                return Claim(m.group("station"), m.group("serial"))
    return None


def own_claim(layout: Layout, head: H.Header, id_hint: str) -> Claim | None:
    """The cable the metadata, the header or the file name names."""
    cable_id = canonical_id(layout.meta.get("id", "")) or id_hint
    if is_valid_id(cable_id):
        m = re.fullmatch(r"(?P<year>\d{2})(?P<station>.*?)(?P<serial>\d+)", cable_id)
        if m:
            return Claim(m.group("station"), m.group("serial"), m.group("year"))
    if head.origin_code:
        year = f"{head.date.year % 100:02d}" if head.date else ""
        return Claim(station_from_origin(head.origin_code), head.de_serial, year)
    return None


def disagree(own: Claim | None, body: Claim | None) -> bool:
    """Do header and body name different cables? Posts compare without spaces, and one may
    be the end of the other (FM USEU BRUSSELS over a body of BRUSSELS 001399); the DE line
    gives only the serial's last digits (#0909 is 10909); a redacted post says nothing; a
    year written in the classification line ("C O N F I D E N T I A L 75 LIBREVILLE 1895")
    must be the header's."""
    if own is None or body is None:
        return False
    if own.year and body.year and own.year != body.year:
        return True
    a, b = own.station.replace(" ", ""), body.station.replace(" ", "")
    if a and b and not (_redacted(a) or _redacted(b) or a.endswith(b) or b.endswith(a)):
        return True
    if own.serial.isdigit() and body.serial.isdigit():
        digits = len(own.serial.lstrip("0") or "0")
        return int(body.serial) % 10 ** max(digits, 4) != int(own.serial) % 10 ** max(digits, 4)
    return False


def _named_by_text(layout: Layout, head: H.Header, line: ClassLine | None) -> tuple[str, str]:
    """Post and serial as the text names its own cable: the classification line; for a
    redacted post ("XXXXXXXXXXXX 000004") the FM line's; else a page line ("PAGE 02 ROME
    01196 01 OF 02"); else the DE and FM lines ("DE RUEHLP #3262", "FM AMEMBASSY LA PAZ")."""
    station, serial = (line.station, line.serial) if line else ("", "")
    if _redacted(station) and head.origin_code:
        station = station_from_origin(head.origin_code)
    if not (station and serial):
        m = _PAGE_ID_RE.search(layout.text)
        if m:
            station, serial = m.group("station"), m.group("serial")
    if not (station and serial) and head.de_serial and head.origin_code:
        station, serial = station_from_origin(head.origin_code), head.de_serial
    return station, serial


def _names_post(name_hint: str, station: str, year: str) -> bool:
    """Is ``name_hint`` an id of this post (and of this year, when the year is known)?"""
    post = re.escape(station.replace(" ", ""))
    return bool(station and re.fullmatch(rf"\d{{2}}{post}\d+", name_hint)) and (
        not year or name_hint[:2] == year
    )


def identify(
    layout: Layout,
    head: H.Header,
    line: ClassLine | None,
    *,
    id_hint: str,
    name_hint: str,
    eo: str,
    declassify_on: str,
    ref_years: list[int],
) -> Identity:
    """``eo``, ``declassify_on`` and ``ref_years`` (the years the REF list writes out: a cable
    is no older than what it cites) date a text that has no date.
    ``id_hint``: an id a body-only fragment carries only in its file name. ``name_hint``: an id
    read from a text file's name, which supplies only what the text leaves out."""
    warnings: list[str] = []
    meta = layout.meta
    own = own_claim(layout, head, id_hint)
    body = body_claim(layout, line)
    other = disagree(own, body)
    body_ref = str(body) if other and body else ""

    date, precedence = head.date, head.precedence
    if date is None and not other:
        # Partial extracts and pasted texts carry the date elsewhere ("Cable dated: ...").
        date, prec = H.find_date(layout.body[:3000])
        precedence = precedence or prec
    created = meta.get("created", "")
    when = meta_date(created) if created else None
    # A day without a time: the date-time group, when it falls on that day, is more exact.
    if when is not None and not (len(created) == 10 and date and date.date() == when.date()):
        date = when

    cable_id = canonical_id(meta["id"]) if meta.get("id") else ""
    if not is_valid_id(cable_id):
        cable_id = ""
    year = f"{date.year % 100:02d}" if date else ""
    if other:
        assert own is not None
        station, serial = own.station, own.serial
        warnings.append(
            f"the body is another cable's ({body_ref}): id, date and origin follow the header"
        )
        if not (serial or cable_id or id_hint) and _names_post(name_hint, station, year):
            # The header names the post but not the serial: a file name naming that post gives
            # the whole id (09HAVANA132.txt, FM USINT HAVANA over MOSCOW 512's body).
            cable_id = name_hint
            warnings.append("the serial in the id is taken from the file name")
    else:
        station, serial = _named_by_text(layout, head, line)
        if not year and line is not None:
            year = line.year_in_line
    if not cable_id and id_hint:
        cable_id = id_hint
    if not year and cable_id:
        year = cable_id[:2]
    # The text names the cable but not its year. A file name that names the same station and
    # serial supplies the year; it never overrides what the text says.
    if not year and station and serial and name_hint[2:] == make_id(0, station, serial)[2:]:
        year = name_hint[:2]
        warnings.append("no date: the year in the id is taken from the file name")
    if not year and station and serial and not other:
        guessed = guess_year(layout.body, declassify_on, eo, ref_years)
        if guessed:
            year = f"{guessed % 100:02d}"
            warnings.append("no date: the year in the id is a guess from the text")
    if not cable_id and station and serial and year:
        cable_id = make_id(year, station, serial)
    if not year and cable_id:
        year = cable_id[:2]
    return Identity(
        id=cable_id,
        date=date,
        precedence=precedence,
        year=year,
        station=station,
        body_ref=body_ref,
        warnings=tuple(warnings),
    )
