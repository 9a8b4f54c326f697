"""The year of a cable whose text carries no date (pasted bodies without the transmission header).

Only a guess, and the record says so in its warnings. Votes, strongest first: the declassification
date (E.O. 12958 set ten years by default, else 25, 20, 15 or 5), weekday-and-date phrases
("Saturday, April 18") that fit one year only, and the years the text mentions.
Measured on the shared corpus (cables with a known year): right about two times in three.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter

from .ids import full_year

_MONTHS = {name.upper(): i for i, name in enumerate(calendar.month_name) if name}
_DAYS = {name.upper(): i for i, name in enumerate(calendar.day_name)}
# Starts with a literal so the scan is fast; the weekday is checked on the match.
_WEEKDAY_DATE_RE = re.compile(
    r"\b(MON|TUES|WEDNES|THURS|FRI|SATUR|SUN)DAY,?\s+"
    r"(JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)"
    r"\s+(\d{1,2})\b"
)
_YEAR_RE = re.compile(r"\b(19[6-9]\d|20[01]\d)\b")
_DECL_OFFSETS = ((10, 8.0), (25, 2.0), (20, 1.5), (15, 1.0), (5, 1.0), (9, 1.0))
FIRST_YEAR, LAST_YEAR = 1966, 2010


def declassification_year(declassify_on: str) -> int | None:
    m = re.search(r"\b(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})\b", declassify_on)
    if m:
        return int(m.group(1))
    m = re.search(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b", declassify_on)
    if m:
        year = int(m.group(3))
        return year if year >= 100 else full_year(year)
    return None


def guess_year(text: str, declassify_on: str, eo: str, ref_years: list[int]) -> int | None:
    votes: Counter[int] = Counter()
    upper = text.upper()
    for year_text in _YEAR_RE.findall(upper):
        year = int(year_text)
        if FIRST_YEAR <= year <= LAST_YEAR:
            votes[year] += 1
    decl = declassification_year(declassify_on) if eo in ("12958", "13526") else None
    if decl:
        for offset, weight in _DECL_OFFSETS:
            if FIRST_YEAR <= decl - offset <= LAST_YEAR:
                votes[decl - offset] += weight
    for day_stem, month_name, day in _WEEKDAY_DATE_RE.findall(upper) if "DAY" in upper else ():
        day_name = day_stem + "DAY"
        fits = [
            y
            for y in range(max(FIRST_YEAR, (decl or LAST_YEAR + 10) - 30), LAST_YEAR + 1)
            if _weekday(y, _MONTHS[month_name], int(day)) == _DAYS[day_name]
        ]
        for y in fits:
            votes[y] += 6.0 / len(fits) if len(fits) <= 3 else 0
    floor = max(ref_years, default=0)
    candidates = {y: v for y, v in votes.items() if y >= floor and v > 0}
    if not candidates:
        return None
    return max(candidates, key=lambda y: (candidates[y], y))


def _weekday(year: int, month: int, day: int) -> int | None:
    try:
        return calendar.weekday(year, month, day)
    except ValueError:
        return None
