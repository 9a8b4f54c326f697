"""SearchState: parsing URLs, canonical URLs, deriving new states."""

from __future__ import annotations

from datetime import date

from django.http import QueryDict

from search.state import MAX_PAGE, MAX_QUERY_CHARS, SearchState


def state(qs: str) -> SearchState:
    return SearchState.from_query(QueryDict(qs))


def test_empty_state_has_an_empty_querystring():
    assert SearchState().url() == "/search"
    assert SearchState().is_empty


def test_canonical_url_whatever_the_input_order():
    a = state("country=RS&q=missile&tag=PREL&country=JA")
    b = state("tag=PREL&country=RS&country=JA&q=missile")
    assert a == b
    assert a.url() == "/search?q=missile&tag=PREL&country=RS&country=JA"


def test_repeated_values_are_kept_once():
    assert state("tag=PREL&tag=prel").values("tag") == ("PREL",)


def test_codes_are_upper_cased_origins_keep_case():
    s = state("country=ja&origin=Embassy+Moscow")
    assert s.values("country") == ("JA",)
    assert s.values("origin") == ("Embassy Moscow",)


def test_minus_prefix_excludes():
    s = state("tag=-PREL")
    assert s.excluded_values("tag") == ("PREL",)
    assert s.values("tag") == ()
    assert s.url() == "/search?tag=-PREL"


def test_adding_a_value():
    s = SearchState().adding("country", "RS")
    assert s.is_selected("country", "RS")


def test_adding_an_excluded_value_selects_it_instead():
    s = state("tag=-PREL").adding("tag", "PREL")
    assert s.is_selected("tag", "PREL") and not s.is_excluded("tag", "PREL")


def test_excluding_a_selected_value_moves_it():
    s = state("tag=PREL").excluding("tag", "PREL")
    assert s.is_excluded("tag", "PREL") and not s.is_selected("tag", "PREL")


def test_removing_a_value():
    s = state("tag=PREL&tag=MARR").removing("tag", "PREL")
    assert s.values("tag") == ("MARR",)


def test_toggling_twice_returns_to_the_start():
    s = state("q=missile")
    assert s.toggling("tag", "PREL").toggling("tag", "PREL") == s


def test_toggling_an_excluded_value_removes_it():
    assert state("tag=-PREL").toggling("tag", "PREL") == SearchState()


def test_only_replaces_the_facet_values():
    s = state("year=2006&year=2007&tag=PREL").only("year", "2009")
    assert s.values("year") == ("2009",) and s.values("tag") == ("PREL",)


def test_clearing_one_facet_and_all():
    s = state("tag=PREL&country=RS&from=2006-01-01")
    assert s.clearing("tag").values("tag") == ()
    assert s.clearing("from").date_from is None
    assert not s.clearing().has_filters


def test_every_change_goes_back_to_page_one():
    s = state("q=missile&page=4")
    assert s.adding("tag", "PREL").page == 1
    assert s.excluding("tag", "PREL").page == 1
    assert s.with_sort("newest").page == 1
    assert s.with_query("nuclear").page == 1


def test_paging_keeps_everything_else():
    s = state("q=missile&tag=PREL").with_page(3)
    assert s.url() == "/search?q=missile&tag=PREL&page=3"


def test_bad_values_are_dropped():
    s = state("year=soon&year=2007&tag=<script>&from=notadate&sort=random&page=x")
    assert s.values("year") == ("2007",)
    assert s.values("tag") == ()
    assert s.date_from is None
    assert s.sort == "relevance"
    assert s.page == 1


def test_unknown_keys_are_ignored():
    assert state("q=missile&utm_source=mail&foo=bar") == state("q=missile")


def test_page_is_clamped():
    assert state("page=-5").page == 1
    assert state("page=99999999").page == MAX_PAGE


def test_swapped_dates_are_put_in_order():
    s = state("from=2008-01-01&to=2006-01-01")
    assert (s.date_from, s.date_to) == (date(2006, 1, 1), date(2008, 1, 1))


def test_long_queries_are_cut():
    assert len(state("q=" + "a" * 9000).q) == MAX_QUERY_CHARS


def test_filters_as_data():
    assert state("tag=PREL&tag=-MARR").filters() == {
        "tag": {"include": ["PREL"], "exclude": ["MARR"]}
    }


def test_link_builders_are_canonical():
    s = state("q=missile")
    assert s.add_url("country", "RS") == "/search?q=missile&country=RS"
    assert s.exclude_url("country", "RS") == "/search?q=missile&country=-RS"
    assert s.sort_url("newest") == "/search?q=missile&sort=newest"
    assert s.page_url(2) == "/search?q=missile&page=2"


# -- all of within a facet ---------------------------------------------------------------------


def test_all_key_switches_a_facet_to_all_of():
    state = SearchState.from_query({"country": ["JA", "RS"], "all": "country"})
    assert state.is_all_of("country") and not state.is_all_of("tag")


def test_all_key_is_canonical_and_survives_the_url():
    state = SearchState.from_query({"all": ["tag", "country"], "country": "JA"})
    assert state.querystring() == "?country=JA&all=tag&all=country"
    assert SearchState.from_query(QueryDict(state.querystring()[1:])) == state


def test_all_key_ignores_facets_of_one_value_per_cable():
    assert SearchState.from_query({"all": ["year", "origin", "nonsense"]}).all_of == ()


def test_all_of_url_switches_on_and_off():
    state = SearchState.from_query({"country": ["JA", "RS"], "page": "3"})
    on = state.with_all_of("country")
    assert on.all_of_url("country", on=False) == "/search?country=JA&country=RS"
    assert on.page == 1


def test_added_keeps_relative_spans_and_instants_in_canonical_form():
    assert SearchState.from_query({"added": "7D"}).added == "7d"
    assert SearchState.from_query({"added": "2026-12-01T10:00:00+01:00"}).added == (
        "2026-12-01T09:00:00Z"
    )


def test_added_range_is_put_in_order():
    state = SearchState.from_query({"added": "2026-12-02T00:00:00Z..2026-12-01T00:00:00Z"})

    assert state.added == "2026-12-01T00:00:00Z..2026-12-02T00:00:00Z"


def test_a_bad_added_value_is_dropped():
    assert SearchState.from_query({"added": "last week"}).added == ""


def test_added_is_in_the_url_and_its_chip_label():
    state = SearchState.from_query({"q": "nato", "added": "7d"})

    assert state.url() == "/search?q=nato&added=7d"
    assert state.added_label == "added in the last 7 days"
    assert state.clearing().added == ""


def test_a_page_size_no_integer_can_hold_is_the_default():
    assert SearchState.from_query({"size": "9" * 5000}).size == 0
    assert SearchState.from_query({"size": "²"}).size == 0
