import csv
import io
import json

import pytest

from search.bookmarks.models import CableBookmark, SavedSearch

from .conftest import make_cable


@pytest.fixture
def alices_things(alice, bob):
    SavedSearch.objects.create(user=alice, name="NATO · tag: PREL", query="q=nato&tag=PREL")
    SavedSearch.objects.create(user=bob, name="bob's search", query="q=bob")
    moscow = make_cable("07MOSCOW5100", "Missile defense")
    CableBookmark.objects.create(user=alice, cable=moscow, note='=HYPERLINK("http://x")')
    CableBookmark.objects.create(user=bob, cable=moscow, note="bob's note")


def test_json_export_holds_the_users_searches_and_cables(alice_client, alices_things):
    response = alice_client.get("/bookmarks/export.json")
    data = json.loads(response.content)

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert [s["name"] for s in data["saved_searches"]] == ["NATO · tag: PREL"]
    assert data["saved_searches"][0]["search_url"] == "http://testserver/search?q=nato&tag=PREL"
    assert [(c["cable_id"], c["subject"]) for c in data["cable_bookmarks"]] == [
        ("07MOSCOW5100", "Missile defense")
    ]
    assert data["cable_bookmarks"][0]["cable_url"] == "http://testserver/cables/07MOSCOW5100/"


def test_csv_export_holds_one_row_per_search_and_cable(alice_client, alices_things):
    response = alice_client.get("/bookmarks/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    assert response["Content-Type"].startswith("text/csv")
    assert [(r["kind"], r["name"], r["cable_id"]) for r in rows] == [
        ("search", "NATO · tag: PREL", ""),
        ("cable", "", "07MOSCOW5100"),
    ]


def test_csv_export_defuses_spreadsheet_formulas(alice_client, alices_things):
    rows = list(csv.DictReader(io.StringIO(alice_client.get("/bookmarks/export.csv").text)))

    assert rows[1]["note"] == '\'=HYPERLINK("http://x")'


def test_json_export_keeps_the_note_verbatim(alice_client, alices_things):
    data = alice_client.get("/bookmarks/export.json").json()

    assert data["cable_bookmarks"][0]["note"] == '=HYPERLINK("http://x")'


def test_exports_hold_nothing_of_other_users(bob_client, alices_things):
    data = bob_client.get("/bookmarks/export.json").json()
    text = bob_client.get("/bookmarks/export.csv").text

    assert [s["name"] for s in data["saved_searches"]] == ["bob's search"]
    assert [c["note"] for c in data["cable_bookmarks"]] == ["bob's note"]
    assert "NATO" not in text and "HYPERLINK" not in text


@pytest.mark.parametrize("url", ["/bookmarks/export.csv", "/bookmarks/export.json"])
def test_exports_need_signing_in(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
