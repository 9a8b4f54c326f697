"""Load real cables from the shared corpus into the database, without the ingest code.

The search tests need real cable text in the ORM tables; the parser and importer belong to
another part of the project, so this reads `cables-text.tar.xz` and `metadata.jsonl.xz` with a
deliberately small reading (TAGS line, SUBJECT, numbered paragraphs). It is good enough to give
the index realistic text, tags and dates; it is not the project's parser.
"""

from __future__ import annotations

import csv
import json
import lzma
import re
import tarfile
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

_TAGS_RE = re.compile(r"^TAGS:?\s*(.*)$", re.M)
_SUBJECT_RE = re.compile(r"^SUBJ(?:ECT)?:\s*(.*?)(?:\n\s*\n|\Z)", re.M | re.S)
_PARA_RE = re.compile(r"^\s*¶?(\d{1,2})\.\s+(?:\(([A-Z/]{1,6})\)\s*)?", re.M)
_PERSON_RE = re.compile(r"^[A-Z]{4}\s*\(.+\)$")


@cache
def tag_dictionary(corpus_dir: Path) -> dict[str, tuple[str, str]]:
    """code -> (kind, name) from tags/tags.csv."""
    with open(corpus_dir / "tags" / "tags.csv", newline="", encoding="utf-8") as fh:
        return {row["code"]: (row["kind"], row["name"]) for row in csv.DictReader(fh)}


@cache
def metadata(corpus_dir: Path) -> dict[str, dict]:
    with lzma.open(corpus_dir / "metadata.jsonl.xz", "rt", encoding="utf-8") as fh:
        rows = (json.loads(line) for line in fh if line.strip())
        out = {row["id"]: row for row in rows}
    out.setdefault(
        "07MOSCOW5100",
        {
            "id": "07MOSCOW5100",
            "created": "2007-10-22 15:03",
            "classification": "CONFIDENTIAL",
            "origin": "Embassy Moscow",
            "partial": False,
        },
    )
    return out


@cache
def texts(corpus_dir: Path) -> dict[str, str]:
    """Every cable text in cables-text.tar.xz, by id (about 30 MB; read once per session)."""
    out: dict[str, str] = {}
    with tarfile.open(corpus_dir / "cables-text.tar.xz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".txt"):
                data = tar.extractfile(member).read().decode("utf-8", "replace")
                out[Path(member.name).stem] = data
    # The seed cable the project was specified from: Markdown-style links around the tags.
    seed = (corpus_dir / "seed" / "07MOSCOW5100.txt").read_text(encoding="utf-8")
    out["07MOSCOW5100"] = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", seed)
    return out


def _split_tags(line: str) -> list[str]:
    # Person tags carry commas inside parentheses: protect them before splitting.
    line = re.sub(r"\(([^)]*)\)", lambda m: "(" + m.group(1).replace(",", "\0") + ")", line)
    parts = re.split(r"[,\s]+(?![^(]*\))", line.strip())
    codes: list[str] = []
    for part in parts:
        code = part.replace("\0", ",").strip().upper()
        if code and code not in codes:
            codes.append(code)
    return codes


def read_cable(text: str) -> dict:
    """Subject, tag codes and paragraphs (number, marking, text) of one plain-text cable."""
    tags_m = _TAGS_RE.search(text)
    tags = _split_tags(tags_m.group(1)) if tags_m else []
    subj_m = _SUBJECT_RE.search(text)
    subject = " ".join(subj_m.group(1).split()) if subj_m else ""
    starts = list(_PARA_RE.finditer(text))
    paragraphs: list[tuple[int, str, str]] = []
    if starts:
        head_end = subj_m.end() if subj_m and subj_m.end() < starts[0].start() else 0
        lead = " ".join(text[head_end : starts[0].start()].split())
        if lead:
            paragraphs.append((0, "", lead))
        for i, m in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            body = " ".join(text[m.end() : end].split())
            if body:
                paragraphs.append((int(m.group(1)), m.group(2) or "", body))
    else:
        body = " ".join(text[subj_m.end() if subj_m else 0 :].split())
        if body:
            paragraphs.append((0, "", body))
    return {"tags": tags, "subject": subject, "paragraphs": paragraphs}


def corpus_ids(corpus_dir: Path) -> list[str]:
    """Ids that have both a text and metadata, in a stable order."""
    meta = metadata(corpus_dir)
    return sorted(i for i in texts(corpus_dir) if i in meta)


def store_cables(corpus_dir: Path, ids: Iterable[str]) -> list[str]:
    """Create (or replace) these cables with the ORM. Returns the ids stored. Sends no signal."""
    from django.db import transaction

    from cables.models import Cable, CableTag, Paragraph, Tag

    meta, text_by_id, tagdict = metadata(corpus_dir), texts(corpus_dir), tag_dictionary(corpus_dir)
    now = datetime.now(UTC)
    stored: list[str] = []
    with transaction.atomic():
        for cable_id in ids:
            m, text = meta[cable_id], text_by_id[cable_id]
            parsed = read_cable(text)
            created = (
                datetime.strptime(m["created"], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
                if m.get("created")
                else None
            )
            Cable.objects.filter(pk=cable_id).delete()
            cable = Cable.objects.create(
                id=cable_id,
                date=created,
                classification=m.get("classification") or "",
                origin=m.get("origin") or "",
                subject=parsed["subject"],
                partial=bool(m.get("partial")),
                content_hash=str(hash(text)),
                first_imported=now,
                last_imported=now,
            )
            for pos, code in enumerate(parsed["tags"]):
                kind, name = tagdict.get(code, ("", ""))
                if not kind:
                    kind = "person" if _PERSON_RE.match(code) else "unknown"
                tag, _ = Tag.objects.get_or_create(code=code, defaults={"kind": kind, "name": name})
                CableTag.objects.create(cable=cable, tag=tag, position=pos)
            Paragraph.objects.bulk_create(
                Paragraph(cable=cable, position=i, number=n, marking=mk, text=t)
                for i, (n, mk, t) in enumerate(parsed["paragraphs"])
            )
            stored.append(cable_id)
    return stored
