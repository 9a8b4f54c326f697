"""The TAGS dictionary (cables/data/tags.csv): kind and display name of each code."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TAGS_CSV = Path(__file__).resolve().parent.parent / "data" / "tags.csv"

# Person tags name someone: "OVIP (RICE, CONDOLEEZZA)", "PREL (CLINTON, HILLARY)".
PERSON_RE = re.compile(r"^[A-Z]{4} \([^()]+\)$")


@dataclass(frozen=True, slots=True)
class TagInfo:
    code: str
    kind: str
    name: str  # "" when the dictionary knows the code but no name for it
    source: str
    verified: str


@cache
def load_tags(path: Path = TAGS_CSV) -> dict[str, TagInfo]:
    """Code -> TagInfo, read once."""
    tags: dict[str, TagInfo] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].strip().upper()
            tags[code] = TagInfo(
                code=code,
                kind=row["kind"].strip(),
                name=row["name"].strip(),
                source=row.get("source", "").strip(),
                verified=row.get("verified", "").strip(),
            )
    return tags


TAGS = load_tags()


def tag_kind(code: str) -> str:
    """'geo', 'subject', 'program', 'organization', 'person' or 'unknown'."""
    key = " ".join(code.upper().split())
    info = TAGS.get(key)
    if info:
        return info.kind
    if PERSON_RE.match(key):
        return "person"
    return "unknown"


def tag_name(code: str) -> str | None:
    """Display name of a code, or None when it is unknown (never an invented name).

    Person tags name their person: 'OVIP (RICE, CONDOLEEZZA)' -> 'Rice, Condoleezza'.
    """
    key = " ".join(code.upper().split())
    info = TAGS.get(key)
    if info:
        return info.name or None
    if PERSON_RE.match(key):
        inner = key[key.index("(") + 1 : -1]
        return ", ".join(part.strip().title() for part in inner.split(","))
    return None
