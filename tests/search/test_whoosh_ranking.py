"""Relevance ranking: how a phrase scores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from search import service
from search.state import SearchState


def put(cable_id: str, text: str) -> None:
    from cables.models import Cable, Paragraph
    from cables.signals import cables_stored

    now = datetime.now(UTC)
    cable = Cable.objects.create(
        id=cable_id,
        date=datetime(2009, 1, 1, tzinfo=UTC),
        subject="NOTE",
        content_hash=cable_id,
        first_imported=now,
        last_imported=now,
    )
    Paragraph.objects.create(cable=cable, position=0, number=1, marking="", text=text)
    cables_stored.send(sender=None, ids=[cable_id])


@pytest.mark.django_db(transaction=True)
def test_a_phrase_ranks_by_how_often_the_whole_phrase_occurs(index_dir):
    # Both texts are 12 words long. The first says "prime minister" three times; the second
    # has more of both words but says the phrase once, and a sum of word scores ranked it first.
    put("09ROME1", "the prime minister and the prime minister met the prime minister today")
    put("09ROME2", "prime prime prime prime minister the minister minister minister met them today")
    for filler in range(3):  # words with ordinary document frequencies
        put(f"09ROME{10 + filler}", "the cables met today about trade and nothing else at all")

    hits = service.search(SearchState.from_query({"q": ['"prime minister"']}), page_size=10).hits

    assert [h.id for h in hits] == ["09ROME1", "09ROME2"]
