"""Generate a Cablegate-sized benchmark corpus from the real sample in ../shared/corpus.

Each generated cable takes a *template* cable (origin, transmission header, classification,
TAGS, E.O. line and year stay together, so tag/origin correlations stay real), a SUBJECT from
another real cable, REF entries that cite earlier generated cables (so "cited by" has work to
do), and a real cable's paragraph count filled with paragraphs drawn from the whole sample.
Every cable gets a fresh id and date. The RNG is seeded: same seed, same corpus, byte for byte.

Output formats, both read by ``manage.py import_cables`` (so the benchmark measures the real
import path):

* ``csv``: the Cablegate ``cables.csv`` layout, 8 columns: row number, date
  ``MM/DD/YYYY HH:MM``, reference id, origin, classification, pipe-separated referenced ids,
  header, body.
* ``tar.gz``: ``cables/<ID>.txt`` plain-text cables (header, blank line, body).

Usage: ``python bench/generate.py --cables 2000 --out bench/work/cables.csv``
"""

from __future__ import annotations

import argparse
import io
import json
import lzma
import random
import re
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_DIR.parent / "shared" / "corpus"
CABLEGATE_SIZE = 251_287

_CLASS_LINE_RE = re.compile(
    r"^\s*(U\s?N\s?C\s?L\s?A\s?S|C\s?O\s?N\s?F\s?I\s?D\s?E\s?N\s?T\s?I\s?A\s?L|S\s?E\s?C\s?R\s?E\s?T"
    r"|LIMITED OFFICIAL USE)\b",
    re.IGNORECASE,
)
_ID_RE = re.compile(r"^(\d\d)([A-Z]+?)(\d+)$")
_PARA_RE = re.compile(r"^\s*¶?\s*(\d{1,3})\.\s+(?:\(([A-Z/]{1,8})\)\s*)?")
_DTG_RE = re.compile(r"^([A-Z]{1,2}(?: [A-Z])?) \d{6}Z [A-Z]{3} \d{2}\s*$")
_DE_RE = re.compile(r"^(DE \w+ #)\d+")
_TRAILING_NUMBER_RE = re.compile(r"0*\d+\s*$")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_BLOCK_STARTS = ("TAGS", "SUBJECT", "SUBJ:", "REF", "CLASSIFIED BY", "E.O.", "EO ")


@dataclass(slots=True)
class Template:
    """The parts of one real cable that are reused together."""

    city: str  # id token: "MOSCOW", "SAOPAULO"
    year: int
    origin: str  # WikiLeaks' label: "Embassy Moscow"
    classification: str  # "CONFIDENTIAL//NOFORN"
    header: list[str]
    class_line: str
    preamble: list[str]  # lines between the classification line and the TAGS line (SIPDIS...)
    tags: list[str]
    classified_by: list[str]
    numbered: bool  # paragraphs written "¶1." (True) or "1." (False)
    tag_codes: tuple[str, ...] = ()


@dataclass(slots=True)
class SourcePool:
    templates: list[Template] = field(default_factory=list)
    subjects: list[list[str]] = field(default_factory=list)
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # (marking, text)
    paragraph_counts: list[int] = field(default_factory=list)
    reference_counts: list[int] = field(default_factory=list)
    cables_read: int = 0


_TAG_SPLIT_RE = re.compile(r"[\s,;]+")


def tag_codes(lines: list[str]) -> tuple[str, ...]:
    """TAGS codes of a TAGS block, upper-cased, first occurrence kept (a quick split, not the
    app's parser: person tags such as ``OVIP (RICE, CONDOLEEZZA)`` come out in pieces)."""
    text = re.sub(r"^\s*TAGS:?", "", " ".join(lines), flags=re.IGNORECASE)
    return tuple(dict.fromkeys(c.upper() for c in _TAG_SPLIT_RE.split(text) if c))


def _block(lines: list[str], start: int) -> tuple[list[str], int]:
    """Lines from ``start`` up to the next blank line or the next header block."""
    out = [lines[start].rstrip()]
    i = start + 1
    while i < len(lines) and lines[i].strip():
        upper = lines[i].lstrip().upper()
        if upper.startswith(_BLOCK_STARTS) or _PARA_RE.match(lines[i]):
            break
        out.append(lines[i].rstrip())
        i += 1
    return out, i


def split_cable(text: str) -> dict | None:
    """Cut a plain-text cable into the parts the generator recombines (None if no TAGS line)."""
    lines = text.replace("\r\n", "\n").split("\n")
    ci = next((i for i, line in enumerate(lines) if _CLASS_LINE_RE.match(line)), None)
    if ci is None:
        return None
    ti = next(
        (i for i in range(ci, len(lines)) if lines[i].lstrip().upper().startswith("TAGS")), None
    )
    if ti is None:
        return None
    tags, end = _block(lines, ti)
    parts: dict = {
        "header": [line.rstrip() for line in lines[:ci]],
        "class_line": lines[ci].rstrip(),
        "preamble": [
            line.rstrip()
            for line in lines[ci + 1 : ti]
            if not line.lstrip().upper().startswith(("E.O", "EO "))
        ],
        "tags": tags,
        "subject": [],
        "refs": 0,
        "classified_by": [],
    }
    i = end
    first_para = None
    while i < len(lines):
        upper = lines[i].lstrip().upper()
        if _PARA_RE.match(lines[i]):
            first_para = i
            break
        if upper.startswith(("SUBJECT", "SUBJ:")) and not parts["subject"]:
            parts["subject"], i = _block(lines, i)
            continue
        if upper.startswith("REF"):
            block, i = _block(lines, i)
            parts["refs"] += max(1, len(re.findall(r"\b[A-H][.)]\s", " ".join(block))))
            continue
        if upper.startswith("CLASSIFIED BY") and not parts["classified_by"]:
            parts["classified_by"], i = _block(lines, i)
            continue
        i += 1
    paragraphs: list[tuple[str, str]] = []
    numbered = False
    if first_para is not None:
        current: list[str] = []
        marking = ""
        for line in lines[first_para:]:
            m = _PARA_RE.match(line)
            if m:
                if current:
                    paragraphs.append((marking, "\n".join(current).strip()))
                numbered = numbered or "¶" in line[: m.end()]
                marking = m.group(2) or ""
                current = [line[m.end() :].rstrip()]
            else:
                current.append(line.rstrip())
        if current:
            paragraphs.append((marking, "\n".join(current).strip()))
    parts["paragraphs"] = [p for p in paragraphs if p[1]]
    parts["numbered"] = numbered
    return parts


def _metadata(corpus: Path) -> dict[str, dict]:
    with lzma.open(corpus / "metadata.jsonl.xz", "rt", encoding="utf-8") as fh:
        return {row["id"]: row for row in map(json.loads, fh)}


def load_pool(corpus: Path = DEFAULT_CORPUS) -> SourcePool:
    """Read every real plain-text cable of the shared sample into recombinable parts."""
    meta = _metadata(corpus)
    pool = SourcePool()
    with tarfile.open(corpus / "cables-text.tar.xz", "r:xz") as tar:
        members = sorted((m for m in tar if m.isfile()), key=lambda m: m.name)
        for member in members:
            cable_id = Path(member.name).stem
            m = _ID_RE.match(cable_id)
            row = meta.get(cable_id)
            fh = tar.extractfile(member)
            if not m or row is None or fh is None:
                continue
            parts = split_cable(fh.read().decode("utf-8", errors="replace"))
            if parts is None or not parts["paragraphs"]:
                continue
            pool.cables_read += 1
            yy = int(m.group(1))
            pool.templates.append(
                Template(
                    city=m.group(2),
                    year=(1900 if yy >= 60 else 2000) + yy,
                    origin=row.get("origin") or "",
                    classification=row.get("classification") or "UNCLASSIFIED",
                    header=parts["header"],
                    class_line=parts["class_line"],
                    preamble=parts["preamble"],
                    tags=parts["tags"],
                    classified_by=parts["classified_by"],
                    numbered=parts["numbered"],
                    tag_codes=tag_codes(parts["tags"]),
                )
            )
            if parts["subject"]:
                pool.subjects.append(parts["subject"])
            pool.paragraphs.extend(parts["paragraphs"])
            pool.paragraph_counts.append(len(parts["paragraphs"]))
            pool.reference_counts.append(parts["refs"])
    return pool


@dataclass(frozen=True, slots=True)
class GeneratedCable:
    row: int
    id: str
    date: datetime
    origin: str
    classification: str
    references: tuple[str, ...]
    header: str
    body: str
    subject: str  # what the SUBJECT line says, for the FTS5 baseline
    tags: tuple[str, ...]  # TAGS codes as written, upper-cased

    @property
    def text(self) -> str:
        return f"{self.header}\n\n{self.body}" if self.header else self.body


def _header(template: Template, date: datetime, serial: int) -> str:
    out = []
    for line in template.header:
        m = _DTG_RE.match(line)
        if m:
            line = f"{m.group(1)} {date:%d%H%M}Z {_MONTHS[date.month - 1]} {date:%y}"
        else:
            line = _DE_RE.sub(lambda mm: f"{mm.group(1)}{serial % 10000:04d}", line)
        out.append(line)
    return "\n".join(out).strip("\n")


def _ref_text(cable_id: str) -> str:
    m = _ID_RE.match(cable_id)
    return f"{m.group(1)} {m.group(2)} {int(m.group(3))}" if m else cable_id


def generate(
    pool: SourcePool, count: int = CABLEGATE_SIZE, seed: int = 2010
) -> Iterator[GeneratedCable]:
    """Yield ``count`` cables, deterministic for a given pool and seed."""
    rng = random.Random(seed)
    serials: dict[tuple[int, str], int] = {}
    # Recent ids per year: a cable cites cables of its own year or the year before.
    recent: dict[int, list[str]] = {}
    paragraphs, subjects, templates = pool.paragraphs, pool.subjects, pool.templates
    for row in range(1, count + 1):
        t = rng.choice(templates)
        key = (t.year, t.city)
        serial = serials.get(key, rng.randint(1, 200)) + rng.randint(1, 12)
        serials[key] = serial
        cable_id = f"{t.year % 100:02d}{t.city}{serial}"
        # The release ends in February 2010.
        days = 59 if t.year >= 2010 else 365
        date = datetime(t.year, 1, 1) + timedelta(
            days=rng.randrange(days), minutes=rng.randrange(24 * 60)
        )
        refs: list[str] = []
        for _ in range(rng.choice(pool.reference_counts)):
            citable = recent.get(t.year - (rng.random() < 0.3))
            if citable and rng.random() < 0.85:
                refs.append(rng.choice(citable))
        refs = list(dict.fromkeys(refs))
        lines = [_TRAILING_NUMBER_RE.sub(f"{serial:06d}", t.class_line), ""]
        lines += t.preamble
        lines.append(f"E.O. 12958: DECL: {date:%m/%d}/{date.year + 10}")
        lines += t.tags
        subject = rng.choice(subjects)
        lines += subject
        lines.append("")
        if refs:
            lines.append(
                "REF: " + " ".join(f"{chr(65 + i)}. {_ref_text(r)}" for i, r in enumerate(refs))
                if len(refs) > 1
                else "REF: " + _ref_text(refs[0])
            )
            lines.append("")
        if t.classified_by:
            lines += t.classified_by
            lines.append("")
        mark = "¶" if t.numbered else ""
        for n in range(1, rng.choice(pool.paragraph_counts) + 1):
            marking, text = rng.choice(paragraphs)
            lines.append(f"{mark}{n}. ({marking}) {text}" if marking else f"{mark}{n}. {text}")
            lines.append("")
        yield GeneratedCable(
            row=row,
            id=cable_id,
            date=date,
            origin=t.origin,
            classification=t.classification,
            references=tuple(refs),
            header=_header(t, date, serial),
            body="\n".join(lines).rstrip() + "\n",
            subject=re.sub(r"^SUBJ(ECT)?:?\s*", "", " ".join(subject).strip(), flags=re.I),
            tags=t.tag_codes,
        )
        same_year = recent.setdefault(t.year, [])
        same_year.append(cable_id)
        if len(same_year) > 6_000:
            del same_year[:3_000]


@dataclass(frozen=True, slots=True)
class WriteStats:
    path: Path
    cables: int
    text_bytes: int  # header + body, UTF-8
    file_bytes: int
    seconds: float


def _csv_escape(value: str) -> str:
    # The release's cables.csv is a MySQL dump: every field double-quoted, backslash escapes,
    # newlines kept as they are.
    return value.replace("\\", "\\\\").replace('"', '\\"')


def write_corpus(cables: Iterator[GeneratedCable], out: Path, fmt: str = "csv") -> WriteStats:
    """Stream cables to ``out`` as ``csv`` or ``tar.gz``; never holds the corpus in memory."""
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    n = text_bytes = 0
    if fmt == "csv":
        with out.open("w", encoding="utf-8", newline="\n") as fh:
            for c in cables:
                fields = (
                    str(c.row),
                    f"{c.date:%m/%d/%Y %H:%M}",
                    c.id,
                    c.origin,
                    c.classification,
                    "|".join(c.references),
                    c.header,
                    c.body,
                )
                fh.write(",".join(f'"{_csv_escape(f)}"' for f in fields) + "\n")
                n += 1
                text_bytes += len(c.header.encode()) + len(c.body.encode())
    elif fmt == "tar.gz":
        with tarfile.open(out, "w:gz", compresslevel=1) as tar:
            for c in cables:
                data = c.text.encode("utf-8")
                info = tarfile.TarInfo(f"cables/{c.id}.txt")
                info.size = len(data)
                info.mtime = int(c.date.timestamp())
                tar.addfile(info, io.BytesIO(data))
                n += 1
                text_bytes += len(data)
    else:
        raise ValueError(f"unknown format {fmt!r}: use csv or tar.gz")
    return WriteStats(out, n, text_bytes, out.stat().st_size, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cables", type=int, default=CABLEGATE_SIZE)
    ap.add_argument("--seed", type=int, default=2010)
    ap.add_argument("--format", choices=("csv", "tar.gz"), default="csv")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    pool = load_pool(args.corpus)
    stats = write_corpus(generate(pool, args.cables, args.seed), args.out, args.format)
    print(
        f"{stats.cables} cables from {pool.cables_read} real ones: {stats.text_bytes / 1e6:.1f} MB "
        f"of text, {stats.file_bytes / 1e6:.1f} MB on disk, {stats.seconds:.1f} s -> {stats.path}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
