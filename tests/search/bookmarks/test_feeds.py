from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from cables.models import Cable
from search.bookmarks.models import SavedSearch

from .conftest import MISSILE_RS, RS_CABLES, make_cable

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[str]:
    """The cable ids in a feed, in feed order."""
    root = ElementTree.fromstring(response.content)
    return [
        e.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[-1]
        for e in root.iter(f"{ATOM}entry")
    ]


@pytest.fixture
def saved(alice):
    return SavedSearch.objects.create(user=alice, name="Missile defense, Russia", query=MISSILE_RS)


def test_the_feed_needs_no_session_and_lists_the_newest_first(client, saved, importer):
    importer(*RS_CABLES, "05THEHAGUE2064")

    response = client.get(saved.feed_url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert entries(response) == ["08ROME1386", "07PARIS4357", "07PARIS3919", "07PARIS1995"]


def test_the_feed_is_titled_after_the_saved_search(client, saved, importer):
    importer(RS_CABLES[0])

    root = ElementTree.fromstring(client.get(saved.feed_url).content)

    assert root.find(f"{ATOM}title").text == "Missile defense, Russia · cablesearch"
    assert root.find(f"{ATOM}link").get("href") == "http://testserver" + saved.search_url


def test_a_cable_imported_later_appears_in_the_feed(client, saved, importer):
    importer(*RS_CABLES[:3])
    assert "08ROME1386" not in entries(client.get(saved.feed_url))

    importer("08ROME1386")

    assert "08ROME1386" in entries(client.get(saved.feed_url))


def test_an_old_cable_imported_later_appears_though_not_among_the_newest(
    client, saved, importer, settings
):
    settings.CABLESEARCH_FEED_ENTRIES = 2  # the "newest" part of the feed holds two cables
    importer(*RS_CABLES[1:])
    Cable.objects.update(first_imported=timezone.now() - timedelta(days=60))

    importer("07PARIS1995")  # the oldest cable by date

    assert entries(client.get(saved.feed_url)) == ["08ROME1386", "07PARIS4357", "07PARIS1995"]


def test_entries_say_when_the_cable_arrived_and_escape_its_text(client, saved, importer):
    importer("08ROME1386")
    cable = Cable.objects.get(pk="08ROME1386")
    Cable.objects.filter(pk=cable.pk).update(origin="Embassy <Rome> & Co")

    root = ElementTree.fromstring(client.get(saved.feed_url).content)
    entry = root.find(f"{ATOM}entry")

    assert entry.find(f"{ATOM}updated").text.startswith(cable.first_imported.strftime("%Y-%m-%d"))
    assert entry.find(f"{ATOM}published").text.startswith("2008-")
    assert "Embassy &lt;Rome&gt; &amp; Co" in entry.find(f"{ATOM}summary").text


def test_the_feed_keeps_its_address_private(client, saved, importer):
    importer(RS_CABLES[0])

    response = client.get(saved.feed_url)

    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"].startswith("private")
    feed_id = ElementTree.fromstring(response.content).find(f"{ATOM}id").text
    assert feed_id == f"tag:cablesearch,2026:saved-search/{saved.pk}"  # not the token


def test_the_feed_is_not_bound_to_the_result_page_size(client, saved, importer, settings):
    settings.CABLESEARCH_PAGE_SIZE = 1
    importer(*RS_CABLES)
    Cable.objects.update(first_imported=timezone.now() - timedelta(days=60))  # none is recent

    assert len(entries(client.get(saved.feed_url))) == 4


def test_an_unknown_token_is_404(client, db):
    assert client.get("/feeds/" + "x" * 43 + ".atom").status_code == 404


def test_a_regenerated_token_retires_the_old_address(alice_client, client, saved, importer):
    importer(RS_CABLES[0])
    old_url = saved.feed_url

    alice_client.post(f"/bookmarks/searches/{saved.pk}/token/")

    saved.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert client.get(saved.feed_url).status_code == 200


def test_a_deleted_saved_search_has_no_feed(alice_client, client, saved, importer):
    importer(RS_CABLES[0])
    url = saved.feed_url

    alice_client.post(f"/bookmarks/searches/{saved.pk}/delete/")

    assert client.get(url).status_code == 404


def test_the_bookmarks_page_shows_the_feed_address_only_to_its_owner(
    alice_client, bob_client, saved, importer
):
    importer(RS_CABLES[0])

    assert saved.feed_url in alice_client.get("/bookmarks/").text
    assert saved.feed_url not in bob_client.get("/bookmarks/").text


def test_feed_without_an_index_is_unavailable_not_a_server_error(saved, db, index_dir):
    make_cable("07MOSCOW5100")  # in the database but never indexed: the index must be rebuilt

    response = Client(raise_request_exception=False).get(saved.feed_url)

    assert response.status_code == 503
