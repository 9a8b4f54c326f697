from datetime import timedelta

from django.utils import timezone

from cables.models import Cable
from search.bookmarks.counts import counts_for
from search.bookmarks.models import SavedSearch

from .conftest import MISSILE_RS, RS_CABLES, make_cable


def saved_at(user, query: str, opened):
    return SavedSearch.objects.create(user=user, name=query, query=query, last_opened_at=opened)


def test_total_and_nothing_new(alice, importer):
    importer(*RS_CABLES, "05THEHAGUE2064")
    saved = saved_at(alice, MISSILE_RS, timezone.now())

    counts = counts_for([saved])[saved.pk]

    assert (counts.total, counts.new, counts.new_label) == (4, 0, "0")


def test_cables_imported_after_opening_count_as_new(alice, importer):
    importer(*RS_CABLES[:2])
    saved = saved_at(alice, MISSILE_RS, timezone.now())
    importer(*RS_CABLES[2:], "05THEHAGUE2064")  # two match, one does not

    counts = counts_for([saved])[saved.pk]

    assert (counts.total, counts.new) == (4, 2)


def test_new_is_measured_from_each_searches_own_last_opening(alice, importer):
    importer(*RS_CABLES)
    opened = Cable.objects.get(pk="07PARIS4357").first_imported
    Cable.objects.filter(pk__in=["07PARIS4357", "08ROME1386"]).update(
        first_imported=opened + timedelta(hours=1)
    )
    early = saved_at(alice, MISSILE_RS, opened - timedelta(days=1))
    middle = saved_at(alice, "q=missile+defense", opened)

    counts = counts_for([early, middle])

    assert counts[early.pk].new == 4
    assert counts[middle.pk].new == 2


def test_a_lower_bound_when_the_scan_stops_early(alice, importer, settings):
    importer(*RS_CABLES)
    saved = saved_at(alice, MISSILE_RS, timezone.now() - timedelta(days=1))
    settings.CABLESEARCH_NEW_SCAN_LIMIT = 2

    counts = counts_for([saved])[saved.pk]

    assert (counts.new, counts.new_is_lower_bound, counts.new_label) == (2, True, "2+")


def test_a_missing_index_gives_no_count_instead_of_an_error(alice, db, index_dir):
    make_cable("07MOSCOW5100")  # in the database but never indexed
    saved = saved_at(alice, MISSILE_RS, timezone.now())

    counts = counts_for([saved])[saved.pk]

    assert counts.total is None


def test_the_bookmarks_page_shows_counts(alice_client, alice, importer):
    importer(*RS_CABLES[:3])
    saved = saved_at(alice, MISSILE_RS, timezone.now())
    importer(RS_CABLES[3])

    response = alice_client.get("/bookmarks/")

    assert "4 cables" in response.text
    assert "1 new" in response.text
    assert f"/bookmarks/searches/{saved.pk}/open/" in response.text


def test_opening_resets_new(alice_client, alice, importer):
    importer(*RS_CABLES[:3])
    saved = saved_at(alice, MISSILE_RS, timezone.now())
    importer(RS_CABLES[3])

    alice_client.post(f"/bookmarks/searches/{saved.pk}/open/")

    assert "1 new" not in alice_client.get("/bookmarks/").text
