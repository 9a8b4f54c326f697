"""The transmission header: transmission id, precedence, date-time group, DE, FM, TO and INFO."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from .ids import full_year
from .record import Origin

MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_MONTH_NAMES = {
    "JANUARY": 1, "FEBRUARY": 2, "MARCH": 3, "APRIL": 4, "MAY": 5, "JUNE": 6, "JULY": 7,
    "AUGUST": 8, "SEPTEMBER": 9, "OCTOBER": 10, "NOVEMBER": 11, "DECEMBER": 12,
}  # fmt: skip

PRECEDENCES = "OPRZ"
# "P 221503Z OCT 07", "P R 281848Z DEC 66", "O 091234Z JAN 75 ZFF4", "R 291351Z JUL 09"
DTG_LINE_RE = re.compile(
    r"^\s*(?P<prec>[OPRZ](?:\s?[OPRZ])?)\s+(?P<day>\d{2})(?P<hh>\d{2})(?P<mm>\d{2})\s?Z\s*"
    r"(?P<mon>JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\s*(?P<yy>\d{2}(?:\d{2})?)\b",
    re.I | re.M,
)
# A bare group opening a line: "201247Z Jan 04" (partial extracts)
DTG_ANY_RE = re.compile(
    r"^\s*(?P<day>\d{2})(?P<hh>\d{2})(?P<mm>\d{2})\s?Z\s*"
    r"(?P<mon>JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\s*(?P<yy>\d{2}(?:\d{2})?)\b",
    re.I | re.M,
)
CABLE_DATED_RE = re.compile(r"Cable dated:\s*(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?", re.I)
# The Guardian's rendering: "Wednesday, 29 July 2009, 13:51"
LONG_DATE_RE = re.compile(
    r"^\s*(?:MONDAY|TUESDAY|WEDNESDAY|THURSDAY|FRIDAY|SATURDAY|SUNDAY),\s+(\d{1,2})\s+"
    r"(JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)"
    r"\s+(\d{4})(?:,\s*(\d{1,2}):(\d{2}))?",
    re.I | re.M,
)
TRANSMISSION_RE = re.compile(r"^\s*(VZCZC[A-Z0-9]*)", re.M)
DE_RE = re.compile(
    r"^\s*DE\s+(?P<ri>[A-Z]{4,7})\s*#\s*(?P<serial>\d+)(?:/\d+)?\s*(?P<jul>\d{7})?", re.M
)
FM_RE = re.compile(r"^\s*FM\s+(?:[A-Z]{4,8}/)?(?P<fm>[^\n]+?)\s*$", re.M)

_ADDR_TAIL = re.compile(
    r"(?:\s+(?:FLASH|NIACT|IMMEDIATE|PRIORITY|ROUTINE|BT))+(?:\s+\d+)?\s*$|\s+\d{3,5}\s*$"
)
_ROUTING = re.compile(r"^[A-Z0-9]{4,8}/")

_ORIGIN_SPECIAL = {
    "SECSTATE WASHDC": "Secretary of State",
    "SECSTATE WASHINGTON DC": "Secretary of State",
    "SECSTATE": "Secretary of State",
    "USMISSION USNATO": "Mission USNATO",
    "USMISSION USUN NEW YORK": "USUN New York",
    "USMISSION USUN NEWYORK": "USUN New York",
    "USUN NEW YORK": "USUN New York",
    "USMISSION UNVIE VIENNA": "UNVIE",
    "USMISSION UNVIE": "UNVIE",
    "USEU BRUSSELS": "USEU Brussels",
    "USMISSION USEU BRUSSELS": "USEU Brussels",
    "USINT HAVANA": "US Interests Section Havana",
    "IRAN RPO DUBAI": "Iran RPO Dubai",
    "AIT TAIPEI": "AIT Taipei",
    "RPO DUBAI": "Iran RPO Dubai",
    # WikiLeaks labels some posts by their later or usual name.
    "AMEMBASSY KIEV": "Embassy Kyiv",
    "USLO TRIPOLI": "Embassy Tripoli",
}
_ORIGIN_PREFIX = {
    "AMEMBASSY": "Embassy",
    "AMCONSUL": "Consulate",
    "AMCONGEN": "Consulate",
    "USMISSION": "Mission",
    "USOFFICE": "US Office",
    "USDEL": "US Delegation",
    "USLO": "US Liaison Office",
}


# "ZNY SSSSS ZZH": the classification repeated in the transmission line.
ZNY_RE = re.compile(r"^\s*ZN[YR]\s+(?P<cls>[SCUE])(?P=cls){4}\b", re.M)
ZNY_CLASSES = {"S": "SECRET", "C": "CONFIDENTIAL", "U": "UNCLASSIFIED", "E": "UNCLASSIFIED"}


@dataclass(frozen=True, slots=True)
class Header:
    transmission_id: str = ""
    precedence: str = ""
    date: datetime | None = None  # the date-time group ("O 260754Z JUN 07")
    de_serial: str = ""  # "2725" in "DE RUEHFR #2725/01 1770754": the serial's last digits
    zny_classification: str = ""
    origin_code: str = ""  # the FM line: "AMEMBASSY PARIS"
    to: tuple[str, ...] = ()
    info: tuple[str, ...] = ()


def title_place(name: str) -> str:
    """'RIO DE JANEIRO' -> 'Rio De Janeiro', as WikiLeaks' origin labels write it."""
    return " ".join(w.capitalize() if w.isalpha() else w.title() for w in name.split())


def origin_label(code: str) -> str:
    code = " ".join(code.upper().replace(".", " ").split())
    if code in _ORIGIN_SPECIAL:
        return _ORIGIN_SPECIAL[code]
    first, _, rest = code.partition(" ")
    if first in _ORIGIN_PREFIX and rest:
        if first == "USMISSION" and rest.startswith("US"):
            return f"Mission {rest.split()[0]}"
        return f"{_ORIGIN_PREFIX[first]} {title_place(rest)}"
    return title_place(code)


def make_origin(code: str) -> Origin:
    code = " ".join(code.upper().split())
    return Origin(code=code, label=origin_label(code) if code else "")


def _date(yy: str, mon: int, day: int, hh: int = 0, mm: int = 0) -> datetime | None:
    year = int(yy)
    if len(yy) == 2:
        year = full_year(year)
    try:
        return datetime(year, mon, day, hh, mm, tzinfo=UTC)
    except ValueError:
        return None


def dtg_to_datetime(m: re.Match[str]) -> datetime | None:
    return _date(
        m.group("yy"),
        MONTHS[m.group("mon").upper()],
        int(m.group("day")),
        int(m.group("hh")),
        int(m.group("mm")),
    )


def find_date(text: str) -> tuple[datetime | None, str]:
    """The cable's date and precedence: DTG line first, then the other renderings."""
    m = DTG_LINE_RE.search(text)
    if m:
        when = dtg_to_datetime(m)
        if when:
            return when, " ".join(m.group("prec").upper().split())
    m2 = CABLE_DATED_RE.search(text)
    if m2:
        y, mo, d, hh, mm = m2.groups()
        when = _date(y, int(mo), int(d), int(hh or 0), int(mm or 0))
        if when:
            return when, ""
    m3 = LONG_DATE_RE.search(text)
    if m3:
        d, mon, y, hh, mm = m3.groups()
        when = _date(y, _MONTH_NAMES[mon.upper()], int(d), int(hh or 0), int(mm or 0))
        if when:
            return when, ""
    for m4 in DTG_ANY_RE.finditer(text[:3000]):
        when = dtg_to_datetime(m4)
        if when:
            return when, ""
    return None, ""


def clean_addressee(line: str) -> str:
    text = " ".join(line.replace("\t", " ").split())
    text = _ROUTING.sub("", text)
    prev = None
    while prev != text:
        prev = text
        text = _ADDR_TAIL.sub("", text).strip()
    return text.strip(" ,.")


_DIST_RE = re.compile(r"\b[A-Z]{1,6}-\d{2}\b")
# What one addressee may hold (cables.models.Addressee.name): a longer "name" is a run of
# wrapped lines, and PostgreSQL refuses the whole cable over it (SQLite never checks).
MAX_ADDRESSEE = 300


def _addressees(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if _DIST_RE.search(line) or line.strip().startswith("/"):
            continue
        name = clean_addressee(line)[:MAX_ADDRESSEE].rstrip()
        if name and name not in out:
            out.append(name)
    return out


_BLOCK_END = re.compile(r"^\s*(?:INFO|BT|ZEN|ZFR|XMT|ZNY|ZNR|E\.?O\.?|TAGS|SUBJ|SIPDIS)\b")


def parse_header(text: str) -> Header:
    m = TRANSMISSION_RE.search(text)
    transmission_id = m.group(1) if m else ""
    date, precedence = find_date(text)
    m = DE_RE.search(text)
    de_serial = m.group("serial") if m else ""
    m = ZNY_RE.search(text)
    zny = ZNY_CLASSES[m.group("cls")] if m else ""
    m = FM_RE.search(text)
    origin_code = " ".join(m.group("fm").split()) if m else ""
    section: str | None = None
    to_lines: list[str] = []
    info_lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"^TO\s", stripped):
            section = "to"
            stripped = stripped[3:]
        elif re.match(r"^INFO\s", stripped) and not _DIST_RE.search(stripped):
            section = "info"
            stripped = stripped[5:]
        elif not stripped or _BLOCK_END.match(stripped) or re.match(r"^FM\s", stripped):
            section = None
            continue
        if section == "to":
            to_lines.append(stripped)
        elif section == "info":
            info_lines.append(stripped)
    return Header(
        transmission_id=transmission_id,
        precedence=precedence,
        date=date,
        de_serial=de_serial,
        zny_classification=zny,
        origin_code=origin_code,
        to=tuple(_addressees(to_lines)),
        info=tuple(_addressees(info_lines)),
    )
