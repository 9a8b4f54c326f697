import pytest
from django.http import QueryDict
from django.test import Client

from search.bookmarks.models import CableBookmark, SavedSearch

from .conftest import RS_CABLES, make_cable

HX = {"HTTP_HX_REQUEST": "true"}


def login_redirect(next_url: str) -> str:
    query = QueryDict(mutable=True)
    query["next"] = next_url
    return "/accounts/login/?" + query.urlencode(safe="/")


# -- signing in first ------------------------------------------------------------------------


def test_anonymous_bookmarks_page_asks_to_sign_in(client, db):
    response = client.get("/bookmarks/?f=moscow")

    assert response.status_code == 302
    assert response.url == login_redirect("/bookmarks/?f=moscow")


def test_anonymous_star_asks_to_sign_in_and_come_back_to_the_page(client, cable):
    page = "/search?q=missile+defense&country=RS&page=2"

    response = client.post(f"/bookmarks/cables/{cable.id}/star/", {"starred": "1", "next": page})

    assert response.url == login_redirect(page)
    assert not CableBookmark.objects.exists()


def test_anonymous_star_over_htmx_redirects_the_whole_page(client, cable):
    response = client.post(
        f"/bookmarks/cables/{cable.id}/star/", {"starred": "1", "next": "/search?q=x"}, **HX
    )

    assert response["HX-Redirect"] == login_redirect("/search?q=x")


def test_anonymous_save_search_asks_to_sign_in(client, db):
    response = client.post("/bookmarks/searches/", {"query": "?q=nato", "next": "/search?q=nato"})

    assert response.url == login_redirect("/search?q=nato")
    assert not SavedSearch.objects.exists()


def test_sign_in_redirect_ignores_an_off_site_next(client, cable):
    response = client.post(
        f"/bookmarks/cables/{cable.id}/star/", {"starred": "1", "next": "//evil.example/x"}
    )

    assert response.url == login_redirect("/")


# -- saved searches --------------------------------------------------------------------------


def test_save_search_stores_the_canonical_query_without_page(alice_client, alice):
    alice_client.post(
        "/bookmarks/searches/",
        {"query": "?country=RS&q=missile+defense&country=JA&page=4", "next": "/search?x"},
    )

    saved = SavedSearch.objects.get(user=alice)
    assert saved.query == "q=missile+defense&country=RS&country=JA"


def test_save_search_defaults_the_name_to_a_summary(alice_client, alice):
    alice_client.post("/bookmarks/searches/", {"query": "q=missile+defense&country=JA&country=RS"})

    assert SavedSearch.objects.get(user=alice).name == "missile defense · country: JA, RS"


def test_save_search_keeps_the_name_given(alice_client, alice):
    alice_client.post("/bookmarks/searches/", {"query": "q=nato", "name": "  NATO watch "})

    assert SavedSearch.objects.get(user=alice).name == "NATO watch"


def test_save_search_goes_back_to_the_page(alice_client):
    page = "/search?q=nato&page=3"

    response = alice_client.post("/bookmarks/searches/", {"query": "q=nato&page=3", "next": page})

    assert response.url == page


def test_saving_the_same_search_twice_keeps_one(alice_client, alice):
    alice_client.post("/bookmarks/searches/", {"query": "q=nato&tag=PREL", "name": "first"})
    alice_client.post("/bookmarks/searches/", {"query": "tag=PREL&q=nato&page=2", "name": "again"})

    assert list(SavedSearch.objects.filter(user=alice).values_list("name", flat=True)) == ["first"]


def test_saving_again_says_it_is_already_saved(alice_client):
    alice_client.post("/bookmarks/searches/", {"query": "q=nato", "name": "first"})

    response = alice_client.post(
        "/bookmarks/searches/", {"query": "q=nato", "next": "/bookmarks/"}, follow=True
    )

    assert "already saved as “first”" in response.text


def test_save_search_over_htmx_returns_the_saved_partial(alice_client):
    response = alice_client.post("/bookmarks/searches/", {"query": "q=nato", "name": "N"}, **HX)

    assert response.status_code == 200
    assert "Saved as" in response.text
    assert "<html" not in response.text


def test_save_search_with_too_long_a_name_says_so(alice_client, alice):
    response = alice_client.post(
        "/bookmarks/searches/",
        {"query": "q=nato", "name": "x" * 201, "next": "/bookmarks/"},
        follow=True,
    )

    assert "name is too long" in response.text
    assert not SavedSearch.objects.exists()


def test_save_search_is_post_only(alice_client):
    assert alice_client.get("/bookmarks/searches/").status_code == 405


@pytest.fixture
def saved(alice):
    return SavedSearch.objects.create(user=alice, name="NATO", query="q=nato&tag=PREL")


def test_open_redirects_to_the_search_and_marks_it_opened(alice_client, saved):
    before = saved.last_opened_at

    response = alice_client.post(f"/bookmarks/searches/{saved.pk}/open/")

    assert response.url == "/search?q=nato&tag=PREL"
    saved.refresh_from_db()
    assert saved.last_opened_at > before


def test_rename(alice_client, saved):
    alice_client.post(f"/bookmarks/searches/{saved.pk}/rename/", {"name": "Alliance"})

    saved.refresh_from_db()
    assert saved.name == "Alliance"


def test_rename_to_nothing_is_refused(alice_client, saved):
    response = alice_client.post(
        f"/bookmarks/searches/{saved.pk}/rename/", {"name": "  "}, follow=True
    )

    saved.refresh_from_db()
    assert saved.name == "NATO"
    assert "A name is needed" in response.text


def test_delete(alice_client, saved):
    alice_client.post(f"/bookmarks/searches/{saved.pk}/delete/")

    assert not SavedSearch.objects.exists()


def test_regenerate_token(alice_client, saved):
    old = saved.feed_token

    alice_client.post(f"/bookmarks/searches/{saved.pk}/token/")

    saved.refresh_from_db()
    assert saved.feed_token != old


@pytest.mark.parametrize("action", ["rename", "delete", "token"])
def test_other_users_cannot_change_a_saved_search(bob_client, saved, action):
    response = bob_client.post(f"/bookmarks/searches/{saved.pk}/{action}/", {"name": "mine"})

    assert response.status_code == 404
    assert SavedSearch.objects.get(pk=saved.pk).name == "NATO"


def test_other_users_cannot_open_a_saved_search(bob_client, saved):
    assert bob_client.post(f"/bookmarks/searches/{saved.pk}/open/").status_code == 404


def test_opening_a_saved_search_by_get_changes_nothing(alice_client, saved):
    before = saved.last_opened_at

    response = alice_client.get(f"/bookmarks/searches/{saved.pk}/open/")

    assert response.status_code == 405
    saved.refresh_from_db()
    assert saved.last_opened_at == before


def test_other_users_cannot_see_a_saved_search(bob_client, saved):
    response = bob_client.get("/bookmarks/")

    assert response.status_code == 200
    assert "NATO" not in response.text
    assert saved.feed_token not in response.text


# -- cable bookmarks -------------------------------------------------------------------------


def test_star_bookmarks_the_cable_and_goes_back(alice_client, alice, cable):
    response = alice_client.post(
        f"/bookmarks/cables/{cable.id}/star/", {"starred": "1", "next": "/search?q=missile"}
    )

    assert response.url == "/search?q=missile"
    assert CableBookmark.objects.filter(user=alice, cable=cable).exists()


def test_star_twice_keeps_one_bookmark(alice_client, alice, cable):
    for _ in range(2):
        alice_client.post(f"/bookmarks/cables/{cable.id}/star/", {"starred": "1"})

    assert CableBookmark.objects.filter(user=alice).count() == 1


def test_unstar_removes_the_bookmark(alice_client, alice, cable):
    CableBookmark.objects.create(user=alice, cable=cable)

    alice_client.post(f"/bookmarks/cables/{cable.id}/star/", {"starred": "0"})

    assert not CableBookmark.objects.exists()


def test_star_without_next_goes_to_the_cable(alice_client, cable):
    response = alice_client.post(f"/bookmarks/cables/{cable.id}/star/", {"starred": "1"})

    assert response.url == f"/cables/{cable.id}/"


def test_star_over_htmx_returns_the_pressed_star(alice_client, cable):
    response = alice_client.post(
        f"/bookmarks/cables/{cable.id}/star/", {"starred": "1", "next": "/search?q=a"}, **HX
    )

    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.text
    assert 'name="starred" value="0"' in response.text  # the next click removes it
    assert 'value="/search?q=a"' in response.text
    assert "csrfmiddlewaretoken" in response.text


def test_unstar_over_htmx_returns_the_unpressed_star(alice_client, alice, cable):
    CableBookmark.objects.create(user=alice, cable=cable)

    response = alice_client.post(f"/bookmarks/cables/{cable.id}/star/", {"starred": "0"}, **HX)

    assert 'aria-pressed="false"' in response.text


def test_star_of_an_unknown_cable_is_404(alice_client, db):
    assert alice_client.post("/bookmarks/cables/NOPE/star/", {"starred": "1"}).status_code == 404


def test_star_needs_csrf(alice, cable):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(f"/bookmarks/cables/{cable.id}/star/", {"starred": "1"})

    assert response.status_code == 403
    assert not CableBookmark.objects.exists()


def test_unstarring_does_not_touch_other_users_bookmarks(bob_client, alice, cable):
    CableBookmark.objects.create(user=alice, cable=cable)

    bob_client.post(f"/bookmarks/cables/{cable.id}/star/", {"starred": "0"})

    assert CableBookmark.objects.filter(user=alice).exists()


def test_note(alice_client, alice, cable):
    CableBookmark.objects.create(user=alice, cable=cable)

    alice_client.post(f"/bookmarks/cables/{cable.id}/note/", {"note": "ask about radar"})

    assert CableBookmark.objects.get(user=alice).note == "ask about radar"


def test_other_users_cannot_edit_a_note(bob_client, alice, cable):
    CableBookmark.objects.create(user=alice, cable=cable, note="mine")

    response = bob_client.post(f"/bookmarks/cables/{cable.id}/note/", {"note": "bob's"})

    assert response.status_code == 404
    assert CableBookmark.objects.get(user=alice).note == "mine"


def test_note_too_long_is_refused_with_a_message(alice_client, alice, cable):
    CableBookmark.objects.create(user=alice, cable=cable, note="short")

    response = alice_client.post(
        f"/bookmarks/cables/{cable.id}/note/", {"note": "x" * 5001}, follow=True
    )

    assert CableBookmark.objects.get(user=alice).note == "short"
    assert "too long" in response.text


# -- the bookmarks page ----------------------------------------------------------------------


@pytest.fixture
def three_bookmarks(alice, db):
    CableBookmark.objects.create(user=alice, cable=make_cable("07MOSCOW1", "Missile defense"))
    CableBookmark.objects.create(user=alice, cable=make_cable("08PARIS2", "Wine"), note="radar")
    CableBookmark.objects.create(user=alice, cable=make_cable("09TOKYO3", "Trade"))


def listed(response) -> list[str]:
    return [cid for cid in ("07MOSCOW1", "08PARIS2", "09TOKYO3") if f">{cid}<" in response.text]


def test_bookmarks_page_lists_the_users_cables(alice_client, three_bookmarks):
    response = alice_client.get("/bookmarks/")

    assert listed(response) == ["07MOSCOW1", "08PARIS2", "09TOKYO3"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("missile", ["07MOSCOW1"]), ("RADAR", ["08PARIS2"]), ("tokyo", ["09TOKYO3"])],
    ids=["subject", "note", "id"],
)
def test_bookmarks_filter(alice_client, three_bookmarks, text, expected):
    assert listed(alice_client.get("/bookmarks/", {"f": text})) == expected


def test_bookmarks_filter_with_no_match_says_so(alice_client, three_bookmarks):
    response = alice_client.get("/bookmarks/", {"f": "zzz"})

    assert "No bookmarked cable matches “zzz”" in response.text


def test_other_users_bookmarks_are_not_listed(bob_client, three_bookmarks):
    assert listed(bob_client.get("/bookmarks/")) == []


# -- in the search and cable pages -----------------------------------------------------------


def test_anonymous_search_page_offers_sign_in_links_not_forms(client, importer):
    importer(*RS_CABLES)

    response = client.get("/search?q=missile+defense&country=RS")

    assert response.status_code == 200
    assert response.text.count('class="bm-star bm-star-signin"') == 4
    assert "Sign in to save this search" in response.text
    assert 'action="/bookmarks/' not in response.text


def test_search_page_stars_what_the_user_starred(alice_client, alice, importer):
    importer(*RS_CABLES)
    CableBookmark.objects.create(user=alice, cable_id="08ROME1386")

    response = alice_client.get("/search?q=missile+defense&country=RS")

    assert response.text.count('aria-pressed="true"') == 1
    assert response.text.count('aria-pressed="false"') == 3
    assert 'action="/bookmarks/searches/"' in response.text


def test_search_results_fragment_carries_the_stars_and_save_form(alice_client, importer):
    importer(*RS_CABLES)

    response = alice_client.get("/search?q=missile+defense&country=RS", **HX)

    assert "<html" not in response.text
    assert response.text.count("bm-star-button") == 4
    assert 'value="missile defense · country: RS"' in response.text


def test_cable_page_has_the_star(alice_client, alice, importer):
    importer("08ROME1386")
    CableBookmark.objects.create(user=alice, cable_id="08ROME1386")

    response = alice_client.get("/cables/08ROME1386/")

    assert 'action="/bookmarks/cables/08ROME1386/star/"' in response.text
    assert 'aria-pressed="true"' in response.text


def test_cable_page_for_anonymous_reads_freely(client, importer):
    importer("08ROME1386")

    response = client.get("/cables/08ROME1386/")

    assert response.status_code == 200
    assert "/accounts/login/?next=/cables/08ROME1386/" in response.text


def test_save_search_with_an_absurdly_long_query_says_so(alice_client):
    response = alice_client.post(
        "/bookmarks/searches/", {"query": "q=" + "x" * 30_000, "next": "/bookmarks/"}, follow=True
    )

    assert response.status_code == 200
    assert "the search is too long" in response.text
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize(
    "path", ["/cables/07MOSCOW%005100/", "/cables/%00.json", "/cables/%01/raw"]
)
def test_a_cable_url_with_control_characters_is_a_404(client, db, path):
    assert client.get(path).status_code == 404


def test_a_bookmark_filter_with_a_nul_answers(alice_client):
    response = alice_client.get("/bookmarks/", {"f": "nato\x00"})

    assert response.status_code == 200
