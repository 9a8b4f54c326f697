"""Classification as WikiLeaks' metadata writes it (one of record.CLASSIFICATIONS)."""

from __future__ import annotations

from .record import CLASSIFICATIONS


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


def wikileaks_classification(base: str, caveats: list[str], body_text: str = "") -> str:
    """Base classification from the classification line plus WikiLeaks' suffixes."""
    if base in ("UNCLASSIFIED", "LIMITED OFFICIAL USE"):
        if (
            base == "LIMITED OFFICIAL USE"
            or "SENSITIVE" in caveats
            or "FOUO" in caveats
            or "SBU" in caveats
        ):
            return "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
        return "UNCLASSIFIED"
    if "NOFORN" in caveats:
        return f"{base}//NOFORN"
    return base
