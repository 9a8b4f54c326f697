"""The thread around a cable: the cables it cites and that cite it, transitively.

Walked breadth-first to a bounded depth in both directions at once: each level is one query on
the references table (rows whose citing cable is on the "cites" frontier or whose cited id is
on the "cited by" frontier, both indexed), and one last query fetches the dates and subjects of
every cable reached. A cited id that is not in the library is a dead end, shown as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from cables.models import Cable, Reference

DEFAULT_DEPTH = 3
MAX_DEPTH = 6
# A hub cited by thousands stops the walk from fetching the whole library.
MAX_CABLES = 500


@dataclass(frozen=True, slots=True)
class ThreadCable:
    id: str
    direction: str  # "cites" (an older cable this one answers), "cited-by", or "self"
    depth: int  # steps from the cable the thread is about
    date: datetime | None
    subject: str
    origin: str
    in_library: bool

    @property
    def url(self) -> str | None:
        return Cable(pk=self.id).get_absolute_url() if self.in_library else None


@dataclass(frozen=True, slots=True)
class Thread:
    cable_id: str
    depth: int
    cables: list[ThreadCable]  # the timeline: dated cables by date, then the undated
    queries: int  # reference queries made (one per level walked)
    truncated: bool  # MAX_CABLES was reached: the thread goes on beyond what is shown

    @property
    def missing(self) -> list[ThreadCable]:
        return [c for c in self.cables if not c.in_library]


def clamp_depth(raw: object) -> int:
    try:
        depth = int(str(raw))
    except ValueError:
        return DEFAULT_DEPTH
    return min(max(depth, 1), MAX_DEPTH)


def walk(cable_id: str, depth: int = DEFAULT_DEPTH) -> tuple[dict[str, tuple[str, int]], int, bool]:
    """Every cable id reached -> (direction, depth); reference queries made; truncated."""
    reached: dict[str, tuple[str, int]] = {cable_id: ("self", 0)}
    up, down = {cable_id}, {cable_id}
    queries = 0
    truncated = False
    for level in range(1, depth + 1):
        if not up and not down:
            break
        rows = Reference.objects.filter(
            Q(cable_id__in=up) | Q(cited_id__in=down), ~Q(cited_id="")
        ).values_list("cable_id", "cited_id")
        queries += 1
        next_up: set[str] = set()
        next_down: set[str] = set()
        for citing, cited in rows.iterator(chunk_size=2000):
            if citing in up and cited not in reached:
                reached[cited] = ("cites", level)
                next_up.add(cited)
            if cited in down and citing not in reached:
                reached[citing] = ("cited-by", level)
                next_down.add(citing)
            if len(reached) >= MAX_CABLES:
                truncated = True
                break
        if truncated:
            break
        up, down = next_up, next_down
    return reached, queries, truncated


def thread_for(cable_id: str, depth: int = DEFAULT_DEPTH) -> Thread:
    reached, queries, truncated = walk(cable_id, depth)
    found = {
        c.id: c
        for c in Cable.objects.filter(pk__in=list(reached)).only("id", "date", "subject", "origin")
    }
    cables = [
        ThreadCable(
            id=cid,
            direction=direction,
            depth=level,
            date=found[cid].date if cid in found else None,
            subject=found[cid].subject if cid in found else "",
            origin=found[cid].origin if cid in found else "",
            in_library=cid in found,
        )
        for cid, (direction, level) in reached.items()
    ]
    cables.sort(key=lambda c: (c.date is None, c.date or datetime.min, c.id))
    return Thread(cable_id, depth, cables, queries, truncated)
