"""Reference ids: canonical form and repair of the malformations seen in the releases."""

from __future__ import annotations

import re

# A canonical id: two-digit year, station letters, serial without leading zeros.
ID_RE = re.compile(r"^(\d{2})([A-Z][A-Z-]*?)(\d+)$")
_DOUBLED_YEAR = re.compile(r"^(\d{2})\1(?=[A-Z])")
_SECTION_IN_ID = re.compile(r"^(\d{2})S?E?CTION\d{2}[A-Z]{2}\d{2}(?=[A-Z])")


def station_key(name: str) -> str:
    """'BUENOS AIRES' -> 'BUENOSAIRES', 'USUN NEW YORK' -> 'USUNNEWYORK'."""
    return re.sub(r"[^A-Z]", "", name.upper())


def make_id(year: int | str, station: str, serial: str | int) -> str:
    yy = int(year) % 100
    serial_text = str(serial).lstrip("0") or "0"
    return f"{yy:02d}{station_key(station)}{serial_text}"


def canonical_id(raw: str) -> str:
    """Normalise an id as written ('07 MOSCOW 005100', '7575LIBREVILLE1895') to '07MOSCOW5100'."""
    text = re.sub(r"\s+", "", raw.upper())
    text = _DOUBLED_YEAR.sub(r"\1", text)
    # A section marker keyed into the id: "08SCTION02OF02SAOPAULO335" -> "08SAOPAULO335".
    text = _SECTION_IN_ID.sub(r"\1", text)
    m = re.match(r"^(\d{2})([A-Z-]+?)0*(\d+)$", text)
    if m:
        return f"{m.group(1)}{m.group(2)}{m.group(3)}"
    return text


def is_valid_id(text: str) -> bool:
    return bool(ID_RE.match(text))


def full_year(yy: int) -> int:
    """Two-digit years: 66-99 are 19xx, 00-65 are 20xx (the releases span 1966-2010)."""
    return 1900 + yy if yy >= 66 else 2000 + yy
