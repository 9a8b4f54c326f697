"""An independent model of what a search should return, computed from the database in Python.

Plain sets and loops over ORM rows, no index: the contract tests compare the engine with it.
Text matching is a case-insensitive whole-word regex, so tests pick words whose English stems
are the word itself or its plural.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from search.documents import KIND_TO_FACET, addressee_labels, signer_name
from search.state import FACETS, SearchState


@dataclass
class Row:
    id: str
    text: str  # subject and paragraphs
    values: dict[str, set[str]]  # facet -> values
    day: str  # YYYY-MM-DD or ""


def rows() -> list[Row]:
    from cables.models import Addressee, Cable, CableTag, Paragraph

    out: dict[str, Row] = {}
    for c in Cable.objects.all():
        out[c.id] = Row(
            id=c.id,
            text=c.subject,
            values={
                "origin": {c.origin} if c.origin else set(),
                "class": {c.classification} if c.classification else set(),
                "year": {str(c.date.year)} if c.date else set(),
                "signer": {signer_name(c.signer)} - {""},
                "addressee": set(),
                **{f: set() for f in ("tag", "country", "program", "org", "person")},
            },
            day=c.date.date().isoformat() if c.date else "",
        )
    for cable_id, text in Paragraph.objects.values_list("cable_id", "text"):
        out[cable_id].text += "\n" + text
    for cable_id, name in Addressee.objects.values_list("cable_id", "name"):
        out[cable_id].values["addressee"].update(addressee_labels([name]))
    for cable_id, code, kind in CableTag.objects.values_list("cable_id", "tag__code", "tag__kind"):
        out[cable_id].values[KIND_TO_FACET.get(kind, "tag")].add(code)
    return list(out.values())


def has_word(row: Row, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}s?(?!\w)", row.text, re.I) is not None


def passes(row: Row, state: SearchState, skip: str | None = None) -> bool:
    """Facet filters (OR within, or AND for an all-of facet; AND across; exclusions) and dates,
    except facet `skip`."""
    for facet in FACETS:
        if facet == skip:
            continue
        inc, exc = set(state.values(facet)), set(state.excluded_values(facet))
        if inc and state.is_all_of(facet) and not inc <= row.values[facet]:
            return False
        if inc and not (row.values[facet] & inc):
            return False
        if row.values[facet] & exc:
            return False
    if state.date_from and not (row.day and row.day >= state.date_from.isoformat()):
        return False
    return not (state.date_to and not (row.day and row.day <= state.date_to.isoformat()))


def expected(all_rows: list[Row], state: SearchState, words: tuple[str, ...] = ()) -> set[str]:
    return {r.id for r in all_rows if all(has_word(r, w) for w in words) and passes(r, state)}


def facet_counts(
    all_rows: list[Row], state: SearchState, facet: str, words: tuple[str, ...] = ()
) -> Counter:
    """Disjunctive counts: every filter applies except the facet's own (all of: its own too)."""
    counts: Counter = Counter()
    skip = None if state.is_all_of(facet) else facet
    for r in all_rows:
        if all(has_word(r, w) for w in words) and passes(r, state, skip=skip):
            counts.update(r.values[facet])
    return counts
