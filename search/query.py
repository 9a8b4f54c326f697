"""The query language, read into a small tree that any backend can compile.

Grammar (docs/search.md is the user's version)::

    query   := or
    or      := and ( "OR" and )*
    and     := unary ( ["AND"] unary )*          # words next to each other must all match
    unary   := ("NOT" | "-") unary | "+"? atom
    atom    := "(" query ")" | field ":" value | '"' phrase '"' | word | prefix*

The parser never raises: whatever cannot be read as syntax is read as words, and every such
repair is recorded in ``Parsed.notes`` so the response can say how the query was understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

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
    "from": "from",
    "to": "to",
    "anomaly": "anomaly",
}
CODE_FIELDS = ("tag", "country", "program", "org")  # exact TAGS codes, upper-cased
# Matched exactly, never as words: ids, TAGS codes and the anomaly codes ("header-body").
EXACT_FIELDS = ("id", "anomaly", *CODE_FIELDS)
WORD_FIELDS = ("subject", "text", "person", "origin", "classification")  # analysed words
MAX_DEPTH = 16  # deeper parentheses are read as plain text (keeps recursion bounded)
MAX_CLAUSES = 64  # words beyond this are ignored (and said so): bounds the query cost

CABLE_ID_RE = re.compile(r"^\d{2}[A-Z][A-Z0-9]*?\d+$|^\d+[A-Z]+\d+$", re.I)
_YEAR_RE = re.compile(r"^(\d{4})(?:\s*(?:-|\.\.)\s*(\d{4}))?$")
_TOKEN_RE = re.compile(
    r"""
    (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<field>[A-Za-z]+):(?=\S)
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


@dataclass(frozen=True, slots=True)
class Phrase(Node):
    field: str
    text: str


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


# -- parsing -----------------------------------------------------------------------------------


def _tokens(q: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "word", m.group()) for m in _TOKEN_RE.finditer(q)]


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
            if not end:
                return date(year, mo, 1)
            nxt = date(year + mo // 12, mo % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(year, 12, 31) if end else date(year, 1, 1)
    except ValueError:
        return None


class _Parser:
    def __init__(self, q: str) -> None:
        self.toks = _tokens(q)
        self.i = 0
        self.notes: list[str] = []
        self.clauses = 0
        self.depth = 0

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def peek(self) -> tuple[str, str] | None:
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
                self.note("ignored an unmatched ')'")
                self.i += 1
        tree = _simplify(And(tuple(nodes))) if nodes else None
        return Parsed(tree, tuple(self.notes))

    def parse_or(self) -> Node | None:
        parts: list[Node] = []
        left = self.parse_and()
        if left is not None:
            parts.append(left)
        while self.is_op("OR") or self.is_op("|"):
            self.i += 1
            right = self.parse_and()
            if right is None:
                self.note("ignored a lone OR")
                continue
            if not parts:
                self.note("ignored a lone OR")
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
                self.i += 1
                if not parts:
                    self.note("ignored a lone AND")
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
                self.note(f"ignored a lone {tok[1]}")
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
        if kind == "field":
            return self.parse_field(text[:-1])
        if kind == "phrase":
            return self.make_phrase("any", text)
        if kind in ("minus", "plus"):
            return None
        return self.make_word("any", text)

    def parse_field(self, name: str) -> Node | None:
        canonical = FIELDS.get(name.lower())
        tok = self.peek()
        if tok is None:
            return None
        if tok[0] in ("lparen", "rparen"):
            if canonical is None:
                return self.make_word("any", name)
            self.note(f"ignored '{name}:' without a value")
            return None
        self.i += 1
        value = tok[1]
        if canonical is None:
            self.note(f"unknown field '{name}:' read as words")
            first = self.make_word("any", name)
            second = (
                self.make_phrase("any", value)
                if tok[0] == "phrase"
                else self.make_word("any", value)
            )
            nodes = tuple(n for n in (first, second) if n is not None)
            return And(nodes) if len(nodes) > 1 else (nodes[0] if nodes else None)
        if tok[0] == "phrase":
            return self.make_phrase(canonical, value)
        return self.make_word(canonical, value)

    def count(self) -> bool:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            self.note(f"ignored words after the first {MAX_CLAUSES}")
            return False
        return True

    def make_phrase(self, fieldname: str, raw: str) -> Node | None:
        if raw.startswith('"') and (len(raw) == 1 or not raw.endswith('"')):
            self.note('closed an unmatched "')
        text = " ".join(raw.strip('"').split())
        if not text:
            return None
        if fieldname in ("year", "from", "to", *EXACT_FIELDS):
            return self.make_word(fieldname, text)
        if not self.count():
            return None
        if " " not in text:
            return Word(fieldname, text)
        return Phrase(fieldname, text)

    def make_word(self, fieldname: str, text: str) -> Node | None:
        if fieldname == "year":
            m = _YEAR_RE.match(text)
            if not m:
                self.note(f"ignored year:{text} (not a year)")
                return None
            lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
            lo, hi = min(lo, hi), max(lo, hi)
            label = f"year:{lo}" if lo == hi else f"year:{lo}-{hi}"
            return DateRange(date(lo, 1, 1), date(hi, 12, 31), label)
        if fieldname in ("from", "to"):
            d = _parse_date(text, end=fieldname == "to")
            if d is None:
                self.note(f"ignored {fieldname}:{text} (dates are YYYY-MM-DD)")
                return None
            if fieldname == "from":
                return DateRange(d, None, f"from:{d.isoformat()}")
            return DateRange(None, d, f"to:{d.isoformat()}")
        if not self.count():
            return None
        if fieldname in ("id", *CODE_FIELDS):
            text = text.upper()
        elif fieldname == "anomaly":
            text = text.lower()
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
        return Word(fieldname, core, prefix)


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
        return f"{prefix}{node.text}{'*' if node.prefix else ''}"
    if isinstance(node, Phrase):
        prefix = "" if node.field == "any" else f"{node.field}:"
        return f'{prefix}"{node.text}"'
    if isinstance(node, DateRange):
        if node.label:
            return node.label
        parts = []
        if node.start:
            parts.append(f"from:{node.start.isoformat()}")
        if node.end:
            parts.append(f"to:{node.end.isoformat()}")
        return " AND ".join(parts)
    if isinstance(node, Not):
        return "NOT " + render(node.child, top=False)
    if isinstance(node, (And, Or)):
        sep = " AND " if isinstance(node, And) else " OR "
        inner = sep.join(render(c, top=False) for c in node.children)
        return inner if top else f"({inner})"
    return ""


def positive_words(node: Node | None, negated: bool = False) -> list[Word | Phrase]:
    """The text words and phrases that make a cable match (for highlighting, suggestions)."""
    if node is None:
        return []
    if isinstance(node, (Word, Phrase)):
        return [] if negated else [node]
    if isinstance(node, Not):
        return positive_words(node.child, not negated)
    if isinstance(node, (And, Or)):
        out: list[Word | Phrase] = []
        for child in node.children:
            out.extend(positive_words(child, negated))
        return out
    return []
