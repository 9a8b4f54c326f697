"""When a commit merges index segments: small ones together, big ones never.

Whoosh's default policy (``MERGE_SMALL``) lets segments pile up and then merges nearly all of
them at once; a 251,287-cable import re-merged the whole index every ~40,000 cables, stalling
for 5-8 minutes each time with the writer's memory growing to 3 GB. Here a merge only ever
involves segments below ``small`` documents, so its cost is bounded whatever the index size,
and big segments stay as written (search cost grows slowly with their number: per-segment
arrays and postings are read independently).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from whoosh.reading import SegmentReader

SMALL_SEGMENT = 8_000  # documents: segments below this are merged together
MERGE_AT = 8  # that many small segments trigger a merge of all of them
MOSTLY_DELETED = 0.5  # a segment with this share of deleted documents is rewritten


def merge_policy(
    small: int = SMALL_SEGMENT, merge_at: int = MERGE_AT
) -> Callable[[object, Sequence], list]:
    """A Whoosh ``mergetype``: merges the small (or mostly deleted) segments together."""

    def policy(writer, segments: Sequence) -> list:
        chosen = [s for s in segments if _worth_merging(s, small)]
        if len(chosen) < merge_at and not any(_mostly_deleted(s) for s in chosen):
            return list(segments)
        if len(chosen) == 1 and not chosen[0].has_deletions():
            return list(segments)
        for segment in chosen:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)  # copies the live documents only
            reader.close()
        return [s for s in segments if s not in chosen]

    return policy


def _worth_merging(segment, small: int) -> bool:
    return segment.doc_count_all() < small or _mostly_deleted(segment)


def _mostly_deleted(segment) -> bool:
    total = segment.doc_count_all()
    return total > 0 and segment.deleted_count() >= total * MOSTLY_DELETED
