"""How many cables a saved search matches now, and how many of them are new to the user.

"New" means first imported after the user last opened the saved search. The search index knows
what matches; only the database knows when a cable arrived. So: ask the database once for the
cables imported since the oldest ``last_opened_at`` on the page (usually none, which ends the
work), and only for searches that have such candidates walk the matching ids and count the
candidates among them. The walk stops after CABLESEARCH_NEW_SCAN_LIMIT matches; beyond that the
count is a lower bound and says so ("12+").
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from cables.models import Cable
from search.state import SearchState

from .models import SavedSearch

log = logging.getLogger(__name__)


def scan_limit() -> int:
    # Above the full Cablegate release (251,287), so counts are exact at that scale.
    return int(getattr(settings, "CABLESEARCH_NEW_SCAN_LIMIT", 300_000))


@dataclass(frozen=True, slots=True)
class SearchCounts:
    total: int | None  # None: the index could not answer
    new: int
    new_is_lower_bound: bool = False

    @property
    def new_label(self) -> str:
        return f"{self.new}+" if self.new_is_lower_bound else str(self.new)


def imported_since(since: datetime) -> dict[str, datetime]:
    """Cable id -> first_imported for every cable first imported after ``since``."""
    return dict(Cable.objects.filter(first_imported__gt=since).values_list("id", "first_imported"))


def count_new(
    state: SearchState, total: int, candidates: dict[str, datetime], since: datetime
) -> tuple[int, bool]:
    """(new matches, whether that is a lower bound) among ``candidates`` newer than ``since``."""
    from search import pages

    fresh = {cid for cid, at in candidates.items() if at > since}
    if not fresh or not total:
        return 0, False
    limit = scan_limit()
    found = 0
    scanned = 0
    # Order does not matter here; "newest" is an array sort, relevance would score every match.
    for cable_id in pages.iter_ids(state.with_sort("newest"), limit):
        scanned += 1
        if cable_id in fresh:
            found += 1
            if found == len(fresh):
                return found, False  # every candidate matched: nothing left to find
    return found, scanned >= limit and total > scanned


def counts_for(searches: Sequence[SavedSearch]) -> dict[int, SearchCounts]:
    if not searches:
        return {}
    from search import pages

    candidates = imported_since(min(s.last_opened_at for s in searches))
    out: dict[int, SearchCounts] = {}
    for saved in searches:
        state = saved.state
        try:
            total = pages.total_for(state)
            new, lower = count_new(state, total, candidates, saved.last_opened_at)
        except Exception:  # a missing or broken index must not take the bookmarks page down
            log.exception("counting saved search %s failed", saved.pk)
            out[saved.pk] = SearchCounts(total=None, new=0)
            continue
        out[saved.pk] = SearchCounts(total=total, new=new, new_is_lower_bound=lower)
    return out
