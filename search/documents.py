"""What the index holds for one cable, read from the database in chunks.

Backend-neutral: a backend turns each CableDocument into its own document type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from cables.parsing.header import origin_label
from cables.parsing.record import anomalies

# Tag.kind -> facet name. Unknown codes (typos, free words) go with the subject tags so they
# can still be found and filtered; they show as the code alone.
KIND_TO_FACET = {
    "subject": "tag",
    "unknown": "tag",
    "geo": "country",
    "program": "program",
    "organization": "org",
    "person": "person",
}


@dataclass(frozen=True, slots=True)
class CableDocument:
    id: str
    stamp: str  # changes whenever the stored cable changes: tells check_index what is stale
    subject: str
    paragraphs: tuple[str, ...]
    tags: dict[str, tuple[str, ...]]  # facet name -> codes, in the cable's order
    origin: str
    classification: str
    date: datetime | None
    anomalies: tuple[str, ...] = ()  # cables.parsing.record.ANOMALIES: the anomaly: query
    # TO then INFO addressees as labels, like origins ("Secretary of State", "Embassy Cairo"),
    # each once; the routing codes as written ("SECSTATE WASHDC") go in addressee_codes.
    addressees: tuple[str, ...] = ()
    addressee_codes: tuple[str, ...] = ()
    signer: str = ""  # the surname that signs the cable, upper case ("BURNS"); "" unknown
    markings: tuple[str, ...] = ()  # each paragraph's marking ("S/NF", "" unmarked)


_SURNAME_RE = re.compile(r"[A-Za-z][A-Za-z'-]*")


def signer_name(raw: str) -> str:
    """The signing surname as a facet value: 'End Comment. SANDERS' -> 'SANDERS'."""
    words = _SURNAME_RE.findall(raw or "")
    return words[-1].upper() if words else ""


def addressee_labels(names: Iterable[str]) -> tuple[str, ...]:
    """Addressees as labels, normalised like origins, each once, in order."""
    return tuple(dict.fromkeys(origin_label(n) for n in names if n.strip()))


def stamp_of(last_imported: datetime | None, content_hash: str) -> str:
    return f"{last_imported.isoformat() if last_imported else ''}/{content_hash}"


def iter_documents(ids: Iterable[str] | None = None, chunk: int = 500) -> Iterator[CableDocument]:
    """Documents for these ids (all cables when None), a chunk of cables per few queries."""
    from cables.models import Addressee, Cable, Paragraph
    from search.hydrate import tags_of

    if ids is None:
        all_ids = list(Cable.objects.order_by("id").values_list("id", flat=True))
    else:
        all_ids = list(dict.fromkeys(ids))
    for start in range(0, len(all_ids), chunk):
        batch = all_ids[start : start + chunk]
        # The cables' rows (and stamps) first: an import may commit a new version of one of
        # them while its paragraphs are read, and an old stamp over new text is then indexed
        # as stale (check_index repairs it), never a new stamp over old text.
        rows = list(
            Cable.objects.filter(id__in=batch).values_list(
                "id",
                "subject",
                "origin",
                "classification",
                "date",
                "last_imported",
                "content_hash",
                "signer",
                "body_ref",
                "classification_inferred",
            )
        )
        paras: dict[str, list[str]] = {}
        marks: dict[str, list[str]] = {}
        for cable_id, text, marking in (
            Paragraph.objects.filter(cable_id__in=batch)
            .order_by("cable_id", "position")
            .values_list("cable_id", "text", "marking")
        ):
            paras.setdefault(cable_id, []).append(text)
            marks.setdefault(cable_id, []).append(marking)
        sent_to: dict[str, list[str]] = {}
        # TO before INFO: "to" sorts after "info", so kinds go descending.
        for cable_id, name in (
            Addressee.objects.filter(cable_id__in=batch)
            .order_by("cable_id", "-kind", "position")
            .values_list("cable_id", "name")
        ):
            sent_to.setdefault(cable_id, []).append(name)
        tags: dict[str, dict[str, list[str]]] = {}
        for cable_id, codes in tags_of(batch).items():
            for code, kind in codes:
                facet = KIND_TO_FACET.get(kind, "tag")
                tags.setdefault(cable_id, {}).setdefault(facet, []).append(code)
        for (
            cable_id,
            subject,
            origin,
            classification,
            date,
            last,
            chash,
            signer,
            ref,
            inferred,
        ) in rows:
            names = sent_to.get(cable_id, [])
            yield CableDocument(
                id=cable_id,
                stamp=stamp_of(last, chash),
                subject=subject,
                paragraphs=tuple(paras.get(cable_id, ())),
                tags={k: tuple(v) for k, v in tags.get(cable_id, {}).items()},
                origin=origin,
                classification=classification,
                date=date,
                anomalies=anomalies(ref, inferred),
                addressees=addressee_labels(names),
                addressee_codes=tuple(dict.fromkeys(names)),
                signer=signer_name(signer),
                markings=tuple(marks.get(cable_id, ())),
            )


def db_stamps() -> dict[str, str]:
    """id -> stamp for every cable in the database (what check_index compares against)."""
    from cables.models import Cable

    return {
        cable_id: stamp_of(last, chash)
        for cable_id, last, chash in Cable.objects.values_list(
            "id", "last_imported", "content_hash"
        ).iterator(chunk_size=5000)
    }
