"""The search page against the real search service and a real index of real cables."""

from __future__ import annotations

import csv
import io
import itertools
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.test import override_settings

from search import service, views
from search.state import SearchState
from tests.search.ui_data import extract_slice, import_slice

ATOM = "{http://www.w3.org/2005/Atom}"
HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def _imported(django_db_setup, django_db_blocker, corpus_dir, tmp_path_factory):
    """About 60 real cables, imported once for this module and indexed by the import's signals.

    The tests only read, so they share one database and index; both are emptied afterwards.
    """
    folder = extract_slice(corpus_dir, tmp_path_factory.mktemp("slice"), count=60)
    index = tmp_path_factory.mktemp("index")
    with django_db_blocker.unblock(), override_settings(SEARCH_INDEX_DIR=index):
        import_slice(folder)
        yield index
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def library(_imported, db, settings):
    settings.SEARCH_INDEX_DIR = _imported


def html_of(response) -> str:
    return response.content.decode()


# -- whole page or the results region ---------------------------------------------------------


def test_plain_request_gets_the_whole_page(client, library):
    response = client.get("/search", {"q": "missile"})

    html = html_of(response)
    assert response.status_code == 200
    assert html.startswith("<!doctype html>")
    assert 'id="search-form"' in html
    assert 'id="results"' in html


def test_home_page_is_the_search_page(client, library):
    html = html_of(client.get("/"))

    assert 'id="search-form"' in html
    assert 'id="results"' in html


def test_htmx_request_gets_only_the_results_region(client, library):
    html = html_of(client.get("/search", {"q": "missile"}, headers=HTMX))

    assert html.lstrip().startswith(
        '<title>missile · Search · cablesearch</title>\n<div id="results"'
    )
    assert "<html" not in html
    assert 'id="search-form"' not in html


def test_htmx_response_updates_the_live_region_out_of_band(client, library):
    html = html_of(client.get("/search", {"q": "missile"}, headers=HTMX))

    assert '<span id="result-status" hx-swap-oob="innerHTML">' in html


def test_history_restore_gets_the_whole_page(client, library):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}

    html = html_of(client.get("/search", {"q": "missile"}, headers=headers))

    assert html.startswith("<!doctype html>")
    assert 'id="search-form"' in html


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_page_and_fragment_vary_on_hx_request(client, library, headers):
    response = client.get("/search", {"q": "missile"}, headers=headers)

    assert "HX-Request" in response["Vary"]
    assert "HX-History-Restore-Request" in response["Vary"]


def test_typing_replaces_the_history_entry_with_the_canonical_url(client, library):
    response = client.get(
        "/search?q=missile&from=&to=&country=JA", headers={**HTMX, "HX-Trigger": "q"}
    )

    assert response["HX-Replace-Url"] == "/search?q=missile&country=JA"
    assert "HX-Push-Url" not in response


def test_other_requests_push_a_history_entry(client, library):
    response = client.get(
        "/search?sort=newest&q=missile", headers={**HTMX, "HX-Trigger": "search-form"}
    )

    assert response["HX-Push-Url"] == "/search?q=missile&sort=newest"


# -- what the page shows ------------------------------------------------------------------------


def test_facets_show_labels_counts_and_toggle_links(client, library):
    html = html_of(client.get("/search", {"q": "missile"}))

    assert "MARR - Military and Defense Arrangements" in html
    assert "JA - Japan" in html
    assert 'href="/search?q=missile&amp;country=JA"' in html
    assert 'href="/search?q=missile&amp;country=-JA"' in html


def test_selected_values_are_checked_and_removable_chips(client, library):
    html = html_of(client.get("/search", {"q": "missile", "country": "JA"}))

    assert 'id="fv-country-JA" class="facet-check" role="checkbox" aria-checked="true"' in html
    assert 'class="chip chip-remove" href="/search?q=missile"' in html


def test_excluded_values_are_struck_through_chips(client, library):
    html = html_of(client.get("/search", {"q": "missile", "tag": "-PREL"}))

    assert 'class="chip chip-remove chip-excluded" href="/search?q=missile"' in html
    assert "PREL - External Political Relations" in html


def test_result_links_carry_the_query_and_the_matching_paragraph(client, library):
    html = html_of(client.get("/search", {"q": "lavrov"}))

    assert 'href="/cables/07MOSCOW5100/?q=lavrov#p1"' in html


def test_histogram_bars_filter_to_their_year(client, library):
    html = html_of(client.get("/search", {"q": "missile"}))

    assert '<a href="/search?q=missile&amp;year=2007"' in html
    assert 'class="bar-fill"' in html


def test_result_count_and_query_as_understood(client, library):
    html = html_of(client.get("/search", {"q": "missile"}))

    total = int(html.split('id="results-heading" tabindex="-1">')[1].split(" ")[0])
    assert total > 0
    assert "Searched for:" in html


def test_no_match_shows_the_empty_state_with_tips(client, library):
    html = html_of(client.get("/search", {"q": "zzyzxqqq"}))

    assert "No cable matches" in html
    assert "query help" in html


def test_a_misspelling_offers_did_you_mean(client, library):
    # Which typos the engine corrects depends on its word statistics: take the first it does.
    typos = ["goverment", "minster", "embasy", "misile", "presidnet", "secratary"]
    corrected = [(t, service.search(SearchState(q=t)).suggestion) for t in typos]
    typo, suggestion = next((t, s) for t, s in corrected if s)

    html = html_of(client.get("/search", {"q": typo}))

    assert "Did you mean" in html
    assert f'href="{SearchState(q=suggestion).url()}"' in html


def test_paging_links(client, library):
    html = html_of(client.get("/search"))

    assert 'href="/search?page=2"' in html
    assert 'aria-current="page">1<' in html


def test_sort_links_keep_the_search(client, library):
    html = html_of(client.get("/search", {"q": "missile"}))

    assert 'href="/search?q=missile&amp;sort=newest"' in html


def test_without_words_the_sort_is_newest_and_relevance_is_not_offered(client, library):
    html = html_of(client.get("/search", {"country": "JA"}))

    assert '<span class="sort-current" aria-current="true">Newest first</span>' in html
    assert "Relevance" not in html
    assert 'href="/search?country=JA&amp;sort=oldest"' in html


def test_alternate_formats_and_opensearch_are_linked(client, library):
    html = html_of(client.get("/search", {"q": "missile"}))

    assert '<link rel="alternate" type="application/json" href="/search.json?q=missile"' in html
    assert '<link rel="alternate" type="text/csv" href="/search.csv?q=missile"' in html
    assert 'type="application/atom+xml" href="/search.atom?q=missile&amp;sort=newest"' in html
    assert 'rel="search" type="application/opensearchdescription+xml"' in html


@pytest.mark.parametrize(
    "query",
    [
        {"q": '"unbalanced'},
        {"q": "AND OR ( NOT"},
        {"q": "tag:"},
        {"q": "*"},
        {"q": "x" * 6000},
        {"q": "\x00"},
        {"page": "-5"},
        {"page": "99999"},
        {"from": "2007-13-45", "to": "nonsense"},
        {"year": "1800"},
        {"country": "<script>"},
        {"sort": "random"},
    ],
)
def test_bad_input_never_fails(client, library, query):
    assert client.get("/search", query).status_code == 200


def test_a_missing_index_gives_a_friendly_503(client, library, index_dir):
    # index_dir: a fresh, empty index folder while the database holds cables.
    response = client.get("/search", {"q": "missile"})

    assert response.status_code == 503
    assert "manage.py rebuild_index" in html_of(response)


# -- the facet's full list ----------------------------------------------------------------------


def test_all_values_of_a_facet(client, library):
    html = html_of(client.get("/search/facets/country", {"q": "missile"}))

    assert "All country values" in html
    assert "JA - Japan" in html
    assert 'class="facet-filter"' in html


def test_all_values_of_a_facet_as_a_fragment(client, library):
    html = html_of(client.get("/search/facets/country", {"q": "missile"}, headers=HTMX))

    assert html.lstrip().startswith('<div class="facet-list">')
    assert "JA - Japan" in html


def test_facet_list_page_uses_plain_links_and_its_fragment_htmx(client, library):
    page = html_of(client.get("/search/facets/country", {"q": "missile"}))
    fragment = html_of(client.get("/search/facets/country", {"q": "missile"}, headers=HTMX))

    # The standalone page has no results region for htmx to fill.
    assert 'hx-get="/search?q=missile&amp;country=JA"' not in page
    assert 'hx-get="/search?q=missile&amp;country=JA"' in fragment


def test_unknown_facet_is_404(client, library):
    assert client.get("/search/facets/nonsense").status_code == 404


# -- other formats ----------------------------------------------------------------------------


def test_csv_streams_every_matching_cable(client, library):
    response = client.get("/search.csv", {"q": "missile"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == ["id", "date", "origin", "classification", "tags", "subject", "url"]
    moscow = next(row for row in rows if row[0] == "07MOSCOW5100")
    assert moscow[1:4] == ["2007-10-22", "Embassy Moscow", "CONFIDENTIAL"]
    assert moscow[4] == "MARR PARM PREL JA RS"
    assert moscow[6] == "http://testserver/cables/07MOSCOW5100/"
    html = html_of(client.get("/search", {"q": "missile"}))
    total = int(html.split('id="results-heading" tabindex="-1">')[1].split(" ")[0])
    assert len(rows) - 1 == total


def test_csv_stops_at_the_row_limit(client, library, settings):
    settings.CABLESEARCH_CSV_MAX_ROWS = 7

    response = client.get("/search.csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1 + 7


def test_atom_feed_is_valid_and_newest_first(client, library):
    response = client.get("/search.atom", {"q": "missile"})

    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    published = [
        e.find(f"{ATOM}published").text for e in entries if e.find(f"{ATOM}published") is not None
    ]
    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text
    assert entries
    assert all(e.find(f"{ATOM}updated") is not None for e in entries)
    assert published == sorted(published, reverse=True)
    assert all(
        e.find(f"{ATOM}link").get("href").startswith("http://testserver/cables/") for e in entries
    )


def test_opensearch_description(client, db):
    response = client.get("/opensearch.xml")

    doc = ElementTree.fromstring(response.content)
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    templates = [u.get("template") for u in doc.findall(f"{ns}Url")]
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    assert "http://testserver/search?q={searchTerms}" in templates


# -- help -------------------------------------------------------------------------------------


def test_help_renders_the_query_syntax_document(client, db, tmp_path, monkeypatch):
    doc = tmp_path / "search.md"
    doc.write_text("# Query syntax\n\nUse `-word` to exclude.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    monkeypatch.setattr(views, "HELP_FILE", doc)

    html = html_of(client.get("/help"))

    assert '<h1 id="query-syntax">Query syntax</h1>' in html
    assert "<code>-word</code>" in html
    assert "<table>" in html


def test_facet_links_equal_the_state_link_builders_for_every_value():
    from search.results import Facet, FacetValue
    from search.state import FACETS

    busy = SearchState.from_query(
        {
            "q": "missile & defence",
            "tag": ["PREL", "-MARR", "ETRD"],
            "country": ["-RS", "IR"],
            "org": "-UN",
            "person": "Lavrov, Sergei",
            "origin": "Embassy Moscow",
            "year": "2009",
            "from": "2008-01-01",
            "sort": "oldest",
            "page": "4",
        }
    )
    values = ["PREL", "MARR", "ETRD", "RS", "IR", "UN", "Lavrov, Sergei", "Embassy Moscow"]
    values += ["2009", "SECRET//NOFORN", "a+b c/d?é", "KPAO"]
    for state, name in itertools.product((busy, SearchState()), FACETS):
        links = views.FacetLinks(state, name)
        facet = Facet(name, name, tuple(FacetValue(v, v, 1) for v in values))
        items = views.facet_items(state, facet)
        for value, item in zip(values, items, strict=True):
            toggled = state.toggling(name, value).url()
            excluded = state.excluding(name, value).url()
            assert (links.toggle_url(value), item.toggle_url) == (toggled, toggled)
            assert (links.exclude_url(value), item.exclude_url) == (excluded, excluded)


def test_a_query_with_nothing_searchable_marks_the_sort_it_lists_by(client, library):
    html = html_of(client.get("/search", {"q": "§"}))

    assert '<span class="sort-current" aria-current="true">Newest first</span>' in html
    assert "Relevance" not in html
