"""New since: "N new" opens exactly those cables (``added=``), the sort, the "new" mark."""

from __future__ import annotations

from datetime import timedelta

from django.http import QueryDict
from django.utils import timezone

from cables.models import Cable
from search import service
from search.bookmarks.counts import counts_for
from search.bookmarks.models import SavedSearch
from search.state import SearchState

from .conftest import MISSILE_RS, RS_CABLES


def ids_of(url: str) -> list[str]:
    state = SearchState.from_query(QueryDict(url.split("?", 1)[1]))
    return sorted(hit.id for hit in service.search(state).hits)


def test_the_new_link_shows_exactly_the_cables_counted_new(alice, importer):
    importer(*RS_CABLES[:2])
    saved = SavedSearch.objects.create(
        user=alice, name="rs", query=MISSILE_RS, last_opened_at=timezone.now()
    )
    importer(*RS_CABLES[2:], "05THEHAGUE2064")  # two match, one does not

    counts = counts_for([saved])[saved.pk]

    assert counts.new == 2
    assert ids_of(saved.new_url) == sorted(RS_CABLES[2:])


def test_opening_by_the_new_link_marks_the_search_opened(alice_client, alice, importer):
    importer(*RS_CABLES[:2])
    opened = timezone.now()
    saved = SavedSearch.objects.create(
        user=alice, name="rs", query=MISSILE_RS, last_opened_at=opened
    )
    importer(RS_CABLES[2])

    response = alice_client.post(f"/bookmarks/searches/{saved.pk}/open/", {"new": "1"})

    assert ids_of(response.url) == [RS_CABLES[2]]
    saved.refresh_from_db()
    assert saved.last_opened_at > opened


def test_the_new_count_is_a_link_on_the_bookmarks_page(alice_client, alice, importer):
    importer(*RS_CABLES[:2])
    saved = SavedSearch.objects.create(
        user=alice, name="rs", query=MISSILE_RS, last_opened_at=timezone.now()
    )
    importer(RS_CABLES[2])

    html = alice_client.get("/bookmarks/").content.decode()

    assert f'action="/bookmarks/searches/{saved.pk}/open/"' in html
    assert '<input type="hidden" name="new" value="1">' in html and "1 new<span" in html


def test_added_in_the_last_days_by_hand(db, importer):
    importer(*RS_CABLES)
    Cable.objects.filter(pk=RS_CABLES[0]).update(first_imported=timezone.now() - timedelta(days=10))

    assert ids_of("/search?q=missile&added=7d") == sorted(RS_CABLES[1:])


def test_recently_added_sorts_by_import_time(db, importer):
    importer(*RS_CABLES)
    now = timezone.now()
    for age, cid in enumerate(RS_CABLES):
        Cable.objects.filter(pk=cid).update(first_imported=now - timedelta(hours=age))

    state = SearchState.from_query({"q": "missile", "sort": "added"})

    assert [hit.id for hit in service.search(state).hits] == list(RS_CABLES)


def test_results_mark_recently_added_cables_new(client, importer):
    importer(*RS_CABLES[:2])
    Cable.objects.filter(pk=RS_CABLES[0]).update(
        first_imported=timezone.now() - timedelta(days=300)
    )

    html = client.get("/search?q=missile&sort=oldest").content.decode()

    assert html.count('class="badge badge-new"') == 1
