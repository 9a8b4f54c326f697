"""The body: classification line, caveats, E.O., TAGS, SUBJECT, REF, Classified By, paragraphs.

Each ``read_*`` function is one stage of the parser (cables/parsing/cable.py): it reads the lines
or text it is given and returns what it found, changing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .ids import full_year, make_id
from .record import Paragraph, Reference, Tag
from .tagsdict import tag_kind

# Classification words, spaced or not ("C O N F I D E N T I A L"), any case once upper-cased.
# Classification words, spaced or not ("C O N F I D E N T I A L"), once upper-cased; a doubled
# first letter ("CC O N F...", "UUNCLAS", "SS E C R E T") is a common keying slip.
_CLS = (
    r"(?P<cls>C?C ?O ?N ?F ?I ?D ?E ?N ?T ?I ?A ?L|S?S ?E ?C ?R ?E ?T|E C R E T|O N F I D E N T I A L"
    r"|U?U ?N ?C ?L ?A ?S(?: ?S ?I ?F ?I ?E ?D)?"
    r"|L ?I ?M ?I ?T ?E ?D ?O ?F ?F ?I ?C ?I ?A ?L ?U ?S ?E|LIMITED OFFICIAL USE)"
)
CLASS_LINE_RE = re.compile(
    r"^\s*" + _CLS + r"(?=[\s/,.;:]|$)(?P<rest>[^\n]*)$",
    re.M,
)
# "... SECTION 01 OF 02 HARARE 005461", "... 75 LIBREVILLE 1895", "... STATE 272523"
# The line ends with station and serial; a few letters may be glued on ("CAIRO 000544SIPDIS",
# "REYKJAVIK 00040QSITIVE"), and a short mark may follow ("BERN 000881 \\").
_STATION_SERIAL_RE = re.compile(
    r"(?:^|\s)(?P<station>[A-Z][A-Z'.-]*(?: [A-Z][A-Z'.-]*){0,3})\s+0*(?P<serial>\d{1,7})"
    r"(?:[A-Z]{2,12})?\s*(?:\S{0,3}\s*)$"
)
_SECTION_MARK_RE = re.compile(r"\bS\w{0,2}CTION\s+\d+\s+[O0]F\s+\d+\b")
_CAVEAT_RE = re.compile(
    r"\b(DEA SENSITIVE|SIPDIS|NOFORN|NOF|SENSITIVE|EXDIS|NODIS|LIMDIS|STADIS|NOCONTRACT|ORCON|PROPIN|"
    r"FOR OFFICIAL USE ONLY|E F T O|EFTO|SBU|FOUO)\b"
)
EO_RE = re.compile(
    r"^\s*E\s?\.?\s?O\s?\.?\s*(?P<eo>1\d{4})\b\s*[:;.]?\s*(?P<rest>[^\n]*)$", re.M | re.I
)
TAGS_RE = re.compile(r"(?:^|\s)TAGS?\b\s*[:;.]?\s*(?P<tags>[^\n]*)$", re.M | re.I)
SUBJECT_RE = re.compile(r"^\s*SUBJ(?:ECT)?\b\s*[:;.]?\s*(?P<subject>[^\n]*)$", re.M | re.I)
REF_RE = re.compile(r"^\s*REF(?:S|TEL|TELS)?\b\s*[:;.]?\s*(?P<ref>[^\n]*)$", re.M | re.I)
REF_LETTER_LINE_RE = re.compile(r"^\s*REF\s+[A-Z]\s*[:.)]\s*(?P<ref>[^\n]*)$", re.M | re.I)
CLASSIFIED_BY_RE = re.compile(
    r"^\s*[¶]?\s*(?:\d+\.\s*\(\w+\)\s*)?CLASSIFIED\s+BY\b\s*:?\s*(?P<cb>[^\n]*)$", re.M | re.I
)
# "Reasons 1.4 (b) and (d)", "REASON: 1.4(B), (D)", "1.5 (B) AND (D)", "1.4 (b and d)", "1.4 B/D"
REASONS_RE = re.compile(
    r"(?:\bREASONS?\s*:?\s*(?:FOR\s+)?|\b(?:FOR|PER|UNDER)\s+|(?<=[\s,;]))(?P<reasons>1\s?\.\s?[1-8]"
    r"(?=\s*\(?\s*[A-H]\b)"
    r"(?:\s|,|&|/|\bAND\b|\(\s*[A-H](?:\s*(?:,|AND|&|/)\s*[A-H])*\s*\)|\b[A-H]\b)*)",
    re.I,
)
# Page breaks and section lines that interrupt the text.
PAGE_LINE_RE = re.compile(
    r"^[ \t]*PAGE \d{2,3}\s+[A-Z][A-Z ]*?\s+\d{2,6}\s+\d{2}\s+OF\s+\d{2}\s+\d{6}Z[ \t]*", re.M
)
SECTION_LINE_RE = re.compile(
    r"^[ \t]*[A-Z][A-Z ]{0,30}?[ \t]+0{2,}\d+[ \t]+\d{3}(?:\.\d)?[ \t]+OF[ \t]+\d{3}[ \t]*(?:\n|$)",
    re.M,
)
_PARA_RE = re.compile(
    r"^[ \t]*(?P<pil>¶\s*)?(?P<num>\d{1,3})\s?\.(?!\d)\s*"
    r"(?:\((?P<mark>[A-Z]{1,4}(?:\s?//?\s?[A-Z]{1,6}){0,3})(?:\s*[-,:][^)\n]{0,30})?\)\s*)?",
    re.M,
)
_KEYWORD_START = re.compile(
    r"^\s*(?:SUBJ(?:ECT)?\b|REF(?:S|TEL|TELS)?\b|CLASSIFIED\s+BY|E\s?\.?\s?O\s?\.?\s*1\d{4}|TAGS\b|"
    r"[¶]|\d{1,2}\s?\.\s|\(\w{1,4}\)|SUMMARY|SIPDIS|BEGIN|PASS\b|DEPT\b|FOR\b)",
    re.I,
)
_TAG_TOKEN = re.compile(r"^[A-Z][A-Z0-9&-]{1,9}$")
_PERSON_TAG = re.compile(r"[A-Z]{4}\s*\(\s*[^()]+?\s*\)")
_TRAILER_RE = re.compile(
    r"^\s*(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|NNNN|BT|LIMITED OFFICIAL USE)"
    r"(?:\s*/+\s*[A-Z ]+)?\s*$|^\s*#\d+\s*$|^\W*$"
)


@dataclass(frozen=True, slots=True)
class ClassLine:
    """What the classification line says: "S E C R E T SECTION 01 OF 04 MOSCOW 005154"."""

    text: str = ""
    classification: str = ""  # the base word: "SECRET", "CONFIDENTIAL", "UNCLASSIFIED"...
    station: str = ""
    serial: str = ""
    year_in_line: str = ""  # "75" in "C O N F I D E N T I A L 75 LIBREVILLE 1895"
    caveats: tuple[str, ...] = ()


def _squash(text: str) -> str:
    return " ".join(text.split())


def base_classification(word: str) -> str:
    w = word.replace(" ", "").upper()
    if "ONFIDENTIAL" in w:
        return "CONFIDENTIAL"
    if w.endswith("ECRET"):
        return "SECRET"
    if w.startswith("LIMITED"):
        return "LIMITED OFFICIAL USE"
    return "UNCLASSIFIED"


# "S E C R E T BOGOTA 000243 SIPDIS NOFORN": caveats keyed after the serial.
_TRAILING_CAVEATS_RE = re.compile(
    r"(?:[\s,/]+(?:SIPDIS|NOFORN|SENSITIVE|EXDIS|NODIS|LIMDIS|NOCONTRACT|ORCON|CXNET))+[\s,/.]*$"
)


def find_class_line(text: str) -> re.Match[str] | None:
    """The classification line: the first one naming station and serial ("... MOSCOW 005100"),
    else the first bare classification word on a line of its own."""
    upper = text.upper()
    bare: re.Match[str] | None = None
    for m in CLASS_LINE_RE.finditer(upper):
        rest = _TRAILING_CAVEATS_RE.sub("", m.group("rest")).strip()
        if rest and _STATION_SERIAL_RE.search(" " + rest):
            return m
        if not rest and bare is None and len(m.group("cls")) >= 6:
            bare = m
    return bare


def read_class_line(line_match: re.Match[str]) -> ClassLine:
    rest = " " + _squash(line_match.group("rest"))
    caveats: list[str] = []
    for cav in _CAVEAT_RE.findall(rest):
        _add_caveat(caveats, cav)
    rest = _TRAILING_CAVEATS_RE.sub("", rest)
    rest = _SECTION_MARK_RE.sub(" ", rest)
    rest = _CAVEAT_RE.sub(" ", rest)
    rest = re.sub(r"[/,;]", " ", rest)
    rest = re.sub(r"(\d)[A-Z]{2,12}\s*$", r"\1", _squash(rest))  # glued caveat: "000544SIPDIS"
    m = re.search(
        r"(?P<station>[A-Z][A-Z'.-]*(?:\s[A-Z][A-Z'.-]*){0,3})\s*0*(?P<serial>\d{1,7})\s*$", rest
    )
    station = serial = year = ""
    if m:
        station = m.group("station").strip()
        serial = m.group("serial")
        # "C O N F I D E N T I A L 75 LIBREVILLE 1895": a year right after the classification.
        lead = rest[: m.start()].split()
        if len(lead) == 1 and re.fullmatch(r"\d{2}", lead[0]):
            year = lead[0]
    return ClassLine(
        text=_squash(line_match.group(0)),
        classification=base_classification(line_match.group("cls")),
        station=station,
        serial=serial,
        year_in_line=year,
        caveats=tuple(caveats),
    )


def _add_caveat(caveats: list[str], word: str) -> None:
    norm = {"NOF": "NOFORN", "E F T O": "EFTO"}.get(word, word)
    if norm not in caveats:
        caveats.append(norm)


def split_tags(text: str) -> list[str]:
    """'PGOV, PINS, ZI' / 'OVIP (RICE, CONDOLEEZZA) PREL' -> codes, person tags whole."""
    codes: list[str] = []
    text = text.upper().replace("[", " ").replace("]", " ")
    parts: list[tuple[int, str]] = []
    for m in _PERSON_TAG.finditer(text):
        parts.append((m.start(), re.sub(r"\s*\(\s*", " (", _squash(m.group(0))).replace(" )", ")")))
    masked = _PERSON_TAG.sub(lambda m: " " * len(m.group(0)), text)
    for m in re.finditer(r"[^\s,;]+", masked):
        parts.append((m.start(), m.group(0)))
    parts.sort()
    for _pos, token in parts:
        token = token.strip(".:;'\"") if "(" in token[1:] else token.strip(".:;()'\"")
        if not token or token in ("AND", "&"):
            continue
        token = re.sub(r"\s*,\s*", ", ", token)
        if token not in codes:
            codes.append(token)
    return codes


def _continuation_tags(line: str) -> bool:
    tokens = [t.strip(".,;:") for t in re.split(r"[\s,]+", _PERSON_TAG.sub("", line.upper())) if t]
    tokens = [t for t in tokens if t]
    if not tokens and _PERSON_TAG.search(line.upper()):
        return True
    return bool(tokens) and all(_TAG_TOKEN.match(t) for t in tokens) and len(tokens) <= 30


def _block(
    lines: Sequence[str], start: int, first: str, stop_blank: bool = True
) -> tuple[str, int]:
    """Text of a field that may wrap: the first line's text plus following lines up to a blank
    line or the next keyword. Returns the text and the index after the block."""
    parts = [first.strip()]
    i = start + 1
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            if stop_blank:
                break
            i += 1
            continue
        if (
            _KEYWORD_START.match(line)
            or PAGE_LINE_RE.match(line)
            or _TRAILER_RE.match(line)
            or SECTION_LINE_RE.match(line + "\n")
        ):
            break
        parts.append(line.strip())
        i += 1
    return " ".join(p for p in parts if p), i


def read_tags(lines: Sequence[str]) -> tuple[Tag, ...] | None:
    """The TAGS line's codes, or None when there is no TAGS line."""
    for i, line in enumerate(lines[:80]):
        m = TAGS_RE.search(line.upper())
        if not m:
            continue
        before = line.upper()[: m.start()].strip()
        if (
            before
            and not EO_RE.match(line.upper())
            and not re.search(r"\d{2,4}\s*$|N/A\s*$|\bDECL\b", before)
        ):
            continue
        text = m.group("tags")
        j = i + 1
        while j < len(lines) and lines[j].strip() and _continuation_tags(lines[j]):
            if SUBJECT_RE.match(lines[j]) or REF_RE.match(lines[j]):
                break
            text += " " + lines[j]
            j += 1
        # "TAGS: PREL PGOV SUBJECT: ..." on one reflowed line
        text = re.split(r"\bSUBJ(?:ECT)?\b\s*:", text, maxsplit=1, flags=re.I)[0]
        return tuple(Tag(code=code, kind=tag_kind(code)) for code in split_tags(text))
    return None


# Where a subject run into the next field on the same line ends.
_SUBJECT_END_RE = re.compile(
    r"\s+(?:REF(?:S|TEL)?\s*:|CLASSIFIED BY\b|¶?\d{1,2}\.\s*\([A-Z/]{1,6}\))", re.I
)


def _is_upper(text: str) -> bool:
    """Capitals (or no letters at all: a wrapped "2009")."""
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def read_subject(lines: Sequence[str]) -> str:
    """SUBJECT over as many lines as it wraps. A capitals subject does not run on into a line
    in mixed case ("This is an action request.", "Friday, 18 December 2009, 11:04")."""
    for i, line in enumerate(lines[:80]):
        m = SUBJECT_RE.match(line)
        if not m:
            continue
        text, end = _block(lines, i, m.group("subject"))
        if _is_upper(m.group("subject")):
            kept = [m.group("subject").strip()]
            for follow in lines[i + 1 : end]:
                if not _is_upper(follow) or CLASS_LINE_RE.match(follow.upper()):
                    break
                kept.append(follow.strip())
            text = " ".join(kept)
        text = _SUBJECT_END_RE.split(text, maxsplit=1)[0]
        return _squash(text).strip()
    return ""


_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
# "08 STATE 81854", "NAIROBI 1830", "BELGRADE743", "2008 RIO 295", "USUN NEW YORK 1234 (NOTAL)"
_REF_CABLE_RE = re.compile(
    r"^(?:(?P<yy>(?:19|20)\d{2}|\d{2})\s*)?(?P<station>[A-Z][A-Z]*(?:\s[A-Z]+){0,2}?)\s*0*"
    r"(?P<serial>\d{2,7})\b(?:\s*\((?:NOTAL|NOT ALL)\.?\))?\s*(?P<tail>.*)$"
)
_NOT_STATIONS = {
    "PARA", "PARAS", "PARAGRAPH", "SECTION", "PAGE", "NO", "NUMBER", "AND", "OF", "E", "EO",
    "USC", "UNSCR", "RES", "RESOLUTION", "DATED", "ON", "IN", "FOR", "AT", "TO", "TELCON",
    "FAX", "EMAIL", "LETTER", "MEMO", "CFR", "FAM", "FAH", "REFTEL", "DTG", "IIR", "UNSC",
    "CY", "FY", "YEAR", "TASK", "NOTE", "ITEM", "CASE", "LAW", "DECREE", "ARTICLE", "ACT",
    "ANNEX", "TABLE", "ROOM", "SUITE", "VOL", "VOLUME", "CHAPTER", "PART",
}  # fmt: skip
# How WikiLeaks' ids name posts that references write short.
_STATION_ALIASES = {
    "SECSTATE": "STATE",
    "SECSTATE WASHDC": "STATE",
    "USUN": "USUNNEWYORK",
    "UNVIE": "UNVIEVIENNA",
    "USEU": "USEUBRUSSELS",
}
_LABEL_RE = re.compile(r"(?:(?<=\s)|^)(?:\(([A-Z])\)|([A-Z])\s?[.):](?=\s|$))")
_DOUBLED_LABEL_RE = re.compile(r"\b([A-Z])\s?[.)]\s*\(?\1[.)]")


def _ref_items(text: str) -> list[tuple[str, str]]:
    """Split a REF list into (label, text): 'A. X B. Y', 'A) X, B) Y', '(A) X (B) Y', 'X; Y'."""
    text = _squash(text.replace("¶", " "))
    text = _DOUBLED_LABEL_RE.sub(r"\1.", text)  # "A. (A) STATE 112368" -> "A. STATE 112368"
    good: list[re.Match[str]] = []
    expect = "A"
    for m in _LABEL_RE.finditer(text):
        letter = m.group(1) or m.group(2)
        # Labels must run A, B, C... to count as labels.
        if letter == expect:
            good.append(m)
            expect = chr(ord(expect) + 1)
    items: list[tuple[str, str]] = []
    if not good:
        return [("", t) for t in _semi_split(text)]
    lead = text[: good[0].start()].strip(" ,;:")
    items.extend(("", t) for t in _semi_split(lead))
    for k, m in enumerate(good):
        end = good[k + 1].start() if k + 1 < len(good) else len(text)
        label = m.group(1) or m.group(2)
        chunk = text[m.end() : end].strip(" ,;:")
        parts = _semi_split(chunk) if chunk else []
        items.extend((label if n == 0 else "", part) for n, part in enumerate(parts))
    return items


def _semi_split(text: str) -> list[str]:
    parts = re.split(
        r"\s*;\s*|\s*,\s+(?=(?:\d{2}\s+)?[A-Z]+\s*\d)|\s+AND\s+(?=(?:\d{2}\s+)?[A-Z]+\s+\d)"
        r"|(?<=\d)\s+(?=\d{2}\s+[A-Z]{3,}(?:\s[A-Z]+)?\s+\d{2,})",
        text,
    )
    return [p.strip(" ,.") for p in parts if p and p.strip(" ,.")]


@dataclass(frozen=True, slots=True)
class RefItem:
    """One item of a REF list, read once: what it cites, whatever the citing cable's year."""

    label: str  # "A", "B"... or ""
    text: str
    cited: tuple[str, str, str] | None  # (two-digit year or "", station, serial) of a cable


def _cited(text: str) -> tuple[str, str, str] | None:
    """The cable a reference cites: (year as written or "", station, serial), else None."""
    m = _REF_CABLE_RE.match(text.upper().strip(" .,"))
    if not m:
        return None
    station = _STATION_ALIASES.get(m.group("station").strip(), m.group("station").strip())
    if any(w in _NOT_STATIONS for w in station.split()) or re.match(_MONTHS, station):
        return None
    tail = m.group("tail").strip()
    if (
        not m.group("yy")
        and len(tail) > 40
        and not re.match(r"^(?:\(|NOTAL|AND\b|/\d{2}\b|\d{6}Z|DTD|DATED)", tail)
    ):
        return None
    yy = m.group("yy") or ""
    slash_year = re.match(r"^/(\d{2})\b", tail)
    if not yy and slash_year:
        yy = slash_year.group(1)
    return (f"{int(yy) % 100:02d}" if yy else "", station, m.group("serial"))


_REF_CONTINUES_RE = re.compile(r"^\s*¶?\s*(?:\([B-Z]\)|[B-Z]\s?[.):])\s")
_REF_STOP_RE = re.compile(r"^\s*(?:SUMMARY|BEGIN SUMMARY|1\.\s|¶\s*\d)", re.I)


def read_ref_items(lines: Sequence[str]) -> tuple[RefItem, ...]:
    """(label, text) of every item of every REF section (some cables have two; page breaks may
    split one). Which items cite cables depends on the cable's year: see :func:`cite`."""
    found: list[RefItem] = []
    i = 0
    limit = min(len(lines), 150)
    while i < limit:
        line = lines[i]
        m = REF_RE.match(line) or REF_LETTER_LINE_RE.match(line)
        if not m or SUBJECT_RE.match(line):
            i += 1
            continue
        if re.match(r"^\s*REF(?:S|TEL|TELS)?\s+[A-Z]\s*[:.)]", line, re.I):
            first = re.sub(r"^\s*REF\w*\s+", "", line.strip(), flags=re.I)
        else:
            first = m.group("ref")
        parts = [first]
        j = i + 1
        while j < len(lines):
            nxt = lines[j]
            if PAGE_LINE_RE.match(nxt) or _TRAILER_RE.match(nxt) and nxt.strip():
                j += 1
                continue
            if SECTION_LINE_RE.match(nxt + "\n"):
                j += 1
                continue
            if not nxt.strip():
                # A blank line ends the list unless the next line carries on the lettering.
                k = j + 1
                while k < len(lines) and not lines[k].strip():
                    k += 1
                if (
                    k < len(lines)
                    and _REF_CONTINUES_RE.match(lines[k])
                    and not REF_RE.match(lines[k])
                ):
                    j = k
                    continue
                break
            if (
                CLASSIFIED_BY_RE.match(nxt)
                or _PARA_RE.match(nxt)
                and not _REF_CABLE_RE.match(nxt.strip().upper())
            ):
                break
            if (
                REF_RE.match(nxt)
                or SUBJECT_RE.match(nxt)
                or EO_RE.match(nxt)
                or _REF_STOP_RE.match(nxt)
            ):
                break
            parts.append(nxt.strip())
            j += 1
        text = " ".join(parts)
        text = PAGE_LINE_RE.sub(" ", text)
        text = re.sub(
            r"\b[A-Z][A-Z ]*?\s+0{2,}\d+\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\b", " ", text
        )  # section marks run into the line
        text = re.sub(r"\s(?:UNCLASSIFIED|CONFIDENTIAL|SECRET)\s*$", "", text)
        text = re.split(r"\bCLASSIFIED BY\b", text, maxsplit=1, flags=re.I)[0]
        found.extend(RefItem(label, item, _cited(item)) for label, item in _ref_items(text))
        i = j
    return tuple(found)


def cite(items: tuple[RefItem, ...], citing_year: str) -> list[Reference]:
    """The references, each with the id of the cable it cites ("MADRID 5426" is of the citing
    cable's year unless it says its own)."""
    refs: list[Reference] = []
    for item in items:
        cable_id = None
        if item.cited and (item.cited[0] or citing_year):
            yy, station, serial = item.cited
            cable_id = make_id(int(yy or citing_year) % 100, station, serial)
        refs.append(Reference(text=item.text, cable_id=cable_id, label=item.label))
    return refs


def written_years(items: tuple[RefItem, ...]) -> list[int]:
    """The years the REF items write out ("08 STATE 81854"): a cable is no older than those."""
    return [full_year(int(item.cited[0])) for item in items if item.cited and item.cited[0]]


# Run into the line before it ("... 271458Z CLASSIFIED BY DCM EARL IRVING."), in capitals.
_INLINE_CLASSIFIED_BY_RE = re.compile(r"(?<=\s)CLASSIFIED BY:?\s+(?P<cb>[A-Z])")


# "... Win Dayton; Reason", "... Rosenblatt for reaso ns", "... LeBaron for" before the reasons.
_CB_TAIL_RE = re.compile(r"(?:[\s,;.:-]|\b(?:FOR|PER|UNDER|R ?E ?A ?S ?O ?N ?S?)\b)*$", re.I)


def read_classified_by(text: str) -> tuple[str, str]:
    """Who classified the cable, and the reasons ("1.4 (b) and (d)")."""
    m = CLASSIFIED_BY_RE.search(text) or _INLINE_CLASSIFIED_BY_RE.search(text[:3000])
    if not m:
        return "", ""
    start = m.start("cb")
    chunk = text[start : start + 600]
    block = re.split(r"\n\s*\n|\n\s*¶|\n\s*\d{1,2}\s?\.\s*\(", chunk, maxsplit=1)[0]
    block = _squash(block)
    r = REASONS_RE.search(block)
    if not r:
        return block, ""
    reasons = re.sub(r"^1\s?\.\s?([1-8])\s*", r"1.\1 ", r.group("reasons"))
    reasons = re.sub(r"\s*\(\s*", " (", reasons).replace(" )", ")")
    return _CB_TAIL_RE.sub("", block[: r.start()]) or block, _squash(reasons).strip(" .;,&/")


def clean_body_lines(text: str) -> str:
    if "PAGE " in text:
        text = PAGE_LINE_RE.sub("", text)
    if " OF " in text:
        text = SECTION_LINE_RE.sub("", text)
    return text


def read_paragraphs(text: str) -> list[Paragraph]:
    text = clean_body_lines(text)
    starts: list[re.Match[str]] = []
    last = 0
    for m in _PARA_RE.finditer(text):
        num = int(m.group("num"))
        if (
            m.group("pil")
            or num in (last + 1, last + 2)
            or (last == 0 and num <= 3 and m.group("mark"))
        ):
            if num <= last and not m.group("pil"):
                continue
            starts.append(m)
            last = num
    paragraphs: list[Paragraph] = []
    lead_end = starts[0].start() if starts else len(text)
    lead = _strip_preamble(text[:lead_end])
    if lead.strip():
        paragraphs.append(Paragraph(number=0, marking="", text=_tidy(lead)))
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
        chunk = text[m.end() : end]
        mark = re.sub(r"\s", "", m.group("mark") or "").replace("//", "/")
        paragraphs.append(Paragraph(number=int(m.group("num")), marking=mark, text=_tidy(chunk)))
    return paragraphs


def _strip_preamble(lead: str) -> str:
    """Text before paragraph 1 without the classification line, caveats and header fields.

    A field (SUBJECT, REF, Classified By...) runs on over its wrapped lines up to a blank line."""
    keep: list[str] = []
    in_field = False
    for line in lead.splitlines():
        upper = line.strip().upper()
        if not upper:
            in_field = False
            keep.append("")
            continue
        if _FIELD_START_RE.match(upper) or CLASS_LINE_RE.match(upper):
            in_field = True
            continue
        if (
            in_field
            or upper in _CAVEAT_LINES
            or PAGE_LINE_RE.match(upper)
            or _CORRECTED_RE.match(upper)
        ):
            continue
        keep.append(line)
    return "\n".join(keep)


_FIELD_START_RE = re.compile(
    r"^\s*(?:SUBJ(?:ECT)?\b|REF(?:S|TEL|TELS)?\b|CLASSIFIED\s+BY|TAGS\b|E\s?\.?\s?O\s?\.?\s*1\d{4}|"
    r"THIS RECORD IS A PARTIAL EXTRACT)"
)
_CORRECTED_RE = re.compile(r"^(?:C O R R E C T E D|CORRECTED COPY)")
_CAVEAT_LINES = {
    "SIPDIS", "SENSITIVE", "NOFORN", "SENSITIVE SIPDIS", "SENSITIVE,SIPDIS", "EXDIS", "NODIS",
    "LIMDIS", "C O R R E C T E D C O P Y", "CORRECTED COPY", "SENSITIVE BUT UNCLASSIFIED",
    "DEA SENSITIVE",
}  # fmt: skip


def _tidy(text: str) -> str:
    lines = [ln.rstrip() for ln in text.splitlines()]
    lines = [ln for ln in lines if not _TRAILER_RE.match(ln) and ln.strip() != "SIPDIS"]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_SIGNER_ALONE = re.compile(r"[A-Z][A-Za-z'’.-]+(?:\s[A-Z][A-Za-z'’.-]+){0,2}")
_SIGNER_TAIL = re.compile(r"[.!?\"”)]\s+([A-Z][A-Za-z'’-]+(?:\s[A-Z][A-Za-z'’.-]+){0,2})\s*$")
_NOT_SIGNERS = {"END SUMMARY", "END COMMENT", "UNCLASSIFIED", "CLASSIFIED", "SIPDIS", "END TEXT"}


def read_signer(text: str) -> str:
    """The name closing the cable: on a line of its own, or pasted after the last sentence."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    while lines and (_TRAILER_RE.match(lines[-1]) or lines[-1] in ("SIPDIS", "NOFORN")):
        lines.pop()
    if not lines:
        return ""
    last = lines[-1]
    candidate = ""
    if _SIGNER_ALONE.fullmatch(last):
        candidate = last
    else:
        m = _SIGNER_TAIL.search(last)
        if m:
            candidate = m.group(1)
    if candidate and candidate.upper().rstrip(".") not in _NOT_SIGNERS and len(candidate) < 40:
        return candidate
    return ""


def read_eo(lines: Sequence[str]) -> tuple[str, str]:
    """The E.O. number and the declassification date or instruction ("10/18/2017", "N/A")."""
    for line in lines[:80]:
        m = EO_RE.match(line)
        if not m:
            m = re.search(
                r"\bE\s?\.?\s?O\s?\.?\s*(?P<eo>1\d{4})\b\s*[:;.]?\s*(?P<rest>[^\n]*)$", line, re.I
            )
            if not m:
                continue
        rest = re.split(r"\bTAGS\b", m.group("rest"), maxsplit=1, flags=re.I)[0].strip()
        d = re.search(r"\bDECL\s*[:;.]?\s*(\S+(?:\s\S+)?)", rest, re.I)
        if d:
            value = d.group(1).strip(" ,;")
            value = value.split()[0] if re.match(r"^[\d/.-]+\s", value) else value
            return m.group("eo"), value.strip(" ,;.")
        return m.group("eo"), rest.strip(" ,;.")
    return "", ""


# Words of a line that holds only caveats ("SENSITIVE", "NOFORN", "C O R R E C T E D COPY").
_CAVEAT_LINE_WORDS = frozenset(
    {
        "SIPDIS", "NOFORN", "SENSITIVE", "EXDIS", "NODIS", "LIMDIS", "STADIS", "NOCONTRACT",
        "ORCON", "PROPIN", "SBU", "FOUO", "CXNET", "EFTO", "DEPT", "CORRECTED", "COPY", "FOR",
        "OFFICIAL", "USE", "ONLY", "BUT", "UNCLASSIFIED", "NOF", "NOFOR", "CODEL", "DEA",
        "C", "O", "R", "E", "T", "D", "P", "Y",
    }
)  # fmt: skip
# "NOFORN, NOT FOR INTERNET DISTRIBUTION": a caveat opening a line of its own.
_CAVEAT_OPENING_RE = re.compile(r"^(NOFORN|SENSITIVE|EXDIS|NODIS|LIMDIS)\b\s*[,;:]")


def read_caveats(lines: Sequence[str]) -> tuple[str, ...]:
    """Caveat lines between the classification line and the E.O./TAGS lines."""
    caveats: list[str] = []
    for line in lines[:40]:
        upper = line.strip().upper()
        if EO_RE.match(upper) or TAGS_RE.match(upper) or SUBJECT_RE.match(upper):
            break
        if not upper or len(upper) > 60:
            continue
        words = [w for w in re.split(r"[\s,/]+", upper) if w]
        if words and all(w in _CAVEAT_LINE_WORDS for w in words):
            for cav in _CAVEAT_RE.findall(upper):
                _add_caveat(caveats, cav)
        elif m := _CAVEAT_OPENING_RE.match(upper):
            _add_caveat(caveats, m.group(1))
    return tuple(caveats)
