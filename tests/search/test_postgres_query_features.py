"""The researchers' query language on the PostgreSQL engine, over the same real cables as
tests/search/test_whoosh_query_features.py (its tests, those this engine does as Whoosh does).

Left out, and said in the engine's Match.notes: ``marking:S`` finds the cables holding such a
paragraph but does not restrict the words to it.
"""

import pytest
from django.db import connection

from tests.search.test_whoosh_query_features import (  # noqa: F401 - fixtures and tests
    engine,
    slice_dir,
    test_addressee_and_signer_facets_count_labels,
    test_addressee_field_matches_the_label,
    test_all_of_counts_keep_the_facets_own_ticks,
    test_all_of_needs_every_value,
    test_cable_page_marks_only_paragraphs_with_the_marking,
    test_citation_with_year_finds_the_cable_first,
    test_citation_with_zero_padded_serial_finds_the_cable,
    test_citation_without_year_finds_every_years_cable,
    test_equals_sign_searches_the_spelling_alone,
    test_marking_alone_lists_cables_with_such_paragraphs,
    test_marking_keeps_words_in_paragraphs_so_marked,
    test_near_finds_the_phrase_and_more,
    test_near_keeps_the_words_close,
    test_signer_field,
    test_six_remembered_words_rank_their_paragraph_first,
    test_snippets_under_a_marking_come_from_its_paragraphs,
    test_station_and_year_lists_that_year,
    test_suggestion_from_the_paragraphs_vocabulary,
    test_to_finds_the_addressee,
    test_variant_spelling_finds_what_the_cables_spell,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the PostgreSQL engine needs PostgreSQL: run make test-postgres",
    ),
]


@pytest.fixture(scope="module")
def backend_path() -> str:
    return "search.backends.postgres.PostgresBackend"


def test_marking_is_said_to_leave_the_words_unrestricted(engine):  # noqa: F811 - the fixture
    from search.backends.base import Criteria, MatchRequest
    from search.query import parse

    found = engine.match(
        MatchRequest(Criteria(parse("marking:S iran").tree), "relevance", 0, 5, ())
    )
    assert any("marking:" in note for note in found.notes)
