"""The query language, read into a small tree that any backend can compile.

Grammar (docs/search.md is the user's version)::

    query   := or
    or      := and ( "OR" and )*
    and     := unary ( ["AND"] unary )*          # words next to each other must all match
    unary   := ("NOT" | "-") unary | "+"? atom
    atom    := "(" query ")" | field ":" value | '"' phrase '"' ["~" N] | ["="] word | prefix*
             | citation                          # 07MOSCOW5100, 07 MOSCOW 5100, MOSCOW 5100

Citations, TAGS names in code fields and the name variants (search/data/variants.csv) are
recognised here, so every engine compiles the same tree.

The parser never raises: whatever cannot be read as syntax is read as words, and every such
repair is recorded in ``Parsed.notes`` so the response can say how the query was understood.
"""

from __future__ import annotations

import calendar
import csv
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from cables.parsing.ids import full_year
from cables.parsing.tagsdict import load_tags

# Query field name -> canonical field. ``None`` means the text (subject and paragraphs).
FIELDS: dict[str, str] = {
    "subject": "subject",
    "text": "text",
    "body": "text",
    "tag": "tag",
    "tags": "tag",
    "country": "country",
    "program": "program",
    "org": "org",
    "person": "person",
    "origin": "origin",
    "classification": "classification",
    "class": "classification",
    "id": "id",
    "year": "year",
    "after": "after",
    "before": "before",
    "from": "from",  # a date: an alias of after:
    "to": "to",  # a date: an alias of before:; any other value: addressee:
    "addressee": "addressee",
    "signer": "signer",
    "marking": "marking",
    "anomaly": "anomaly",
}
CODE_FIELDS = ("tag", "country", "program", "org")  # exact TAGS codes, upper-cased
# Matched exactly, never as words: ids, TAGS codes and the anomaly codes ("header-body").
EXACT_FIELDS = ("id", "anomaly", *CODE_FIELDS)
# Analysed words
WORD_FIELDS = ("subject", "text", "person", "origin", "classification", "addressee", "signer")
DATE_FIELDS = ("after", "before", "from", "to")
# TAGS dictionary kinds a code field accepts names of (None: any kind).
_FIELD_KINDS: dict[str, tuple[str, ...] | None] = {
    "tag": None,
    "country": ("geo",),
    "program": ("program",),
    "org": ("organization",),
}
DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_SLOP = 50  # "words"~N: a larger N reads as this
MAX_DEPTH = 16  # deeper parentheses are read as plain text (keeps recursion bounded)
MAX_CLAUSES = 64  # words beyond this are ignored (and said so): bounds the query cost

CABLE_ID_RE = re.compile(r"^\d{2}[A-Z][A-Z0-9]*?\d+$|^\d+[A-Z]+\d+$", re.I)
# A citation in one token: "07MOSCOW5100", "07moscow005100" (year, station letters, serial).
_ID_TOKEN_RE = re.compile(r"^(\d{2})([A-Z]+?)0*(\d{1,6})$", re.I)
_STATION_YEAR_RE = re.compile(r"^(\d{2})([A-Z]+)\*$", re.I)  # 06MOSCOW*: a station's year
_SERIAL_RE = re.compile(r"^\d{1,6}$")
_YY_RE = re.compile(r"^\d{2}$")
_YEAR_RE = re.compile(r"^(\d{4})(?:\s*(?:-|\.\.)\s*(\d{4}))?$")
_TOKEN_RE = re.compile(
    r"""
    (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<field>[A-Za-z]+):(?=\S)
  | (?P<emptyfield>[A-Za-z]+):
  | (?P<near>"[^"]*"~\d+)
  | (?P<phrase>"[^"]*"?)
  | (?P<minus>-)(?=[^\s-])
  | (?P<plus>\+)(?=[^\s+])
  | (?P<word>[^\s()"]+)
    """,
    re.X,
)


# -- the tree ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    pass


@dataclass(frozen=True, slots=True)
class Word(Node):
    field: str  # "any" (subject or text), or a canonical field
    text: str
    prefix: bool = False
    exact: bool = False  # typed "=word": no name variants


@dataclass(frozen=True, slots=True)
class Phrase(Node):
    field: str
    text: str


@dataclass(frozen=True, slots=True)
class Near(Node):
    """``"words"~N``: every word, in any order, within N positions of the next one in one
    paragraph (or the subject). A phrase is the same words with no gap, in order."""

    field: str
    text: str
    slop: int


@dataclass(frozen=True, slots=True)
class Cite(Node):
    """A cable cited as cables print it: ``07MOSCOW5100``, ``07 MOSCOW 5100``, ``MOSCOW 5100``.

    Matches the cable(s) with that id (``year`` None: that station and serial in every year),
    which rank first, or whatever ``words`` (the tokens as typed) match.
    """

    station: str  # station key, "MOSCOW", "BUENOSAIRES"
    serial: str  # without leading zeros
    year: str | None  # two digits
    words: Node | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        if self.year is not None:
            return (f"{self.year}{self.station}{self.serial}",)
        return tuple(f"{yy:02d}{self.station}{self.serial}" for yy in range(100))


@dataclass(frozen=True, slots=True)
class Marking(Node):
    """``marking:S``: the text words of the query match only in paragraphs with this marking
    (``S`` also takes ``S/NF``; ``S/NF`` only that). A filter on its own: a cable with such a
    paragraph."""

    code: str


@dataclass(frozen=True, slots=True)
class DateRange(Node):
    """Cables dated start..end inclusive (either side open)."""

    start: date | None
    end: date | None
    label: str = ""


@dataclass(frozen=True, slots=True)
class Not(Node):
    child: Node


@dataclass(frozen=True, slots=True)
class And(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Parsed:
    tree: Node | None  # None: the query asks for nothing in particular (browse everything)
    notes: tuple[str, ...] = field(default=())

    @property
    def understood(self) -> str:
        text = render(self.tree) if self.tree is not None else ""
        if self.notes:
            text = (text + " " if text else "") + "(" + "; ".join(self.notes) + ")"
        return text

    @property
    def marking(self) -> str | None:
        """The paragraph marking the text words must match in, if the query names one."""
        return marking_of(self.tree)


# -- the shipped tables ------------------------------------------------------------------------


@cache
def stations() -> frozenset[str]:
    """Station keys of the releases ("MOSCOW", "BUENOSAIRES", "STATE"): a word followed by a
    number reads as a citation only when it names one of them."""
    lines = (DATA_DIR / "stations.txt").read_text(encoding="utf-8").split()
    return frozenset(line.strip().upper() for line in lines if line.strip())


@cache
def variants() -> dict[str, tuple[str, ...]]:
    """Spelling (lower case) -> every spelling of the same name, the table's order."""
    out: dict[str, tuple[str, ...]] = {}
    with (DATA_DIR / "variants.csv").open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(line for line in handle if not line.startswith("#"))
        for row in rows:
            group = tuple(dict.fromkeys(" ".join(v.split()).lower() for v in row if v.strip()))
            for spelling in group:
                out[spelling] = group
    return out


def _name_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


@cache
def _names(kinds: tuple[str, ...] | None) -> dict[str, str]:
    """Normalised TAGS name -> code, for the codes of these kinds."""
    out: dict[str, str] = {}
    for code, info in load_tags().items():
        if info.name and (kinds is None or info.kind in kinds):
            out.setdefault(_name_key(info.name), code)
    return out


def _closest_codes(fieldname: str, value: str, n: int = 3) -> list[str]:
    kinds = _FIELD_KINDS[fieldname]
    tags = load_tags()
    names = _names(kinds)
    codes = [c for c, info in tags.items() if kinds is None or info.kind in kinds]
    found = [names[k] for k in difflib.get_close_matches(_name_key(value), names, n, 0.6)]
    found += difflib.get_close_matches(value.upper(), codes, n, 0.5)
    found = list(dict.fromkeys(found))[:n]
    return [f"{c} ({tags[c].name})" if tags[c].name else c for c in found]


# -- parsing -----------------------------------------------------------------------------------


def _tokens(q: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "word", m.group()) for m in _TOKEN_RE.finditer(q)]


def _date_problem(raw: str) -> str:
    """Why ``raw`` is not a date, in one sentence."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", raw.strip())
    if not m:
        return "dates are written YYYY, YYYY-MM or YYYY-MM-DD"
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if month and not 1 <= int(month) <= 12:
        return "months run from 01 to 12"
    if day and month:
        mo = int(month)
        nxt = date(year + mo // 12, mo % 12 + 1, 1)
        last = date.fromordinal(nxt.toordinal() - 1).day
        return f"{calendar.month_name[mo]} {year} has {last} days"
    return "dates are written YYYY, YYYY-MM or YYYY-MM-DD"


def _quoted(text: str) -> str:
    return f'"{text}"' if " " in text else text


def _looks_like_date(raw: str) -> bool:
    return bool(re.fullmatch(r"\d{4}(?:-\d{1,2}){0,2}", raw.strip()))


def _parse_date(raw: str, *, end: bool) -> date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD; the end of a range takes the last day of the period."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", raw.strip())
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day:
            return date(year, int(month), int(day))
        if month:
            mo = int(month)
            if not 1 <= mo <= 12:
                return None
            if not end:
                return date(year, mo, 1)
            nxt = date(year + mo // 12, mo % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(year, 12, 31) if end else date(year, 1, 1)
    except ValueError:
        return None


def _citations(toks: list[tuple[str, str]]) -> list[tuple[str, object]]:
    """Tokens with each citation written over several words (``07 MOSCOW 5100``,
    ``BUENOS AIRES 2481``) merged into one ("cite", (year, station, serial, text)) token."""
    out: list[tuple[str, object]] = []
    i = 0
    known = stations()
    while i < len(toks):
        kind, text = toks[i]
        after_field = bool(out) and out[-1][0] == "field"
        if kind != "word" or after_field:
            out.append((kind, text))
            i += 1
            continue
        year = text if _YY_RE.match(text) else None
        start = i + 1 if year else i
        found = None
        # The longest run of 1-4 words naming a station, then a serial.
        for n in range(min(4, len(toks) - start - 1), 0, -1):
            words = toks[start : start + n]
            serial = toks[start + n]
            if any(k != "word" or not w.isalpha() for k, w in words) or serial[0] != "word":
                continue
            if not _SERIAL_RE.match(serial[1]):
                continue
            key = "".join(w for _, w in words).upper()
            # A station the releases know, or any one word when the citation is unmistakable:
            # a year before it, or a serial zero-padded as cables print it (MOSCOW 005100).
            if key in known or (n == 1 and (year or len(serial[1]) == 6)):
                found = (n, key, serial[1])
                break
        if found is None:
            out.append((kind, text))
            i += 1
            continue
        n, key, serial = found
        end = start + n + 1
        typed = " ".join(w for _, w in toks[i:end])
        out.append(("cite", (year, key, serial.lstrip("0") or "0", typed)))
        i = end
    return out


class _Parser:
    def __init__(self, q: str) -> None:
        self.toks = _citations(_tokens(q))
        self.i = 0
        self.notes: list[str] = []
        self.clauses = 0
        self.depth = 0

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def peek(self) -> tuple[str, object] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def is_op(self, name: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "word" and tok[1] == name

    def parse(self) -> Parsed:
        nodes: list[Node] = []
        while self.peek() is not None:
            node = self.parse_or()
            if node is not None:
                nodes.append(node)
            if self.peek() is not None and self.peek()[0] == "rparen":
                self.note("ignored a ')' that closes nothing")
                self.i += 1
        tree = _simplify(And(tuple(nodes))) if nodes else None
        return Parsed(tree, tuple(self.notes))

    def parse_or(self) -> Node | None:
        parts: list[Node] = []
        left = self.parse_and()
        if left is not None:
            parts.append(left)
        while self.is_op("OR") or self.is_op("|"):
            op = self.peek()[1]
            self.i += 1
            right = self.parse_and()
            if right is None:
                self.note(f"ignored {op} at the end: it needs words on both sides")
                continue
            if not parts:
                self.note(f"ignored {op} at the start: it needs words on both sides")
            parts.append(right)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node | None:
        parts: list[Node] = []
        while True:
            tok = self.peek()
            if tok is None or tok[0] == "rparen" or self.is_op("OR") or self.is_op("|"):
                break
            if self.is_op("AND") or self.is_op("&&"):
                op = tok[1]
                self.i += 1
                nxt = self.peek()
                if not parts:
                    self.note(f"ignored {op} at the start: it needs words on both sides")
                elif nxt is None or nxt[0] == "rparen":
                    self.note(f"ignored {op} at the end: it needs words on both sides")
                continue
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self) -> Node | None:
        tok = self.peek()
        assert tok is not None
        if tok[0] == "minus" or self.is_op("NOT"):
            self.i += 1
            if self.peek() is None or self.peek()[0] == "rparen" or self.is_op("OR"):
                self.note(f"ignored a lone {tok[1]}: it needs a word right after it")
                return None
            child = self.parse_unary()
            if child is None:
                return None
            return child.child if isinstance(child, Not) else Not(child)
        if tok[0] == "plus":
            self.i += 1
            return self.parse_unary() if self.peek() is not None else None
        return self.parse_atom()

    def parse_atom(self) -> Node | None:
        kind, text = self.toks[self.i]
        self.i += 1
        if kind == "cite":
            return self.make_cite(*text)  # type: ignore[misc]
        if kind == "lparen":
            if self.depth >= MAX_DEPTH:
                self.note("ignored parentheses nested too deeply")
                return None
            self.depth += 1
            inner = self.parse_or()
            self.depth -= 1
            if self.peek() is not None and self.peek()[0] == "rparen":
                self.i += 1
            else:
                self.note("closed an unmatched '('")
            return inner
        if kind in ("field", "emptyfield"):
            return self.parse_field(text[:-1], glued=kind == "field")
        if kind == "phrase":
            return self.make_phrase("any", text)
        if kind == "near":
            return self.make_near("any", text)
        if kind in ("minus", "plus"):
            return None
        return self.make_word("any", text)

    def parse_field(self, name: str, *, glued: bool) -> Node | None:
        canonical = FIELDS.get(name.lower())
        tok = self.peek()
        if tok is None or not glued or tok[0] in ("lparen", "rparen"):
            if canonical is None:
                return self.make_word("any", name)
            self.note(f"ignored '{name}:' with nothing after it: write the value right after")
            return None
        if tok[0] == "cite":  # a field's value is never a citation: read its words back
            self._uncite()
            tok = self.peek()
        self.i += 1
        value = str(tok[1])
        if canonical is None:
            known = ", ".join(f"{f}:" for f in dict.fromkeys(FIELDS.values()) if f != "from")
            self.note(f"unknown field '{name}:' read as words (the fields are {known})")
            first = self.make_word("any", name)
            second = (
                self.make_phrase("any", value)
                if tok[0] in ("phrase", "near")
                else self.make_word("any", value)
            )
            nodes = tuple(n for n in (first, second) if n is not None)
            return And(nodes) if len(nodes) > 1 else (nodes[0] if nodes else None)
        if tok[0] == "near":
            return self.make_near(canonical, value)
        if tok[0] == "phrase":
            return self.make_phrase(canonical, value)
        return self.make_word(canonical, value)

    def _uncite(self) -> None:
        """Split the citation token at self.i back into its words (after a field name)."""
        typed = self.toks[self.i][1][3]  # type: ignore[index]
        self.toks[self.i : self.i + 1] = [("word", w) for w in str(typed).split()]

    def count(self) -> bool:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            self.note(f"ignored words after the first {MAX_CLAUSES}")
            return False
        return True

    def make_cite(self, year: str | None, station: str, serial: str, typed: str) -> Node | None:
        words = [self.make_word("any", w, cite=False) for w in typed.split()]
        kept = tuple(w for w in words if w is not None)
        inner = None if not kept else (kept[0] if len(kept) == 1 else And(kept))
        cite = Cite(station, serial, year, inner)
        if year is not None:
            self.note(f"{typed} is the cable {cite.ids[0]}: it comes first")
        else:
            self.note(
                f"{typed} is a citation: cable {serial} of {station}, every year's, comes first"
            )
        return cite

    def make_near(self, fieldname: str, raw: str) -> Node | None:
        quoted, _, slop = raw.rpartition("~")
        n = min(int(slop), MAX_SLOP)
        if int(slop) > MAX_SLOP:
            self.note(f"read ~{slop} as ~{MAX_SLOP}")
        text = " ".join(quoted.strip('"').split())
        if fieldname not in ("any", "subject", "text") or " " not in text:
            return self.make_phrase(fieldname, quoted)
        if not self.count():
            return None
        return Phrase(fieldname, text) if n == 0 else Near(fieldname, text, n)

    def make_phrase(self, fieldname: str, raw: str) -> Node | None:
        if raw.startswith('"') and (len(raw) == 1 or not raw.endswith('"')):
            self.note('closed an unmatched "')
        text = " ".join(raw.strip('"').split())
        if not text:
            return None
        if fieldname in ("year", "marking", *DATE_FIELDS, *EXACT_FIELDS):
            return self.make_word(fieldname, text)
        if not self.count():
            return None
        if " " not in text:
            return self.with_variants(Word(fieldname, text))
        return self.with_variants(Phrase(fieldname, text))

    def make_date(self, fieldname: str, text: str) -> Node | None:
        if fieldname in ("from", "to") and not _looks_like_date(text):
            if fieldname == "to":  # to:SECSTATE is an addressee
                return self.make_word("addressee", text)
            self.note(
                f"ignored from:{text}: from: takes a date (YYYY, YYYY-MM or YYYY-MM-DD); "
                f"the sender is origin:{text}"
            )
            return None
        end = fieldname in ("to", "before")
        d = _parse_date(text, end=end)
        if d is None:
            self.note(f"ignored {fieldname}:{text}: {_date_problem(text)}")
            return None
        if end:
            return DateRange(None, d, f"{fieldname}:{d.isoformat()}")
        return DateRange(d, None, f"{fieldname}:{d.isoformat()}")

    def make_code(self, fieldname: str, text: str) -> Node | None:
        """A TAGS code, or a name of one (``country:japan`` is JA), else the value as typed
        with a hint at the closest codes."""
        value = " ".join(text.split()).upper()
        prefix = value.endswith("*")
        core = value.rstrip("*").replace("*", "").replace("?", "")
        if not core:
            self.note(f"ignored '{fieldname}:{text}'")
            return None
        if prefix or core in load_tags():
            return Word(fieldname, core, prefix)
        code = _names(_FIELD_KINDS[fieldname]).get(_name_key(core))
        if code is not None:
            self.note(f"{fieldname}:{_quoted(text)} is the code {code}")
            if " " in core:  # a free-word tag such as "HUMAN RIGHTS" is searched as well
                return Or((Word(fieldname, code), Word(fieldname, core)))
            return Word(fieldname, code)
        closest = _closest_codes(fieldname, core)
        hint = f"; closest: {', '.join(closest)}" if closest else ""
        self.note(f"{fieldname}:{_quoted(text)} is no code or name in the TAGS dictionary{hint}")
        return Word(fieldname, core)

    def make_word(self, fieldname: str, text: str, *, cite: bool = True) -> Node | None:
        if fieldname == "year":
            m = _YEAR_RE.match(text)
            if not m:
                self.note(f"ignored year:{text} (not a year)")
                return None
            lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
            lo, hi = min(lo, hi), max(lo, hi)
            label = f"year:{lo}" if lo == hi else f"year:{lo}-{hi}"
            return DateRange(date(lo, 1, 1), date(hi, 12, 31), label)
        if fieldname in DATE_FIELDS:
            return self.make_date(fieldname, text)
        if fieldname == "marking":
            code = re.sub(r"[^A-Z/]", "", text.upper())
            if not code:
                self.note(f"ignored marking:{text}: markings are S, C, U, SBU, S/NF...")
                return None
            return Marking(code)
        if not self.count():
            return None
        if fieldname in CODE_FIELDS:
            return self.make_code(fieldname, text)
        exact = False
        if fieldname in ("any", "subject", "text") and text.startswith("=") and len(text) > 1:
            text, exact = text[1:], True
        if fieldname == "id":
            text = text.upper()
        elif fieldname == "anomaly":
            text = text.lower()
        elif fieldname == "any" and cite and not exact:
            m = _STATION_YEAR_RE.match(text)
            if m:
                yy = int(m.group(1))
                station = m.group(2).upper()
                self.note(f"{text} lists the cables of {station} from {full_year(yy)}")
                return Word("id", f"{m.group(1)}{station}", prefix=True)
            m = _ID_TOKEN_RE.match(text)
            if m:
                self.clauses -= 1  # make_cite counts the words
                return self.make_cite(m.group(1), m.group(2).upper(), m.group(3), text)
        prefix = text.endswith("*") and len(text.rstrip("*")) > 0
        core = text.rstrip("*") if prefix else text
        if "*" in core or "?" in core:
            core = core.replace("*", "").replace("?", "")
        if not core:
            self.note(f"ignored '{text}'")
            return None
        if prefix and fieldname not in EXACT_FIELDS and len(core) < 2:
            self.note(f"read '{text}' as the word '{core}' (prefixes need 2 letters)")
            prefix = False
        word = Word(fieldname, core, prefix, exact)
        return word if exact or prefix else self.with_variants(word)

    def with_variants(self, node: Word | Phrase) -> Node:
        """A name with transliteration variants also searches them (``=name``: not)."""
        if node.field not in ("any", "subject", "text"):
            return node
        group = variants().get(node.text.lower())
        if not group:
            return node
        others = [v for v in group if v != node.text.lower()]
        self.note(f"{node.text} also searched as {', '.join(others)} (={node.text}: not)")
        return Or(
            tuple(
                (Phrase if " " in v or "-" in v else Word)(node.field, v)  # type: ignore[misc]
                if v != node.text.lower()
                else node
                for v in group
            )
        )


def _simplify(node: Node) -> Node:
    """Flatten nested And/Or of the same kind, and unwrap single children."""
    if isinstance(node, (And, Or)):
        kids: list[Node] = []
        for child in node.children:
            child = _simplify(child)
            if type(child) is type(node):
                kids.extend(child.children)  # type: ignore[attr-defined]
            else:
                kids.append(child)
        kids = list(dict.fromkeys(kids))
        return kids[0] if len(kids) == 1 else type(node)(tuple(kids))
    if isinstance(node, Not):
        return Not(_simplify(node.child))
    return node


def parse(q: str) -> Parsed:
    """Read a query string. Never raises."""
    try:
        return _Parser(q or "").parse()
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps this out of reach
        words = tuple(Word("any", w) for w in re.findall(r"\w+", q)[:MAX_CLAUSES])
        return Parsed(And(words) if words else None, ("read as plain words",))


# -- rendering ---------------------------------------------------------------------------------


def render(node: Node, top: bool = True) -> str:
    """The tree in the query language itself, fully explicit (AND, OR, NOT, quotes)."""
    if isinstance(node, Word):
        prefix = "" if node.field == "any" else f"{node.field}:"
        text = f'"{node.text}"' if " " in node.text else node.text
        return f"{prefix}{'=' if node.exact else ''}{text}{'*' if node.prefix else ''}"
    if isinstance(node, Phrase):
        prefix = "" if node.field == "any" else f"{node.field}:"
        return f'{prefix}"{node.text}"'
    if isinstance(node, Near):
        prefix = "" if node.field == "any" else f"{node.field}:"
        return f'{prefix}"{node.text}"~{node.slop}'
    if isinstance(node, Cite):
        return node.ids[0] if node.year is not None else f"{node.station} {node.serial}"
    if isinstance(node, Marking):
        return f"marking:{node.code}"
    if isinstance(node, DateRange):
        if node.label:
            return node.label
        parts = []
        if node.start:
            parts.append(f"after:{node.start.isoformat()}")
        if node.end:
            parts.append(f"before:{node.end.isoformat()}")
        return " AND ".join(parts)
    if isinstance(node, Not):
        return "NOT " + render(node.child, top=False)
    if isinstance(node, (And, Or)):
        sep = " AND " if isinstance(node, And) else " OR "
        inner = sep.join(render(c, top=False) for c in node.children)
        return inner if top else f"({inner})"
    return ""


def positive_words(node: Node | None, negated: bool = False) -> list[Word | Phrase]:
    """The text words and phrases that make a cable match (for highlighting, suggestions).
    A ``~N`` group gives its words one by one; a citation the words typed."""
    if node is None:
        return []
    if isinstance(node, (Word, Phrase)):
        return [] if negated else [node]
    if isinstance(node, Near):
        return [] if negated else [Word(node.field, w) for w in node.text.split()]
    if isinstance(node, Cite):
        return positive_words(node.words, negated)
    if isinstance(node, Not):
        return positive_words(node.child, not negated)
    if isinstance(node, (And, Or)):
        out: list[Word | Phrase] = []
        for child in node.children:
            out.extend(positive_words(child, negated))
        return out
    return []


def marking_of(node: Node | None) -> str | None:
    """The marking a query's top level names (``marking:S iran``), if any."""
    if isinstance(node, Marking):
        return node.code
    if isinstance(node, And):
        for child in node.children:
            if isinstance(child, Marking):
                return child.code
    return None


def marking_codes(markings: tuple[str, ...] | list[str]) -> list[str]:
    """Every marking a cable's paragraphs carry and its level alone ("S/NF" and "S"), each
    once: what ``marking:S`` alone asks a cable to hold."""
    held: dict[str, None] = {}
    for marking in markings:
        code = re.sub(r"[^A-Z/]", "", marking.upper())
        if code:
            held[code] = None
            held[code.split("/")[0]] = None
    return list(held)


def marking_matches(wanted: str, marking: str) -> bool:
    """Whether a paragraph marked ``marking`` ("S/NF", "(C)") is one ``marking:wanted`` asks
    for: the same marking, or the same level when ``wanted`` names a level alone."""
    have = re.sub(r"[^A-Z/]", "", marking.upper())
    return have == wanted or ("/" not in wanted and have.split("/")[0] == wanted)


# -- did you mean ------------------------------------------------------------------------------

# Query fields whose words a spelling suggestion may correct.
_CORRECTABLE_FIELDS = ("subject", "text", "body")
_OPERATORS = frozenset({"AND", "OR", "NOT", "|", "&&"})


def _spans(q: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of every word of ``q`` a suggestion may replace: words searched in
    the text, inside phrases too; never a field name, an operator, a code, an id, a citation,
    a prefix* or an =exact word."""
    out: list[tuple[int, int, str]] = []
    matches = list(_TOKEN_RE.finditer(q))
    for i, m in enumerate(matches):
        kind, text = m.lastgroup, m.group()
        prev = matches[i - 1] if i else None
        in_field = prev is not None and prev.lastgroup == "field" and prev.end() == m.start()
        if in_field and prev.group()[:-1].lower() not in _CORRECTABLE_FIELDS:
            continue
        if kind in ("phrase", "near"):
            for w in re.finditer(r"[^\s\"~]+", text):
                if w.group().isalpha():
                    out.append((m.start() + w.start(), m.start() + w.end(), w.group()))
        elif kind == "word" and text not in _OPERATORS and text.isalpha():
            nxt = matches[i + 1] if i + 1 < len(matches) else None
            # "foo" of an unknown "foo:" is a field name as typed: never rewritten.
            if nxt is not None and nxt.start() == m.end() and nxt.group().startswith(":"):
                continue
            out.append((m.start(), m.end(), text))
    cites = {
        w.lower()
        for kind, value in _citations(_tokens(q))
        if kind == "cite"
        for w in value[3].split()  # type: ignore[index]
    }
    return [s for s in out if s[2].lower() not in cites]


def correctable_words(q: str) -> list[str]:
    """The words of ``q`` a spelling suggestion may replace, in order (see replace_words)."""
    return list(dict.fromkeys(w for _, _, w in _spans(q)))


def replace_words(q: str, replacements: Mapping[str, str]) -> str:
    """``q`` with each correctable word (case-insensitive) replaced as ``replacements`` says,
    everything else kept as typed: the did-you-mean query, which also goes in the box."""
    wanted = {k.lower(): v for k, v in replacements.items()}
    out, last = [], 0
    for start, end, word in _spans(q):
        new = wanted.get(word.lower())
        if new is not None:
            out.append(q[last:start] + new)
            last = end
    out.append(q[last:])
    return "".join(out)
