"""Tests every search backend must pass (modelled on django-modelsearch's shared backend tests).

A backend's test module subclasses BackendContract and, if it is not the default backend,
overrides the `backend_path` fixture. Tests that need a capability a backend declares it lacks
(BaseSearchBackend.supports_*) are skipped for it. Data: real cables (tests/search/conftest.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cables.models import Cable
from search import service
from search.backends.base import Criteria, FacetRequest, MatchRequest
from search.query import parse
from search.state import FACETS, SearchState
from tests.search import reference

PIECES = [
    "missile", "lavrov", "the", "(", ")", '"', "OR", "AND", "NOT", "-", "*", "th*", "tag:RS",
    "-tag:PREL", "country:JA", "year:2007", "from:2006", "to:2008-06", "id:07MOSCOW5100",
    "subject:nuclear", "origin:moscow", "class:secret", "foo:bar", "\\", "§",
]  # fmt: skip


def run(page_size: int = 20, **params):
    return service.search(SearchState.from_query(params), page_size=page_size)


def all_ids(**params) -> list[str]:
    state = SearchState.from_query(params)
    return list(service.iter_ids(state, 100_000))


def engine():
    return service.get_backend()


def criteria(q: str = "", **params) -> Criteria:
    state = SearchState.from_query({"q": q, **params})
    return Criteria(
        tree=parse(state.q).tree,
        include=state.selected,
        exclude=state.excluded,
        date_from=state.date_from,
        date_to=state.date_to,
    )


def match(q: str = "", *, sort="relevance", offset=0, limit=20, facets=(), **params):
    request = MatchRequest(criteria(q, **params), sort, offset, limit, tuple(facets))
    engine().validate(request)
    return engine().match(request)


def first_imports() -> list:
    """The library's first-import times, latest first (one an hour: tests/search/conftest)."""
    return list(Cable.objects.order_by("-first_imported").values_list("first_imported", flat=True))


def needs(capability: str):
    def check():
        if not getattr(service.get_backend(), capability):
            pytest.skip(f"backend does not declare {capability}")

    return check


@pytest.mark.usefixtures("searchable")
class BackendContract:
    # -- browsing and words ------------------------------------------------------------------

    def test_empty_query_browses_every_cable(self):
        results = run()
        assert results.total == len(reference.rows())

    def test_empty_query_lists_newest_first(self):
        dates = [h.date for h in run(page_size=50).hits if h.date]
        assert dates == sorted(dates, reverse=True)

    def test_words_must_all_match(self):
        rows = reference.rows()
        found = set(all_ids(q="missile russia"))
        assert found == reference.expected(rows, SearchState(), ("missile", "russia"))

    def test_a_word_matches_whatever_its_case(self):
        assert set(all_ids(q="LAVROV")) == set(all_ids(q="lavrov"))

    def test_stemming_matches_plural_and_singular(self):
        assert set(all_ids(q="missiles")) == set(all_ids(q="missile"))

    def test_short_words_are_not_dropped(self):
        # "us" and "a" would vanish under Whoosh's defaults and match everything.
        everything = run().total
        assert 0 < run(q="us").total < everything

    def test_or_matches_either_word(self):
        rows = reference.rows()
        either = reference.expected(rows, SearchState(), ("lavrov",)) | reference.expected(
            rows, SearchState(), ("kremlin",)
        )
        assert set(all_ids(q="lavrov OR kremlin")) == either

    def test_not_and_minus_exclude_a_word(self):
        rows = reference.rows()
        want = reference.expected(rows, SearchState(), ("missile",)) - reference.expected(
            rows, SearchState(), ("iran",)
        )
        assert set(all_ids(q="missile NOT iran")) == want
        assert set(all_ids(q="missile -iran")) == want

    def test_parentheses_group(self):
        grouped = set(all_ids(q="missile (lavrov OR kremlin)"))
        by_hand = set(all_ids(q="missile lavrov")) | set(all_ids(q="missile kremlin"))
        assert grouped == by_hand

    def test_prefix_matches_word_starts(self):
        self.require("supports_prefix")
        found = set(all_ids(q="embass*"))
        assert set(all_ids(q="embassy")) <= found
        assert set(all_ids(q="embassies")) <= found

    def test_a_broad_prefix_lists_every_match_once(self):
        self.require("supports_prefix")
        ids = all_ids(q="th*")
        assert len(ids) == len(set(ids)) == run(q="th*").total > 0

    def test_phrase_needs_words_in_order(self):
        self.require("supports_phrases")
        rows = reference.rows()
        want = {r.id for r in rows if re.search(r"missile\s+defen[cs]e", r.text, re.I)}
        assert set(all_ids(q='"missile defense"')) == want

    def test_subject_field_searches_subjects_only(self):
        from cables.models import Cable

        want = {c.id for c in Cable.objects.all() if re.search(r"\brussia\b", c.subject, re.I)}
        assert set(all_ids(q="subject:russia")) == want

    # -- fields ------------------------------------------------------------------------------

    def test_tag_field_matches_any_kind_of_code(self):
        from cables.models import CableTag

        want = set(CableTag.objects.filter(tag__code="RS").values_list("cable_id", flat=True))
        assert set(all_ids(q="tag:RS")) == want
        assert set(all_ids(q="tag:rs")) == want

    def test_minus_tag_excludes_the_tag(self):
        with_rs = set(all_ids(q="tag:RS"))
        without = set(all_ids(q="-tag:RS"))
        assert with_rs and without
        assert not with_rs & without
        assert len(with_rs) + len(without) == run().total

    def test_country_field(self):
        from cables.models import CableTag

        want = set(CableTag.objects.filter(tag__code="JA").values_list("cable_id", flat=True))
        assert set(all_ids(q="country:JA")) == want

    def test_program_and_org_fields(self):
        from cables.models import CableTag

        knnp = set(CableTag.objects.filter(tag__code="KNNP").values_list("cable_id", flat=True))
        nato = set(CableTag.objects.filter(tag__code="NATO").values_list("cable_id", flat=True))
        assert set(all_ids(q="program:KNNP")) == knnp
        assert set(all_ids(q="org:NATO")) == nato

    def test_origin_field_matches_a_word_of_the_origin(self):
        from cables.models import Cable

        want = set(Cable.objects.filter(origin="Embassy Moscow").values_list("id", flat=True))
        assert set(all_ids(q="origin:moscow")) == want

    def test_classification_field(self):
        from cables.models import Cable

        want = set(
            Cable.objects.filter(classification__startswith="SECRET").values_list("id", flat=True)
        )
        assert set(all_ids(q="classification:secret")) == want

    def test_id_field(self):
        assert all_ids(q="id:07MOSCOW5100") == ["07MOSCOW5100"]

    def test_a_cable_id_as_the_query_finds_that_cable_first(self):
        assert run(q="07MOSCOW5100").hits[0].id == "07MOSCOW5100"
        assert run(q="07moscow5100 missile").hits[0].id == "07MOSCOW5100"

    def test_year_field(self):
        from cables.models import Cable

        want = set(Cable.objects.filter(date__year=2007).values_list("id", flat=True))
        assert want
        assert set(all_ids(q="year:2007")) == want

    def test_date_range_fields(self):
        from cables.models import Cable

        want = set(
            Cable.objects.filter(
                date__date__gte="2006-01-01", date__date__lte="2007-12-31"
            ).values_list("id", flat=True)
        )
        assert want
        assert set(all_ids(q="from:2006-01-01 to:2007-12-31")) == want

    # -- odd input ---------------------------------------------------------------------------

    @pytest.mark.parametrize(
        "q",
        [
            '"unbalanced',
            "(missile OR",
            "missile)",
            "OR",
            "AND NOT",
            "-",
            "NOT NOT",
            "foo:bar",
            "year:soon",
            "from:yesterday",
            "*",
            "a*",
            "tag:",
            "((((((((((((((((((((((((((((((((((missile",
            "missile " * 700,
            "x" * 5000,
            "\x00\u202e<script>alert(1)</script>",
            "id:*",
            '"" () :',
        ],
    )
    def test_odd_input_gives_results_or_nothing_never_an_error(self, q):
        results = run(q=q)
        assert results.total >= 0
        assert isinstance(results.understood, str)

    @settings(
        max_examples=int(os.environ.get("CABLESEARCH_FUZZ_EXAMPLES", "15")),
        deadline=None,
        # differing_executors: the same contract method runs once per engine subclass (Whoosh
        # and PostgreSQL in one process); each run is self-contained.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.differing_executors,
        ],
    )
    @given(
        st.lists(st.sampled_from(PIECES) | st.text(max_size=6), min_size=0, max_size=8).map(
            " ".join
        )
    )
    def test_generated_queries_never_raise_and_count_what_they_list(self, q):
        results = run(q=q, page_size=5)
        assert results.total == len(all_ids(q=q))
        assert len(results.hits) <= 5

    def test_understood_says_how_the_query_was_read(self):
        results = run(q="missile -tag:rs foo:bar (")
        assert "NOT tag:RS" in results.understood
        assert "unknown field" in results.understood

    def test_words_with_nothing_searchable_are_named(self):
        results = run(q="§ lavrov")
        assert "'§'" in results.understood
        assert set(all_ids(q="§ lavrov")) == set(all_ids(q="lavrov"))

    # -- facets ------------------------------------------------------------------------------

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"country": ["RS", "JA"]},
            {"tag": ["PREL"], "class": ["SECRET"]},
            {"tag": ["-PREL"], "year": ["2009", "2010"]},
            {"q": "nuclear", "country": ["IR"], "tag": ["PARM", "KNNP"]},
            {"country": ["RS"], "from": "2008-01-01", "to": "2010-06-30"},
        ],
    )
    def test_facet_counts_equal_counts_from_the_database(self, params):
        self.require("supports_facets")
        rows = reference.rows()
        state = SearchState.from_query(params)
        words = tuple(state.q.split())
        results = service.search(state)
        assert results.total == len(reference.expected(rows, state, words))
        for facet in FACETS:
            want = reference.facet_counts(rows, state, facet, words)
            got = {v.value: v.count for v in results.facets[facet].values}
            for value, count in got.items():
                assert count == want.get(value, 0), (facet, value)
            if facet != "year":
                top = sorted(want.items(), key=lambda kv: (-kv[1], kv[0]))
                assert [v for v, _ in top[: len(got)]][:3] == list(got)[:3], facet

    def test_values_of_one_facet_combine_with_or(self):
        ru, ja = run(country="RS").total, run(country="JA").total
        both = run(country=["RS", "JA"]).total
        overlap = run(q="country:RS country:JA").total
        assert both == ru + ja - overlap

    def test_facets_combine_with_and(self):
        assert set(all_ids(country="RS", tag="PREL")) == set(all_ids(country="RS")) & set(
            all_ids(tag="PREL")
        )

    def test_facet_counts_are_disjunctive(self):
        self.require("supports_disjunctive_facets")
        alone = {v.value: v.count for v in run().facets["country"].values}
        chosen = run(country="RS").facets["country"]
        # Choosing Russia leaves the other countries' counts as they were.
        for v in chosen.values:
            if v.value in alone:
                assert v.count == alone[v.value]
        assert any(v.value == "RS" and v.selected for v in chosen.values)

    def test_an_excluded_value_leaves_the_results(self):
        excluded = set(all_ids(tag="-PREL"))
        assert excluded
        assert not excluded & set(all_ids(tag="PREL"))
        value = next(v for v in run(tag="-PREL").facets["tag"].values if v.value == "PREL")
        assert value.excluded and not value.selected

    def test_facet_values_carry_labels_from_the_tag_table(self):
        facets = run(q="id:07MOSCOW5100").facets
        tag_labels = {v.value: v.label for v in facets["tag"].values}
        country_labels = {v.value: v.label for v in facets["country"].values}
        assert tag_labels["MARR"] == "MARR - Military and Defense Arrangements"
        assert country_labels["JA"] == "JA - Japan"
        assert country_labels["RS"] == "RS - Russia"

    def test_unknown_codes_show_as_the_code_alone(self):
        from cables.models import Tag

        unnamed = Tag.objects.filter(name="", kind__in=["unknown", "subject"]).first()
        assert unnamed is not None
        facet = service.facet_values(
            SearchState.from_query({"tag": unnamed.code}), "tag", limit=5000
        )
        assert {v.value: v.label for v in facet.values}[unnamed.code] == unnamed.code

    def test_year_facet_lists_every_year_in_order(self):
        from cables.models import Cable

        years = sorted({str(d.year) for d in Cable.objects.values_list("date", flat=True) if d})
        values = [v.value for v in run(q="missile").facets["year"].values]
        assert values == years

    def test_facet_values_are_most_frequent_first_and_limited(self):
        facet = run().facets["country"]
        counts = [v.count for v in facet.values]
        assert counts == sorted(counts, reverse=True)
        assert facet.has_more

    def test_more_facet_values_filter_by_label(self):
        facet = service.facet_values(SearchState(), "country", prefix="jap")
        assert [v.value for v in facet.values] == ["JA"]

    # -- results -----------------------------------------------------------------------------

    def test_unscored_queries_list_newest_first_under_relevance(self):
        dates = [h.date for h in run(q="tag:RS", page_size=10).hits if h.date]
        assert len(dates) > 1 and dates == sorted(dates, reverse=True)

    def test_sort_oldest(self):
        dates = [h.date for h in run(q="missile", sort="oldest", page_size=50).hits if h.date]
        assert dates == sorted(dates)

    def test_sort_newest(self):
        dates = [h.date for h in run(q="missile", sort="newest", page_size=50).hits if h.date]
        assert dates == sorted(dates, reverse=True)

    def test_paging_covers_every_hit_once(self):
        total = run(q="nuclear", page_size=7).total
        pages = run(q="nuclear", page_size=7).pages
        seen = []
        for page in range(1, pages + 1):
            seen.extend(h.id for h in run(q="nuclear", page_size=7, page=str(page)).hits)
        assert len(seen) == len(set(seen)) == total

    def test_page_past_the_end_shows_the_last_page(self):
        results = run(q="nuclear", page="9999")
        assert results.page == results.pages and results.hits

    def test_hits_carry_cable_fields(self):
        hit = run(q="id:07MOSCOW5100").hits[0]
        assert hit.subject.startswith("FM LAVROV CRITICIZES")
        assert hit.origin == "Embassy Moscow"
        assert hit.classification == "CONFIDENTIAL"
        assert hit.tags == ("MARR", "PARM", "PREL", "JA", "RS")
        assert hit.date.year == 2007

    def test_total_for_and_iter_ids_agree_with_search(self):
        state = SearchState.from_query({"q": "nuclear", "sort": "newest"})
        results = service.search(state, page_size=10)
        assert service.total_for(state) == results.total
        assert list(service.iter_ids(state, 10)) == [h.id for h in results.hits]

    # -- snippets ----------------------------------------------------------------------------

    def test_snippets_point_at_paragraphs_holding_the_words(self):
        self.require("supports_snippets")
        from cables.models import Paragraph

        for hit in run(q="lavrov").hits:
            assert hit.snippets
            for snippet in hit.snippets[:3]:
                assert "<mark>" in snippet.html
                if snippet.paragraph >= 0:
                    texts = Paragraph.objects.filter(
                        cable_id=hit.id, number=snippet.paragraph
                    ).values_list("text", flat=True)
                    assert any(re.search(r"lavrov", t, re.I) for t in texts)

    def test_at_most_three_snippets(self):
        self.require("supports_snippets")
        assert all(len(h.snippets) <= 3 for h in run(q="the").hits)

    def test_snippets_are_escaped_with_only_mark_added(self):
        self.require("supports_snippets")
        for hit in run(q="missile", page_size=50).hits:
            for snippet in hit.snippets:
                stripped = snippet.html.replace("<mark>", "").replace("</mark>", "")
                assert "<" not in stripped and ">" not in stripped

    def test_subject_only_match_gives_a_subject_snippet(self):
        self.require("supports_snippets")
        snippet = run(q="id:07MOSCOW5100 subject:criticizes").hits[0].snippets[0]
        assert snippet.paragraph == -1
        assert "<mark>CRITICIZES</mark>" in snippet.html

    # -- marking a cable's text (the cable page) ---------------------------------------------

    def test_highlighter_marks_what_the_search_matched(self):
        self.require("supports_snippets")
        html = service.highlighter("missiles").mark("Lavrov: missile <b>defense</b>")
        assert html == "Lavrov: <mark>missile</mark> &lt;b&gt;defense&lt;/b&gt;"

    def test_highlighter_marks_a_phrase_only_where_whole(self):
        self.require("supports_snippets")
        marker = service.highlighter('"missile defense"')
        assert marker.mark("missile defense") == "<mark>missile defense</mark>"
        assert "<mark>" not in marker.mark("missile and defense")

    def test_highlighter_of_filters_alone_marks_nothing(self):
        self.require("supports_snippets")
        marker = service.highlighter("tag:MARR -lavrov")
        assert not marker
        assert marker.mark("MARR Lavrov") == "MARR Lavrov"

    # -- suggestions -------------------------------------------------------------------------

    def test_did_you_mean_for_a_misspelling(self):
        self.require("supports_suggestions")
        assert run(q="misile").suggestion == "missile"

    def test_no_suggestion_when_the_query_finds_plenty(self):
        assert run(q="missile").suggestion is None

    # -- the engine primitives (search.backends.base), asked directly -----------------------

    def test_match_gives_the_requested_slice_of_iter_ids(self):
        ids = list(engine().iter_ids(criteria("nuclear"), "newest", 12))
        assert len(ids) == 12
        assert list(match("nuclear", sort="newest", offset=5, limit=7).ids) == ids[5:12]

    def test_match_total_equals_count(self):
        want = reference.expected(reference.rows(), SearchState(), ("missile",))
        assert match("missile").total == engine().count(criteria("missile")) == len(want)

    def test_match_scores_are_as_long_as_ids(self):
        found = match("missile", limit=9)
        assert len(found.ids) == len(found.scores) == 9

    def test_an_offset_past_the_end_gives_no_ids_and_the_true_total(self):
        found = match("missile", offset=10_000, limit=10)
        assert found.ids == () and found.total > 0

    def test_relevance_ranks_higher_scores_first(self):
        scores = list(match("missile russia OR lavrov", limit=30).scores)
        assert scores == sorted(scores, reverse=True) and scores[0] > 0

    def test_relevance_without_a_searchable_word_lists_newest_first(self):
        assert match("§", limit=30).ids == match(sort="newest", limit=30).ids

    def test_searched_says_whether_the_text_query_narrowed_anything(self):
        assert match("lavrov").searched
        assert not match("").searched
        assert not match("§").searched

    def test_unsearchable_names_the_words_left_out(self):
        assert match("§ lavrov").unsearchable == ("§",)
        assert match("lavrov").unsearchable == ()

    def test_a_broad_prefix_says_what_it_stood_for(self):
        self.require("supports_prefix")
        assert any("th*" in note for note in match("th*").notes)

    def test_facet_counts_leave_their_own_filter_out(self):
        self.require("supports_disjunctive_facets")
        request = [FacetRequest("country", limit=None)]
        alone = dict(match(facets=request, limit=0).facets["country"].values)
        chosen = dict(match(country="RS", facets=request, limit=0).facets["country"].values)
        assert chosen == alone

    def test_facet_counts_respect_other_facets_filters(self):
        self.require("supports_facets")
        rows = reference.rows()
        state = SearchState.from_query({"tag": "PREL", "country": "RS"})
        got = dict(
            match(tag="PREL", country="RS", facets=[FacetRequest("class", None)])
            .facets["class"]
            .values
        )
        assert got == reference.facet_counts(rows, state, "class", ())

    def test_facet_limit_keeps_the_most_frequent_and_says_there_are_more(self):
        self.require("supports_facets")
        counts = match(facets=[FacetRequest("country", limit=3)], limit=0).facets["country"]
        every = match(facets=[FacetRequest("country", limit=None)], limit=0).facets["country"]
        assert counts.values == every.values[:3] and counts.has_more
        assert not every.has_more

    def test_facet_values_are_most_frequent_first_then_alphabetical(self):
        self.require("supports_facets")
        values = match(facets=[FacetRequest("tag", None)], limit=0).facets["tag"].values
        assert list(values) == sorted(values, key=lambda vc: (-vc[1], vc[0]))
        assert all(count > 0 for _, count in values)

    def test_pinned_facet_values_are_counted_whatever_their_rank(self):
        self.require("supports_facets")
        request = FacetRequest("country", limit=1, pinned=("JA", "ZZNOPE"))
        values = match(facets=[request], limit=0).facets["country"].values
        assert len(values) == 3
        assert values[1][0] == "JA" and values[1][1] > 0
        assert values[2] == ("ZZNOPE", 0)

    def test_every_year_is_counted_even_without_a_match(self):
        self.require("supports_facets")
        years = match(facets=[FacetRequest("year", None, every=True)], limit=0).facets["year"]
        narrowed = match(
            "id:07MOSCOW5100", facets=[FacetRequest("year", None, every=True)], limit=0
        ).facets["year"]
        assert [v for v, _ in narrowed.values] == [v for v, _ in years.values]
        assert dict(narrowed.values)["2007"] == 1
        assert sum(c for _, c in narrowed.values) == 1

    def test_suggest_gives_the_closest_common_word(self):
        self.require("supports_suggestions")
        found = engine().suggest(["misile"])["misile"]
        assert found.closest == "missile"
        assert found.closest_frequency > 10 * found.frequency

    def test_highlighter_spans_cover_the_matched_words(self):
        self.require("supports_snippets")
        spans = engine().highlighter(parse("missiles").tree).spans("Lavrov: missile defense")
        assert [(s, e) for s, e, _ in spans] == [(8, 15)]

    def test_an_added_window_keeps_the_cables_first_imported_in_it(self):
        after, until = first_imports()[150], first_imports()[50]
        want = set(
            Cable.objects.filter(first_imported__gt=after, first_imported__lte=until).values_list(
                "id", flat=True
            )
        )
        window = replace(criteria(), added_from=after, added_to=until)
        assert len(want) == 100
        assert set(engine().iter_ids(window, "newest", 1000)) == want
        assert engine().count(window) == 100

    def test_an_open_added_window_counts_from_its_one_end(self):
        window = replace(criteria("missile"), added_from=first_imports()[100])
        want = set(
            Cable.objects.filter(first_imported__gt=first_imports()[100]).values_list(
                "id", flat=True
            )
        )
        found = set(engine().iter_ids(window, "relevance", 1000))
        assert found and found == want & set(engine().iter_ids(criteria("missile"), "newest", 1000))

    def test_facet_counts_narrow_with_the_added_window(self):
        window = replace(criteria(), added_to=first_imports()[120])
        request = MatchRequest(window, "newest", 0, 0, (FacetRequest("year", limit=None),))
        counts = dict(engine().match(request).facets["year"].values)
        kept = Cable.objects.filter(first_imported__lte=first_imports()[120])
        want: dict[str, int] = {}
        for day in kept.values_list("date", flat=True):
            if day is not None:
                want[str(day.year)] = want.get(str(day.year), 0) + 1
        assert {y: c for y, c in counts.items() if c} == want

    def test_recently_added_lists_the_latest_first_imports_first(self):
        want = list(Cable.objects.order_by("-first_imported").values_list("id", flat=True)[:30])
        assert list(engine().iter_ids(criteria(), "added", 30)) == want

    def test_recently_added_pages_follow_one_order(self):
        whole = list(engine().iter_ids(criteria("nuclear"), "added", 40))
        assert list(match("nuclear", sort="added", offset=10, limit=10).ids) == whole[10:20]

    def test_generation_is_stable_while_nothing_changes(self):
        assert engine().generation() == engine().generation()

    # -- helpers -----------------------------------------------------------------------------

    def require(self, capability: str) -> None:
        needs(capability)()
