"""A readable default name for a saved search: ``missile defense · country: JA, RS``."""

from __future__ import annotations

from search.state import DEFAULT_SORT, FACETS, SearchState

from .models import MAX_NAME_CHARS


def summarize(state: SearchState) -> str:
    parts: list[str] = []
    if state.q:
        parts.append(state.q)
    for facet in FACETS:
        included, excluded = state.values(facet), state.excluded_values(facet)
        if included:
            parts.append(f"{facet}: {', '.join(included)}")
        if excluded:
            parts.append(f"not {facet}: {', '.join(excluded)}")
    if state.date_from:
        parts.append(f"from {state.date_from.isoformat()}")
    if state.date_to:
        parts.append(f"to {state.date_to.isoformat()}")
    if state.sort != DEFAULT_SORT:
        parts.append(f"sort: {state.sort}")
    text = " · ".join(parts) or "All cables"
    if len(text) > MAX_NAME_CHARS:
        text = text[: MAX_NAME_CHARS - 1].rstrip() + "…"
    return text
