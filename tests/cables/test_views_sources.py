"""The forms of one cable on its page: listed, raw text per form, original download, diff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cables.models import CableSource
from tests.cables.test_views import RAW, add_form, make_cable

PAGE_TEXT = RAW.replace("Lavrov said", "Minister Lavrov said")


@pytest.fixture
def two_forms(db):
    cable = make_cable(content_hash="page", format="html")
    text = add_form(cable, RAW, "text", content_hash="text", name="in/07MOSCOW5100.txt")
    page = add_form(
        cable,
        PAGE_TEXT,
        "html",
        content_hash="page",
        name="cable/2007/10/07MOSCOW5100.html",
        imported_at=cable.last_imported + timedelta(hours=1),
    )
    return cable, text, page


def test_page_lists_every_form_and_marks_the_shown_one(client, two_forms):
    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert "in/07MOSCOW5100.txt" in html and "cable/2007/10/07MOSCOW5100.html" in html
    assert "shown: the most complete form (a cablegate page)" in html


def test_page_links_the_comparison_when_there_are_two_forms(client, two_forms):
    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert 'href="/cables/07MOSCOW5100/diff"' in html


def test_raw_shows_the_shown_forms_cable_text(client, two_forms):
    assert client.get("/cables/07MOSCOW5100/raw").content.decode() == PAGE_TEXT


def test_raw_shows_the_cable_text_of_the_form_asked_for(client, two_forms):
    _, text, _ = two_forms

    response = client.get("/cables/07MOSCOW5100/raw", {"source": text.pk})

    assert response.content.decode() == RAW


@pytest.mark.parametrize("value", ["9999", "x", "-1", "0", "9" * 30, "9" * 5000, "²"])
def test_raw_of_an_unknown_form_is_404(client, two_forms, value):
    assert client.get("/cables/07MOSCOW5100/raw", {"source": value}).status_code == 404


def test_raw_of_another_cables_form_is_404(client, two_forms):
    other = make_cable("08PARIS1")
    form = add_form(other, "other text")

    assert client.get("/cables/07MOSCOW5100/raw", {"source": form.pk}).status_code == 404


def test_original_is_a_download_of_the_upload(client, two_forms):
    _, text, _ = two_forms

    response = client.get(f"/cables/07MOSCOW5100/sources/{text.pk}/original")

    assert response.content == RAW.encode()
    assert response["Content-Disposition"] == 'attachment; filename="07MOSCOW5100.txt"'


def test_original_of_a_csv_row_is_its_cable_text(client, db):
    cable = make_cable()
    form = add_form(cable, RAW, "csv", original=b"", original_size=0)

    response = client.get(f"/cables/07MOSCOW5100/sources/{form.pk}/original")

    assert response.content == RAW.encode()


def test_diff_shows_the_changed_line_unified(client, two_forms):
    html = client.get("/cables/07MOSCOW5100/diff").content.decode()

    assert "1 line differs" in html
    assert '<del class="diff-line">− ¶1. (U) Lavrov said &lt;b&gt;so&lt;/b&gt;.</del>' in html
    assert '<ins class="diff-line">+ ¶1. (U) Minister Lavrov said' in html


def test_diff_side_by_side_is_a_table_of_both_texts(client, two_forms):
    _, text, page = two_forms

    html = client.get(
        "/cables/07MOSCOW5100/diff", {"a": text.pk, "b": page.pk, "mode": "side"}
    ).content.decode()

    assert '<table class="diff diff-side">' in html
    assert "<del>¶1. (U) Lavrov said" in html and "<ins>¶1. (U) Minister Lavrov said" in html


def test_diff_of_a_form_with_itself_says_identical(client, two_forms):
    _, text, _ = two_forms

    html = client.get("/cables/07MOSCOW5100/diff", {"a": text.pk, "b": text.pk}).content.decode()

    assert "The two cable texts are identical." in html


def test_diff_of_a_cable_with_one_form_says_so(client, db):
    add_form(make_cable(), RAW)

    html = client.get("/cables/07MOSCOW5100/diff").content.decode()

    assert "imported from one form only" in html


def test_diff_of_an_unknown_form_is_404(client, two_forms):
    assert client.get("/cables/07MOSCOW5100/diff", {"a": "123456"}).status_code == 404


def test_a_cable_without_stored_forms_says_so(client, db):
    make_cable()

    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert "No imported form is stored" in html
    assert not CableSource.objects.exists()
