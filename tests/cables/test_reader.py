"""The reader's additions to the cable page: precedence, references, WikiLeaks, result nav."""

from __future__ import annotations

from datetime import UTC, datetime

from cables.models import Paragraph, Reference
from cables.views import precedence_label, wikileaks_url

from .test_views import make_cable


def test_precedence_codes_are_spelled_out():
    assert precedence_label("P") == "Priority"
    assert precedence_label("O/R") == "Immediate (action), Routine (info)"


def test_a_spelled_out_precedence_is_kept_as_it_is():
    assert precedence_label("PRIORITY") == "PRIORITY"


def test_cable_page_shows_the_spelled_out_precedence_with_its_code(client, db):
    make_cable(precedence="Z")

    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert 'Flash <span class="muted">(Z)</span>' in html


def test_wikileaks_link_is_the_plusd_page_of_the_id():
    assert wikileaks_url("07MOSCOW5100") == (
        "https://wikileaks.org/plusd/cables/07MOSCOW5100_a.html"
    )


def test_cable_page_links_to_the_cable_on_wikileaks(client, db):
    make_cable()

    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert 'href="https://wikileaks.org/plusd/cables/07MOSCOW5100_a.html"' in html


def test_a_reference_in_the_library_shows_its_subject_and_date(client, db):
    make_cable("07BRASILIA369", subject="Lula on ethanol", date=datetime(2007, 3, 2, tzinfo=UTC))
    cable = make_cable()
    Reference.objects.create(
        cable=cable, position=0, label="A", text="BRASILIA 369", cited_id="07BRASILIA369"
    )

    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert '<a href="/cables/07BRASILIA369/">BRASILIA 369</a> — Lula on ethanol' in html
    assert "2 Mar 2007" in html


def test_each_paragraph_has_a_copy_citation_button(client, db):
    cable = make_cable()
    Paragraph.objects.create(cable=cable, position=0, number=3, text="Text.")

    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert 'data-cite="07MOSCOW5100 ¶3"' in html


def test_the_match_count_is_on_the_page(client, db, index_dir):
    cable = make_cable(subject="Missile talks")
    Paragraph.objects.create(cable=cable, position=0, number=1, text="A missile, then a missile.")

    html = client.get("/cables/07MOSCOW5100/?q=missile").content.decode()

    assert "3 matches" in html
