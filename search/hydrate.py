"""Database look-ups for pages and indexing: hit details, tags, paragraphs, facet labels."""

from __future__ import annotations

from collections.abc import Iterable

CODE_FACETS = ("tag", "country", "program", "org")
# Paragraphs holding a query word loaded per hit, at most (see paragraphs_of).
SNIPPET_CANDIDATES = 60


def cable_rows(ids: list[str]) -> dict[str, dict]:
    """id -> the fields a hit shows, plus its tags in order. Two queries for the whole page."""
    from cables.models import Cable

    rows = {
        row["id"]: {**row, "tags": []}
        for row in Cable.objects.filter(id__in=ids).values(
            "id", "subject", "date", "origin", "classification", "first_imported"
        )
    }
    for cable_id, tags in tags_of(ids).items():
        if cable_id in rows:
            rows[cable_id]["tags"] = [code for code, _ in tags]
    return rows


def tags_of(ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """id -> [(code, kind)] in the cable's order, one query (the page, CSV, the indexer)."""
    from cables.models import CableTag

    out: dict[str, list[tuple[str, str]]] = {}
    for cable_id, code, kind in (
        CableTag.objects.filter(cable_id__in=ids)
        .order_by("cable_id", "position")
        .values_list("cable_id", "tag__code", "tag__kind")
    ):
        out.setdefault(cable_id, []).append((code, kind))
    return out


def paragraphs_of(
    ids: list[str], marking: str | None = None, containing: Iterable[str] = ()
) -> dict[str, list[tuple[int, str]]]:
    """id -> [(paragraph number, text)] in order, one query for all the page's hits.

    ``marking`` (a query's marking:S): only the paragraphs it keeps, where snippets may come
    from. ``containing``: only the paragraphs holding one of these strings (any case), the only
    ones a snippet can show, and of those the first SNIPPET_CANDIDATES per cable. Paragraph text
    is stored compressed, so the test runs here rather than in SQL; a cable holds at most
    ``CABLESEARCH_MAX_PARAGRAPHS`` paragraphs (cables.ingest), which bounds the work, and what a
    page keeps of a giant cable is no more than a few dozen paragraphs.
    """
    from cables.models import Paragraph
    from search.query import marking_matches

    words = [word.casefold() for word in containing if word]
    out: dict[str, list[tuple[int, str]]] = {}
    rows = Paragraph.objects.filter(cable_id__in=ids).order_by("cable_id", "position")
    for cable_id, number, text, mark in rows.values_list("cable_id", "number", "text", "marking"):
        if marking is not None and not marking_matches(marking, mark):
            continue
        kept = out.setdefault(cable_id, [])
        if words:
            if len(kept) >= SNIPPET_CANDIDATES:
                continue
            folded = text.casefold()
            if not any(word in folded for word in words):
                continue
        kept.append((number, text))
    return {cable_id: kept for cable_id, kept in out.items() if kept}


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


def added_since(since: object | None) -> tuple[dict[str, int], object | None]:
    """id -> first import in µs since 1970 for the cables first imported at or after
    ``since`` (every cable when None), and the latest first import seen (the next ``since``).

    First imports only grow (a cable keeps its first_imported; a re-created one gets a new,
    later one), so a caller that keeps the map reads only the newcomers each time, through
    the index on first_imported."""
    from cables.models import Cable

    # No ordering: the model's default (by date) would make SQLite scan the date index.
    rows = Cable.objects.order_by()
    if since is not None:
        rows = rows.filter(first_imported__gte=since)
    out: dict[str, int] = {}
    latest = since
    for cable_id, at in rows.values_list("id", "first_imported").iterator(chunk_size=10_000):
        if at is None:
            continue
        out[cable_id] = micros(at)
        if latest is None or at > latest:
            latest = at
    return out, latest


def micros(when: object) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    from datetime import UTC, datetime

    delta = when - datetime(1970, 1, 1, tzinfo=UTC)  # type: ignore[operator]
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
