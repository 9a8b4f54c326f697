"""search/pages.py: the page rules, written once, over a real index of real cables."""

from __future__ import annotations

import pytest

from search import pages, service
from search.backends.whoosh import WhooshBackend
from search.state import SearchState

pytestmark = pytest.mark.usefixtures("searchable")


class Plain(WhooshBackend):
    """The Whoosh engine declaring none of the optional features."""

    supports_phrases = False
    supports_prefix = False
    supports_facets = False
    supports_disjunctive_facets = False
    supports_snippets = False
    supports_suggestions = False


@pytest.fixture
def plain(settings):
    settings.CABLESEARCH_SEARCH_BACKEND = "tests.search.test_pages.Plain"
    yield
    service.reset_backend()


def search(**params) -> object:
    return pages.search(SearchState.from_query(params))


# -- page size ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "size"), [(None, 20), ("", 20), ("zz", 20), ("0", 20), (7, 7), ("-3", 1)]
)
def test_page_size_is_the_request_or_the_setting(requested, size):
    assert pages.clamp_page_size(requested) == size


def test_page_size_never_exceeds_200(settings):
    assert pages.clamp_page_size(5000) == 200
    settings.CABLESEARCH_PAGE_SIZE = 500
    assert pages.clamp_page_size() == 200


def test_first_rank_follows_the_clamped_page_size(settings):
    settings.CABLESEARCH_PAGE_SIZE = 500
    results = search(page="2")
    assert results.page_size == 200 and results.first_rank == 201


# -- sort --------------------------------------------------------------------------------------


def test_relevance_without_words_is_newest():
    assert pages.sort_for("relevance", False) == "newest"
    assert pages.sort_for("oldest", False) == "oldest"
    assert pages.sort_for("relevance", True) == "relevance"


def test_a_query_with_no_searchable_word_lists_and_says_newest():
    results = search(q="§")
    assert results.sort == "newest" and not results.ranked
    assert [h.id for h in results.hits] == [h.id for h in search(sort="newest").hits]


def test_a_query_with_words_is_ranked():
    results = search(q="missile")
    assert results.sort == "relevance" and results.ranked


# -- understood text ---------------------------------------------------------------------------


def test_understood_says_nothing_was_searched_for_only_unsearchable_words():
    understood = search(q="§").understood
    assert "'§'" in understood and "nothing to search for" in understood


def test_understood_names_a_broad_prefix():
    assert "th* reads as its" in search(q="th*").understood


# -- facets ------------------------------------------------------------------------------------


def test_a_chosen_value_outside_the_top_is_pinned_into_its_facet():
    rare = pages.facet_values(SearchState(), "country", limit=5000).values[-1]
    facet = search(country=rare.value, q="missile").facets["country"]
    pinned = next(v for v in facet.values if v.value == rare.value)
    assert pinned.selected


def test_an_excluded_value_with_no_match_is_still_listed_to_undo():
    facet = search(country="-ZZ").facets["country"]
    value = next(v for v in facet.values if v.value == "ZZ")
    assert value.excluded and value.count == 0


def test_years_are_in_order_with_a_chosen_year_among_them():
    values = [v.value for v in search(year="2007").facets["year"].values]
    assert values == sorted(values) and "2007" in values


def test_the_more_list_filters_by_label_and_keeps_chosen_values():
    facet = pages.facet_values(SearchState.from_query({"country": "RS"}), "country", prefix="jap")
    assert [v.value for v in facet.values] == ["JA", "RS"]


def test_an_unknown_facet_lists_nothing():
    assert pages.facet_values(SearchState(), "planet").values == ()


# -- suggestions -------------------------------------------------------------------------------


def test_no_suggestion_for_a_prefix_or_a_code():
    assert search(q="misil*").suggestion is None
    assert search(q="tag:PRELL").suggestion is None


def test_a_suggestion_replaces_only_the_misspelt_word():
    assert search(q="lavrov misile").suggestion == "lavrov missile"


# -- the result cache --------------------------------------------------------------------------


def test_the_cache_is_per_generation():
    first = search(q="missile")
    engine = service.get_backend()
    memo = pages._memo(engine)
    key = (engine.generation(), SearchState.from_query({"q": "missile"}).querystring(), 20)
    assert memo.cached(key) is not None
    assert memo.cached(("another generation", key[1], key[2])) is None
    assert search(q="missile").hits is first.hits


def test_the_cache_can_be_turned_off(settings):
    settings.CABLESEARCH_RESULTS_CACHE = 0
    assert search(q="nuclear").hits is not search(q="nuclear").hits


# -- an engine without the optional features ---------------------------------------------------


def test_without_facets_the_page_has_none(plain):
    results = search(q="missile")
    assert results.total > 0 and results.facets == {}
    assert pages.facet_values(SearchState(), "country").values == ()


def test_without_snippets_hits_have_none_and_the_marker_marks_nothing(plain):
    assert all(not h.snippets for h in search(q="missile").hits)
    marker = pages.highlighter("missile")
    assert not marker and marker.mark("a <missile>") == "a &lt;missile&gt;"


def test_without_suggestions_none_is_offered(plain):
    assert search(q="misile").suggestion is None


def test_a_phrase_on_an_engine_without_phrases_finds_nothing_and_says_why(plain):
    results = search(q='"missile defense"')
    assert results.total == 0 and not results.hits
    assert "does not support phrases" in results.understood
    assert pages.total_for(SearchState(q='"missile defense"')) == 0
    assert list(pages.iter_ids(SearchState(q="embass*"), 10)) == []
