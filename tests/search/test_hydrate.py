"""Hydration loads only the paragraphs a results page can show."""

import pytest
from django.utils import timezone

from cables.models import Cable, Paragraph
from search.hydrate import SNIPPET_CANDIDATES, paragraphs_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def giant() -> str:
    """A cable of 2,000 paragraphs: every third mentions missiles."""
    now = timezone.now()
    Cable.objects.create(id="99GIANT1", subject="GIANT", first_imported=now, last_imported=now)
    Paragraph.objects.bulk_create(
        Paragraph(
            cable_id="99GIANT1",
            position=n,
            number=n + 1,
            text=f"PARAGRAPH {n} ABOUT " + ("MISSILE DEFENSE" if n % 3 == 0 else "TRADE"),
        )
        for n in range(2000)
    )
    return "99GIANT1"


def test_only_paragraphs_holding_a_query_word_are_loaded(giant):
    loaded = paragraphs_of([giant], containing=["missil"])[giant]

    assert loaded and all("MISSILE" in text for _, text in loaded)


def test_a_cable_matching_everywhere_loads_a_bounded_number_in_order(giant):
    loaded = paragraphs_of([giant], containing=["missil", "paragraph"])[giant]

    assert [number for number, _ in loaded] == list(range(1, SNIPPET_CANDIDATES + 1))


def test_without_words_every_paragraph_is_loaded(giant):
    assert len(paragraphs_of([giant])[giant]) == 2000
