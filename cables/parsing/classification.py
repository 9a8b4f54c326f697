"""Classification as WikiLeaks' metadata writes it (one of record.CLASSIFICATIONS)."""

from __future__ import annotations

from collections.abc import Iterable

from .record import CLASSIFICATIONS

# Handling caveats that make an unclassified cable "sensitive but unclassified", which WikiLeaks
# labels UNCLASSIFIED//FOR OFFICIAL USE ONLY. "DEA SENSITIVE" is the DEA's own SBU control
# (10MOSCOW293: UNCLAS, "DEA SENSITIVE" line, metadata FOUO).
_SBU_CAVEATS = frozenset({"SENSITIVE", "FOUO", "SBU", "DEA SENSITIVE"})


def normalise_classification(value: str) -> str:
    text = " ".join(value.upper().replace(" // ", "//").split())
    if text in CLASSIFICATIONS:
        return text
    if text.startswith("UNCLAS") and (
        "OFFICIAL USE" in text or "FOUO" in text or "SENSITIVE" in text
    ):
        return "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    if text.startswith("LIMITED OFFICIAL USE"):
        return "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    for base in ("CONFIDENTIAL", "SECRET"):
        if text.startswith(base):
            return f"{base}//NOFORN" if "NOFORN" in text else base
    return "UNCLASSIFIED"


def _noforn_displaced_by_sensitive(caveats: list[str]) -> bool:
    """A caveat block that opens with NOFORN and also carries SENSITIVE ("NOFORN / SENSITIVE /
    SIPDIS", the layout of 2009-2010 cables): WikiLeaks shows the bare classification for these.

    In the sample every such cable is labelled without //NOFORN (09MEXICO3061, 09MEXICO3101,
    09STATE81957, 09STATE83014, 10HAVANA9; and, outside the sample, 09MEXICO3077 and
    10TEGUCIGALPA65 on the cablegate mirror), while blocks where NOFORN comes after SIPDIS or
    SENSITIVE keep it (08LONDON1939, 07SANAA1989, 10NAIROBI181). The likely cause is that the
    source database kept one handling marking per cable and SENSITIVE took that slot; WikiLeaks
    writes no suffix for a classified cable marked SENSITIVE."""
    return bool(caveats) and caveats[0] == "NOFORN" and "SENSITIVE" in caveats


def wikileaks_classification(base: str, caveats: list[str], body_text: str = "") -> str:
    """Base classification from the classification line plus WikiLeaks' suffixes."""
    if base in ("UNCLASSIFIED", "LIMITED OFFICIAL USE"):
        if base == "LIMITED OFFICIAL USE" or _SBU_CAVEATS.intersection(caveats):
            return "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
        return "UNCLASSIFIED"
    if "NOFORN" in caveats and not _noforn_displaced_by_sensitive(caveats):
        return f"{base}//NOFORN"
    return base


# A paragraph marking's level: the letters before any "/" ("S/NF" -> S, "C//REL" -> C).
_MARKING_LEVELS = {"TS": 3, "S": 3, "C": 2, "U": 1, "SBU": 1, "LOU": 1}
_LEVEL_NAMES = {3: "SECRET", 2: "CONFIDENTIAL", 1: "UNCLASSIFIED"}


def level_from_markings(markings: Iterable[str]) -> str:
    """The highest level the paragraph markings show ("C", "S/NF", "SBU" -> "SECRET"), or "".

    Only the level: a cable's caveats (NOFORN, SENSITIVE) are read from its caveat lines, and
    WikiLeaks labels (S/NF) paragraphs without a NOFORN line plain SECRET (51 of 53 in the
    sample), so a marking's own caveat never counts."""
    levels = [_MARKING_LEVELS.get(m.split("/", 1)[0], 0) for m in markings if m]
    return _LEVEL_NAMES.get(max(levels, default=0), "")
