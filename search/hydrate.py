"""Database look-ups shared by backends: hit details, paragraphs for snippets, facet labels."""

from __future__ import annotations

from collections.abc import Iterable

CODE_FACETS = ("tag", "country", "program", "org")


def cable_rows(ids: list[str]) -> dict[str, dict]:
    """id -> the fields a hit shows, plus its tags in order. Two queries for the whole page."""
    from cables.models import Cable, CableTag

    rows = {
        row["id"]: {**row, "tags": []}
        for row in Cable.objects.filter(id__in=ids).values(
            "id", "subject", "date", "origin", "classification", "first_imported"
        )
    }
    for cable_id, code in (
        CableTag.objects.filter(cable_id__in=ids)
        .order_by("cable_id", "position")
        .values_list("cable_id", "tag__code")
    ):
        if cable_id in rows:
            rows[cable_id]["tags"].append(code)
    return rows


def paragraphs_of(ids: list[str]) -> dict[str, list[tuple[int, str]]]:
    """id -> [(paragraph number, text)] in order, one query for all the page's hits."""
    from cables.models import Paragraph

    out: dict[str, list[tuple[int, str]]] = {}
    for cable_id, number, text in (
        Paragraph.objects.filter(cable_id__in=ids)
        .order_by("cable_id", "position")
        .values_list("cable_id", "number", "text")
    ):
        out.setdefault(cable_id, []).append((number, text))
    return out


def labels(facet: str, values: Iterable[str]) -> dict[str, str]:
    """value -> display label. Codes get their Tag name ("JA - Japan"); unknown codes, persons,
    origins, classifications and years show as themselves. Names are never invented."""
    values = list(values)
    out = {v: v for v in values}
    if facet in CODE_FACETS and values:
        from cables.models import Tag

        for start in range(0, len(values), 900):  # stay under any SQL parameter limit
            chunk = values[start : start + 900]
            for code, name in Tag.objects.filter(code__in=chunk).values_list("code", "name"):
                if name:
                    out[code] = f"{code} - {name}"
    return out


def added_micros(ids: list[str]) -> list[int]:
    """For each id (in order), when the cable was first imported, in microseconds since the
    Unix epoch; 0 for an id the database no longer has. One pass over the cables table."""
    from cables.models import Cable

    position = {cable_id: i for i, cable_id in enumerate(ids)}
    out = [0] * len(ids)
    for cable_id, at in Cable.objects.values_list("id", "first_imported").iterator(
        chunk_size=10_000
    ):
        i = position.get(cable_id)
        if i is not None and at is not None:
            out[i] = micros(at)
    return out


def micros(when: object) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    from datetime import UTC, datetime

    delta = when - datetime(1970, 1, 1, tzinfo=UTC)  # type: ignore[operator]
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
