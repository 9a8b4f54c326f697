"""Stories: named collections of starred cables, exports, dossier, share link, undo/confirm."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from cables.models import Paragraph
from search.bookmarks.models import CableBookmark, SavedSearch, Story, StoryCable

from .conftest import make_cable

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def story(alice) -> Story:
    return Story.objects.create(user=alice, name="Missile defense")


def keep(user, cable, story: Story | None = None, note: str = "", marked=()) -> CableBookmark:
    bookmark = CableBookmark.objects.create(user=user, cable=cable, note=note, marked=list(marked))
    if story is not None:
        StoryCable.objects.create(story=story, bookmark=bookmark)
    return bookmark


def test_creating_a_story_opens_its_page(alice_client, alice):
    response = alice_client.post("/bookmarks/stories/", {"name": "  Iran   talks "})

    story = Story.objects.get(user=alice)
    assert story.name == "Iran talks"
    assert response.url == f"/bookmarks/stories/{story.pk}/"


def test_a_cable_can_sit_in_several_stories_from_its_note_form(alice_client, alice, cable, story):
    other = Story.objects.create(user=alice, name="Russia")
    keep(alice, cable)

    alice_client.post(
        f"/bookmarks/cables/{cable.id}/note/",
        {"note": "key", "stories_listed": "1", "story": [story.pk, other.pk], "new_story": "New"},
    )

    names = sorted(s.name for s in CableBookmark.objects.get(cable=cable).stories.all())
    assert names == ["Missile defense", "New", "Russia"]


def test_the_note_form_leaves_stories_alone_when_it_does_not_list_them(
    alice_client, alice, cable, story
):
    keep(alice, cable, story)

    alice_client.post(f"/bookmarks/cables/{cable.id}/note/", {"note": "only the note"})

    assert list(CableBookmark.objects.get(cable=cable).stories.all()) == [story]


def test_another_users_story_cannot_be_ticked(alice_client, alice, bob, cable):
    bobs = Story.objects.create(user=bob, name="Bob's")
    keep(alice, cable)

    alice_client.post(
        f"/bookmarks/cables/{cable.id}/note/", {"stories_listed": "1", "story": [bobs.pk]}
    )

    assert not StoryCable.objects.exists()


def test_a_story_id_no_row_can_have_is_ignored(alice_client, alice, cable):
    keep(alice, cable)

    response = alice_client.post(
        f"/bookmarks/cables/{cable.id}/note/", {"stories_listed": "1", "story": ["9" * 5000]}
    )

    assert response.status_code < 400 and not StoryCable.objects.exists()


def test_the_story_page_lists_cables_in_date_order(alice_client, alice, story):
    late = make_cable("09ROME1", "Late", date=datetime(2009, 1, 1, tzinfo=UTC))
    early = make_cable("05ROME1", "Early", date=datetime(2005, 1, 1, tzinfo=UTC))
    keep(alice, late, story)
    keep(alice, early, story)

    html = alice_client.get(f"/bookmarks/stories/{story.pk}/").content.decode()

    assert html.index("05ROME1") < html.index("09ROME1")


def test_another_users_story_is_404(bob_client, story):
    assert bob_client.get(f"/bookmarks/stories/{story.pk}/").status_code == 404


def test_marking_a_paragraph_keeps_it_on_the_bookmark(alice_client, alice, cable):
    Paragraph.objects.create(cable=cable, position=0, number=3, text="Lavrov said so.")
    keep(alice, cable)

    alice_client.post(f"/bookmarks/cables/{cable.id}/mark/", {"anchor": "p3", "marked": "1"})

    assert CableBookmark.objects.get(cable=cable).marked == ["p3"]


def test_marking_a_paragraph_the_cable_does_not_have_changes_nothing(alice_client, alice, cable):
    keep(alice, cable)

    alice_client.post(f"/bookmarks/cables/{cable.id}/mark/", {"anchor": "p99", "marked": "1"})

    assert CableBookmark.objects.get(cable=cable).marked == []


def test_the_dossier_cites_each_cable_and_quotes_its_marked_paragraphs(alice_client, alice, story):
    cable = make_cable("07MOSCOW5100", "Missile defense talks")
    Paragraph.objects.create(cable=cable, position=0, number=2, text="Not marked.")
    Paragraph.objects.create(cable=cable, position=1, number=3, text="Lavrov said so.")
    keep(alice, cable, story, note="Lead quote", marked=["p3"])

    html = alice_client.get(f"/bookmarks/stories/{story.pk}/dossier/").content.decode()

    assert "cite as <code>07MOSCOW5100</code>" in html
    assert "Lavrov said so." in html and "07MOSCOW5100 ¶3</a>" in html
    assert "Not marked." not in html
    assert "Lead quote" in html


def test_the_json_export_holds_citations_notes_and_marked_paragraphs(alice_client, alice, story):
    cable = make_cable("07MOSCOW5100", "Talks")
    Paragraph.objects.create(cable=cable, position=0, number=3, text="Lavrov said so.")
    keep(alice, cable, story, note="n", marked=["p3"])

    data = json.loads(alice_client.get(f"/bookmarks/stories/{story.pk}/export.json").content)

    assert data["cables"][0]["citation"] == "07MOSCOW5100"
    assert data["cables"][0]["marked"] == [
        {"citation": "07MOSCOW5100 ¶3", "text": "Lavrov said so."}
    ]


def test_the_csv_export_has_one_row_per_cable(alice_client, alice, story):
    cable = make_cable("07MOSCOW5100", "=HYPERLINK(1)")
    keep(alice, cable, story, note="n", marked=[])

    response = alice_client.get(f"/bookmarks/stories/{story.pk}/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    assert [(r["cable_id"], r["subject"], r["note"]) for r in rows] == [
        ("07MOSCOW5100", "'=HYPERLINK(1)", "n")
    ]


def test_a_shared_story_reads_signed_out(alice_client, alice, story, cable):
    keep(alice, cable, story, note="for the desk")
    alice_client.post(f"/bookmarks/stories/{story.pk}/share/")
    story.refresh_from_db()

    response = Client().get(story.share_url)

    assert response.status_code == 200
    assert "for the desk" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"


def test_the_shared_page_offers_no_change(alice_client, alice, story, cable):
    keep(alice, cable, story)
    story.share()

    html = Client().get(story.share_url).content.decode()

    assert "Take 07MOSCOW5100 out" not in html and "csrfmiddlewaretoken" not in html


def test_a_revoked_share_link_answers_404(alice_client, story):
    story.share()
    old = story.share_url

    alice_client.post(f"/bookmarks/stories/{story.pk}/share/", {"revoke": "1"})

    assert Client().get(old).status_code == 404


def test_a_new_share_link_retires_the_old_one(alice_client, story):
    story.share()
    old = story.share_url

    alice_client.post(f"/bookmarks/stories/{story.pk}/share/")
    story.refresh_from_db()

    assert Client().get(old).status_code == 404
    assert Client().get(story.share_url).status_code == 200


def test_deleting_a_story_asks_first(alice_client, story):
    response = alice_client.get(f"/bookmarks/stories/{story.pk}/delete/")

    assert "Delete the story “Missile defense”?" in response.content.decode()
    assert Story.objects.filter(pk=story.pk).exists()


def test_deleting_a_story_keeps_its_cables_starred(alice_client, alice, story, cable):
    keep(alice, cable, story, note="kept")

    alice_client.post(f"/bookmarks/stories/{story.pk}/delete/")

    assert not Story.objects.exists()
    assert CableBookmark.objects.get(cable=cable).note == "kept"


def test_deleting_a_saved_search_asks_first(alice_client, alice):
    saved = SavedSearch.objects.create(user=alice, name="nato", query="q=nato")

    response = alice_client.get(f"/bookmarks/searches/{saved.pk}/delete/")

    assert "Delete the saved search “nato”?" in response.content.decode()
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


def test_taking_a_cable_out_of_a_story_offers_undo(alice_client, alice, story, cable):
    keep(alice, cable, story)

    response = alice_client.post(
        f"/bookmarks/stories/{story.pk}/cables/{cable.id}/remove/", follow=True
    )

    assert not StoryCable.objects.exists()
    assert "Undo: put 07MOSCOW5100 back" in response.content.decode()


def test_the_undo_puts_the_cable_back_in_the_story(alice_client, alice, story, cable):
    keep(alice, cable, story)
    alice_client.post(f"/bookmarks/stories/{story.pk}/cables/{cable.id}/remove/")

    alice_client.post(f"/bookmarks/stories/{story.pk}/cables/", {"cable_id": cable.id})

    assert list(story.bookmarks.values_list("cable_id", flat=True)) == [cable.id]


def test_undo_of_an_unstar_brings_back_note_marks_and_stories(alice_client, alice, story, cable):
    Paragraph.objects.create(cable=cable, position=0, number=3, text="x")
    keep(alice, cable, story, note="my note", marked=["p3"])

    response = alice_client.post(f"/bookmarks/cables/{cable.id}/star/", {"starred": "0"}, **HX)
    assert "Undo" in response.content.decode()
    fields = {"starred": "1", "note": "my note", "marked": ["p3"], "story": [story.pk]}
    alice_client.post(f"/bookmarks/cables/{cable.id}/star/", fields, **HX)

    bookmark = CableBookmark.objects.get(cable=cable)
    assert (bookmark.note, bookmark.marked, list(bookmark.stories.all())) == (
        "my note",
        ["p3"],
        [story],
    )


def test_unstarring_without_javascript_offers_undo_on_the_next_page(alice_client, alice, cable):
    keep(alice, cable, note="n")

    response = alice_client.post(
        f"/bookmarks/cables/{cable.id}/star/", {"starred": "0", "next": "/bookmarks/"}, follow=True
    )

    assert "Undo: star 07MOSCOW5100 again" in response.content.decode()


def test_starring_over_htmx_offers_the_note_and_stories_at_once(alice_client, alice, cable, story):
    response = alice_client.post(f"/bookmarks/cables/{cable.id}/star/", {"starred": "1"}, **HX)

    html = response.content.decode()
    assert "Note and stories for 07MOSCOW5100" in html
    assert 'id="bm-star-07MOSCOW5100"' in html  # the same id: htmx keeps the focus on it
