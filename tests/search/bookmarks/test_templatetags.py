"""The template tags and partials the search and cable templates include."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from search.bookmarks.models import CableBookmark, SavedSearch
from search.results import Hit
from search.state import SearchState

from .conftest import make_cable


def render(source: str, user, path: str = "/search?q=nato&page=2", **context) -> str:
    request = RequestFactory().get(path)
    request.user = user
    return Template("{% load bookmarks %}" + source).render(
        Context({"request": request, "user": user, **context})
    )


def hit(cable_id: str) -> Hit:
    return Hit(id=cable_id, subject="", date=None, origin="", classification="", tags=())


@pytest.fixture
def starred_two(alice, db):
    for cid in ("A1", "B2", "C3"):
        make_cable(cid)
    CableBookmark.objects.create(user=alice, cable_id="A1")
    CableBookmark.objects.create(user=alice, cable_id="C3")


def test_starred_ids_of_a_page_of_hits_in_one_query(alice, starred_two, django_assert_num_queries):
    hits = [hit("A1"), hit("B2"), hit("C3")]

    with django_assert_num_queries(1):
        out = render(
            "{% starred_ids hits as s %}{% for h in hits %}{{ h.id }}={{ s|has:h.id }};{% endfor %}",
            alice,
            hits=hits,
        )

    assert out == "A1=True;B2=False;C3=True;"


def test_starred_ids_of_one_cable(alice, starred_two):
    out = render("{% starred_ids cable as s %}{{ s|has:'A1' }}", alice, cable=make_cable("Z9"))

    assert out == "False"


def test_starred_ids_for_anonymous_is_empty_without_a_query(starred_two, django_assert_num_queries):
    with django_assert_num_queries(0):
        out = render("{% starred_ids hits as s %}{{ s|length }}", AnonymousUser(), hits=[hit("A1")])

    assert out == "0"


def test_starred_ids_are_per_user(bob, starred_two):
    assert render("{% starred_ids hits as s %}{{ s|length }}", bob, hits=[hit("A1")]) == "0"


def test_star_partial_for_anonymous_links_to_sign_in_with_the_exact_page(db):
    out = render(
        '{% include "bookmarks/_star.html" with cable_id="A1" is_starred=False %}', AnonymousUser()
    )

    assert 'href="/accounts/login/?next=/search%3Fq%3Dnato%26page%3D2"' in out
    assert "<form" not in out


def test_star_partial_is_a_post_form_upgraded_by_htmx(alice):
    out = render('{% include "bookmarks/_star.html" with cable_id="A1" is_starred=True %}', alice)

    assert 'method="post" action="/bookmarks/cables/A1/star/"' in out
    assert 'hx-post="/bookmarks/cables/A1/star/"' in out
    assert 'aria-pressed="true"' in out
    assert 'name="next" value="/search?q=nato&amp;page=2"' in out


def test_save_search_partial_offers_the_summary_as_name(alice):
    state = SearchState.from_query({"q": "missile defense", "country": ["JA", "RS"], "page": "2"})

    out = render('{% include "bookmarks/_save_search.html" %}', alice, state=state)

    assert 'value="missile defense · country: JA, RS"' in out
    assert 'action="/bookmarks/searches/"' in out


def test_save_search_partial_names_the_search_once_saved(alice):
    SavedSearch.objects.create(user=alice, name="Defense", query="q=nato")

    out = render(
        '{% include "bookmarks/_save_search.html" %}', alice, state=SearchState(q="nato", page=3)
    )

    assert "Saved search:" in out and "Defense" in out
    assert "<form" not in out


def test_save_search_partial_for_anonymous_asks_to_sign_in(db):
    out = render(
        '{% include "bookmarks/_save_search.html" %}', AnonymousUser(), state=SearchState(q="nato")
    )

    assert "Sign in to save this search" in out


def test_account_menu_for_anonymous(db):
    out = render('{% include "bookmarks/_account_menu.html" %}', AnonymousUser())

    assert 'href="/accounts/login/?next=/search%3Fq%3Dnato%26page%3D2"' in out
    assert "Sign up" not in out


def test_account_menu_offers_sign_up_when_allowed(db, settings):
    settings.CABLESEARCH_ALLOW_SIGNUP = True

    assert "Sign up" in render('{% include "bookmarks/_account_menu.html" %}', AnonymousUser())


def test_account_menu_for_a_user(alice):
    out = render('{% include "bookmarks/_account_menu.html" %}', alice)

    assert "alice" in out
    assert 'href="/bookmarks/"' in out
    assert 'href="/accounts/password_change/"' in out
    assert 'action="/accounts/logout/"' in out


def test_save_search_partial_without_a_state_renders_nothing(alice):
    assert render('{% include "bookmarks/_save_search.html" %}', alice).strip() == ""


def test_signin_url_comes_back_to_the_page(db):
    out = render("{% signin_url %}", AnonymousUser(), path="/search?q=missile+defense&tag=PREL")

    assert out == "/accounts/login/?next=/search%3Fq%3Dmissile%2Bdefense%26tag%3DPREL"


def test_signin_url_without_a_request_is_the_sign_in_page():
    assert Template("{% load bookmarks %}{% signin_url %}").render(Context({})) == (
        "/accounts/login/"
    )
