"""/search.json: the documented keys, the same URL keys as the page, errors as JSON."""

from __future__ import annotations

import pytest

from search.state import FACETS

pytestmark = pytest.mark.usefixtures("searchable")


def test_keys_match_the_documented_shape(client):
    data = client.get("/search.json", {"q": "missile", "country": "RS"}).json()
    assert set(data) == {"query", "total", "page", "pages", "results", "facets", "suggestion"}
    assert set(data["query"]) == {"q", "understood", "filters"}
    assert data["query"]["filters"]["country"] == {"include": ["RS"], "exclude": []}
    assert set(data["facets"]) == set(FACETS)
    hit = data["results"][0]
    assert set(hit) == {
        "id", "url", "subject", "date", "origin", "classification", "tags", "snippets",
    }  # fmt: skip
    assert set(hit["snippets"][0]) == {"paragraph", "html"}
    value = data["facets"]["country"][0]
    assert set(value) == {"value", "label", "count", "selected", "excluded"}


def test_totals_agree_with_the_facet_filter(client):
    data = client.get("/search.json", {"country": "RS"}).json()
    rs = next(v for v in data["facets"]["country"] if v["value"] == "RS")
    assert rs["selected"] and rs["count"] == data["total"]


def test_hit_urls_open_the_cable(client):
    data = client.get("/search.json", {"q": "07MOSCOW5100"}).json()
    assert data["results"][0]["url"] == "/cables/07MOSCOW5100/"


def test_odd_queries_answer_200(client):
    for q in ['"', "(", "OR", "x" * 5000, "tag:"]:
        response = client.get("/search.json", {"q": q, "page": "abc", "size": "zz"})
        assert response.status_code == 200


def test_suggestion_is_null_or_a_string(client):
    assert client.get("/search.json", {"q": "misile"}).json()["suggestion"] == "missile"
    assert client.get("/search.json", {"q": "missile"}).json()["suggestion"] is None


def test_missing_index_answers_503_as_json(client, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "nothing-here"
    response = client.get("/search.json")
    assert response.status_code == 503
    assert "rebuild_index" in response.json()["error"]


def test_filters_say_which_facets_need_all_of_their_values(client):
    data = client.get("/search.json?tag=PREL&tag=PGOV&all=tag").json()
    assert data["query"]["filters"]["all"] == ["tag"]
    assert data["query"]["filters"]["tag"]["include"] == ["PREL", "PGOV"]
