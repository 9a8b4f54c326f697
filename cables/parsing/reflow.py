"""Undo the reflowing of pasted cables, where the opening fields run together on one line:
'Cable dated:2002-11-15T12:40:00S E C R E T SECTION 01 OF 05 ANKARA 008305S/CT FOR REAPE.O. 12958:
DECL: 11/14/2012 TAGS: PTER TU'. Each field goes back on a line of its own."""

from __future__ import annotations

import re

_SPACED_CLASS = r"(?:C O N F I D E N T I A L|S E C R E T|U N C L A S S I F I E D)"
_CABLE_DATED_RE = re.compile(
    r"(Cable dated:\s*\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)[ \t]*(?=\S)", re.I
)
_BEFORE_CLASS_RE = re.compile(r"(?<=\S)[ \t]*(?=" + _SPACED_CLASS + r")", re.I)
_AFTER_SPACED_CLASS_RE = re.compile(r"(" + _SPACED_CLASS + r")(?=[A-Za-z]{2})", re.I)
_FIELD_SPLIT_RE = re.compile(
    r"(?<=\S)[ \t]*(?=E\.\s?O\.\s?1\d{4}|(?<![A-Za-z])TAGS\s*:|\bSUBJECT\s*:|\bSUBJ\s*:|\bCLASSIFIED BY\s*:)",
    re.I,
)
_CLASS_START_RE = re.compile(
    r"^\s*(?:" + _SPACED_CLASS + r"|UNCLAS(?:SIFIED)?|CONFIDENTIAL|SECRET)\b", re.I
)
_SERIAL_THEN_TEXT_RE = re.compile(
    r"^(?P<line>\s*\S.*?[A-Za-z]\s?0*\d{3,7})(?=[A-Za-z]|\s+[A-Za-z])(?P<rest>.*)$"
)
_TAB_CLASS_RE = re.compile(r"(?<=\S)(?:\t|\s{2,})(?=" + _SPACED_CLASS + r")")
_HEAD_LINES = 120
# "C O N F I D E N T I A L SECTION 01 OF 02\n\nTRIPOLI 000133": station and serial wrapped.
_SPLIT_CLASS_LINE_RE = re.compile(
    r"^([ \t]*(?:"
    + _SPACED_CLASS
    + r"|UNCLAS|CONFIDENTIAL|SECRET)[ \t]+SECTION \d+ OF \d+)[ \t]*\n"
    r"(?:[ \t]*\n)*[ \t]*([A-Z][A-Z ]{1,30}? \d{3,7})[ \t]*$",
    re.M | re.I,
)


def reflow_fields(text: str) -> str:
    """Split run-together opening fields onto their own lines; other text is left alone."""
    # Only the head is looked at: split it off and keep the rest as one untouched piece.
    lines = text.split("\n", _HEAD_LINES)
    head, tail = lines[:_HEAD_LINES], lines[_HEAD_LINES:]
    out: list[str] = []
    for line in head:
        # A classification line keyed onto the end of the last routing line, after a tab.
        if "\t" in line or "  " in line:
            line = _TAB_CLASS_RE.sub("\n", line)
        if len(line) < 30 or not _has_fields(line):
            out.append(line)
            continue
        line = _CABLE_DATED_RE.sub(r"\1\n", line)
        line = _BEFORE_CLASS_RE.sub("\n", line)
        line = _AFTER_SPACED_CLASS_RE.sub(r"\1 ", line)
        line = _FIELD_SPLIT_RE.sub("\n", line)
        pieces: list[str] = []
        for piece in line.split("\n"):
            m = _SERIAL_THEN_TEXT_RE.match(piece) if _CLASS_START_RE.match(piece) else None
            if m and not re.match(r"\s*(?:SECTION|OF)\b", m.group("rest"), re.I):
                pieces.extend([m.group("line"), m.group("rest").strip()])
            else:
                pieces.append(piece)
        out.extend(pieces)
    return _SPLIT_CLASS_LINE_RE.sub(r"\1 \2", "\n".join(out + tail), count=1)


_FIELD_KINDS_RE = re.compile(
    r"(?P<eo>E\.\s?O\.\s?1\d{4})|(?P<tags>\bTAGS\s*:)|(?P<subject>\bSUBJ(?:ECT)?\s*:)"
    r"|(?P<cls>" + _SPACED_CLASS + r")(?P<glued>[A-Z]{2})?|(?P<dated>CABLE DATED:)",
    re.I,
)


def _has_fields(line: str) -> bool:
    upper = line.upper()
    # Nearly every head line of a cable fails this guard; a chain of `in` tests costs a
    # third of a generator over a tuple of hints and, unlike the regex, never backtracks.
    if not (
        "TAGS" in upper
        or "SUBJ" in upper
        or "E.O" in upper
        or "E. O" in upper
        or "DATED" in upper
        or "C O N" in upper
        or "S E C" in upper
        or "U N C" in upper
    ):
        return False
    kinds = {m.lastgroup for m in _FIELD_KINDS_RE.finditer(line)}
    return len(kinds) >= 2 or "glued" in kinds
