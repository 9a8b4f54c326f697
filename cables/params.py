"""Row ids read from request parameters, which anyone can write."""

from __future__ import annotations

# A database row id has at most 19 digits (a signed 64-bit integer); longer text is no row,
# and int() would refuse it past 4,300 digits, SQLite past 2**63 - 1.
MAX_ID_DIGITS = 18


def row_id(value: str) -> int | None:
    """``value`` as a row id (a positive integer of ASCII digits), else None."""
    value = value.strip()
    if value.isascii() and value.isdigit() and 0 < len(value) <= MAX_ID_DIGITS:
        number = int(value)
        return number if number > 0 else None
    return None
