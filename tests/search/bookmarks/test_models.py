from datetime import date

import pytest
from django.db import IntegrityError

from search.bookmarks.models import (
    CableBookmark,
    SavedSearch,
    canonical_query,
    new_feed_token,
    query_hash,
)
from search.bookmarks.summary import summarize
from search.state import SearchState

from .conftest import make_cable


def test_canonical_query_ignores_key_order_page_and_junk():
    a = canonical_query("?country=RS&q=missile+defense&country=JA&page=3&utm=x")
    b = canonical_query("q=missile%20defense&country=RS&country=JA")

    assert a == b == "q=missile+defense&country=RS&country=JA"


def test_canonical_query_of_everything_is_empty():
    assert canonical_query("?page=2") == ""


def test_saved_search_state_round_trips_the_query():
    saved = SavedSearch(query=canonical_query("q=nato&tag=-MARR&from=2007-01-01&sort=newest"))

    assert saved.state == SearchState(
        q="nato",
        excluded=(("tag", "MARR"),),
        date_from=date(2007, 1, 1),
        sort="newest",
    )
    assert saved.search_url == "/search?q=nato&tag=-MARR&from=2007-01-01&sort=newest"


def test_same_query_twice_for_one_user_is_refused_by_the_database(alice):
    SavedSearch.objects.create(user=alice, name="one", query="q=nato")

    with pytest.raises(IntegrityError):
        SavedSearch.objects.create(user=alice, name="two", query="q=nato")


def test_two_users_may_save_the_same_query(alice, bob):
    SavedSearch.objects.create(user=alice, name="a", query="q=nato")
    SavedSearch.objects.create(user=bob, name="b", query="q=nato")

    assert SavedSearch.objects.filter(query="q=nato").count() == 2


def test_feed_tokens_are_long_random_and_distinct(alice, bob):
    a = SavedSearch.objects.create(user=alice, name="a", query="q=nato")
    b = SavedSearch.objects.create(user=bob, name="b", query="q=nato")

    assert len(a.feed_token) >= 43  # 32 bytes of randomness, base64url
    assert a.feed_token != b.feed_token
    assert len({new_feed_token() for _ in range(100)}) == 100


def test_regenerate_token_replaces_it(alice):
    saved = SavedSearch.objects.create(user=alice, name="a", query="q=nato")
    old = saved.feed_token

    saved.regenerate_token()

    saved.refresh_from_db()
    assert saved.feed_token != old


def test_mark_opened_moves_last_opened_at_forward(alice):
    saved = SavedSearch.objects.create(user=alice, name="a", query="q=nato")
    before = saved.last_opened_at

    saved.mark_opened()

    saved.refresh_from_db()
    assert saved.last_opened_at > before


def test_one_bookmark_per_user_and_cable(alice, cable):
    CableBookmark.objects.create(user=alice, cable=cable)

    with pytest.raises(IntegrityError):
        CableBookmark.objects.create(user=alice, cable=cable)


def test_deleting_a_cable_deletes_its_bookmarks(alice):
    cable = make_cable("09PARIS1", "France")
    CableBookmark.objects.create(user=alice, cable=cable, note="keep")

    cable.delete()

    assert not CableBookmark.objects.exists()


def test_summary_reads_like_the_search():
    state = SearchState.from_query({"q": "missile defense", "country": ["JA", "RS"]})

    assert summarize(state) == "missile defense · country: JA, RS"


def test_summary_names_exclusions_dates_and_sort():
    state = SearchState.from_query(
        {"tag": ["PREL", "-MARR"], "from": "2007-01-01", "to": "2008-12-31", "sort": "newest"}
    )

    assert summarize(state) == (
        "tag: PREL · not tag: MARR · from 2007-01-01 · to 2008-12-31 · sort: newest"
    )


def test_summary_of_the_empty_search():
    assert summarize(SearchState()) == "All cables"


def test_summary_is_cut_to_fit_the_name_field():
    name = summarize(SearchState.from_query({"q": "word " * 200}))

    assert len(name) == 200
    assert name.endswith("…")


def test_a_very_long_query_is_saved_and_still_unique(alice):
    query = canonical_query("q=" + "word+" * 900 + "".join(f"&tag=T{i:03}" for i in range(50)))
    SavedSearch.objects.create(user=alice, name="long", query=query)

    assert len(query) > 2704  # the most a PostgreSQL btree index entry may hold
    with pytest.raises(IntegrityError):
        SavedSearch.objects.create(user=alice, name="again", query=query)


def test_changing_the_query_keeps_the_hash_in_step(alice):
    saved = SavedSearch.objects.create(user=alice, name="a", query="q=nato")
    saved.query = "q=iaea"
    saved.save(update_fields=["query"])

    assert SavedSearch.objects.get(query_hash=query_hash("q=iaea")).pk == saved.pk


def test_the_identity_of_a_search_ignores_the_order_of_facet_values():
    assert query_hash(canonical_query("country=RS&country=JA")) == query_hash(
        canonical_query("country=JA&country=RS")
    )


def test_the_identity_of_a_search_ignores_its_sort():
    assert query_hash("q=nato&sort=newest") == query_hash("q=nato")


def test_saving_the_same_search_with_values_reordered_keeps_one(alice_client, alice):
    alice_client.post("/bookmarks/searches/", {"query": "?country=RS&country=JA", "name": "a"})
    alice_client.post("/bookmarks/searches/", {"query": "?country=JA&country=RS", "name": "b"})

    assert SavedSearch.objects.filter(user=alice).count() == 1
