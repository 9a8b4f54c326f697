"""The cable page, its raw text and its JSON record."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from cables.compression import compress_original
from cables.models import Addressee, Cable, CableSource, CableTag, Paragraph, Reference, Tag
from cables.views import text_blocks

RAW = "VZCZCXRO6042\nC O N F I D E N T I A L MOSCOW 005100\n\n¶1. (U) Lavrov said <b>so</b>.\n"


def make_cable(cable_id: str = "07MOSCOW5100", **fields) -> Cable:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    values = {
        "date": datetime(2007, 10, 22, 15, 3, tzinfo=UTC),
        "classification": "CONFIDENTIAL",
        "origin_code": "AMEMBASSY MOSCOW",
        "origin": "Embassy Moscow",
        "subject": "FM LAVROV CRITICIZES US-JAPAN MISSILE DEFENSE COOPERATION",
        "precedence": "PRIORITY",
        "eo": "12958",
        "declassify_on": "10/18/2017",
        "classified_by": "Political Minister-Counselor Alice G. Wells",
        "reasons": "1.4(b) and (d)",
        "content_hash": "x",
        "first_imported": now,
        "last_imported": now,
    }
    values.update(fields)
    return Cable.objects.create(id=cable_id, **values)


def add_form(cable: Cable, text: str, kind: str = "text", **fields) -> CableSource:
    """A form the cable was imported from; the cable shows it unless ``content_hash`` differs."""
    values = {
        "name": f"{cable.id}.txt",
        "content_hash": cable.content_hash,
        "text": text,
        "original": compress_original(kind, text, text.encode()),
        "original_size": len(text.encode()),
        "imported_at": cable.last_imported,
    }
    values.update(fields)
    return CableSource.objects.create(cable=cable, kind=kind, **values)


@pytest.fixture
def moscow(db) -> Cable:
    cable = make_cable()
    tags = [
        Tag.objects.create(code="MARR", kind="subject", name="Military and Defense Arrangements"),
        Tag.objects.create(code="JA", kind="geo", name="Japan"),
        Tag.objects.create(code="OVIP (RICE, CONDOLEEZZA)", kind="person"),
    ]
    for position, tag in enumerate(tags):
        CableTag.objects.create(cable=cable, tag=tag, position=position)
    texts = [
        (1, "U", "Lavrov said Russia was concerned about missile defense cooperation."),
        (2, "C", "Ivanov argued it was not wise. <script>alert(1)</script>"),
        (3, "C", "Comment: Lavrov has publicly criticized the U.S. for missiles in Japan."),
    ]
    for position, (number, marking, text) in enumerate(texts):
        Paragraph.objects.create(
            cable=cable, position=position, number=number, marking=marking, text=text
        )
    add_form(cable, RAW)
    Addressee.objects.create(cable=cable, kind="to", position=0, name="SECSTATE WASHDC")
    Addressee.objects.create(cable=cable, kind="info", position=0, name="SECDEF WASHDC")
    return cable


def test_page_shows_the_metadata_table(client, moscow):
    html = client.get("/cables/07MOSCOW5100/").content.decode()

    for text in (
        "Embassy Moscow",
        "CONFIDENTIAL",
        "PRIORITY",
        "AMEMBASSY MOSCOW",
        "SECSTATE WASHDC",
        "SECDEF WASHDC",
        "E.O. 12958",
        "10/18/2017",
        "Alice G. Wells",
        "1.4(b) and (d)",
        "22 October 2007",
    ):
        assert text in html


def test_tags_are_labelled_chips_linking_to_the_filtered_search(client, moscow):
    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert 'href="/search?tag=MARR"' in html
    assert "MARR - Military and Defense Arrangements" in html
    assert 'href="/search?country=JA"' in html
    assert "JA - Japan" in html
    assert 'href="/search?person=OVIP+%28RICE%2C+CONDOLEEZZA%29"' in html


def test_paragraphs_have_markings_and_permalinks(client, moscow):
    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert 'id="p2"' in html
    assert 'href="#p3"' in html
    assert "(C)</abbr>" in html


def test_cable_text_is_escaped(client, moscow):
    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_query_words_are_marked_when_arriving_from_a_search(client, moscow):
    html = client.get("/cables/07MOSCOW5100/", {"q": "missile lavrov"}).content.decode()

    assert "<mark>missile</mark>" in html
    assert "<mark>missiles</mark>" in html
    assert "<mark>LAVROV</mark>" in html  # in the subject


def test_a_phrase_is_marked_whole_and_its_words_alone_are_not(client, moscow):
    html = client.get("/cables/07MOSCOW5100/", {"q": '"missile defense"'}).content.decode()

    assert "<mark>missile defense</mark>" in html  # paragraph 1
    assert "<mark>MISSILE DEFENSE</mark>" in html  # the subject
    assert "<mark>missiles</mark>" not in html  # paragraph 3: the word without the phrase


def test_word_forms_are_marked_as_the_search_matched_them(client, moscow):
    html = client.get("/cables/07MOSCOW5100/", {"q": "missiles"}).content.decode()

    assert "<mark>missile</mark>" in html
    assert "<mark>missiles</mark>" in html
    assert "<mark>MISSILE</mark>" in html


def test_excluded_words_and_filters_are_not_marked(client, moscow):
    html = client.get("/cables/07MOSCOW5100/", {"q": "lavrov -russia tag:MARR"}).content.decode()

    assert "<mark>Lavrov</mark>" in html
    assert "<mark>Russia</mark>" not in html
    assert "<mark>MARR</mark>" not in html


def test_without_a_query_nothing_is_marked(client, moscow):
    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert "<mark>" not in html


def test_same_numbered_paragraphs_get_distinct_anchors(client, moscow):
    Paragraph.objects.create(cable=moscow, position=9, number=3, marking="", text="again")

    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert 'id="p3"' in html
    assert 'id="p3-9"' in html


def test_references_link_only_to_cables_in_the_library(client, moscow):
    make_cable("07TOKYO1234", subject="Tokyo cable")
    Reference.objects.create(
        cable=moscow, position=0, label="A", text="07 TOKYO 1234", cited_id="07TOKYO1234"
    )
    Reference.objects.create(
        cable=moscow, position=1, label="B", text="07 STATE 999", cited_id="07STATE999"
    )

    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert '<a href="/cables/07TOKYO1234/">07 TOKYO 1234</a>' in html
    assert "07 STATE 999" in html
    assert 'href="/cables/07STATE999/"' not in html


def test_cited_by_lists_the_cables_citing_this_one(client, moscow):
    citing = make_cable("08TOKYO55", subject="Reply from Tokyo")
    Reference.objects.create(cable=citing, position=0, text="07 MOSCOW 5100", cited_id=moscow.id)

    html = client.get("/cables/07MOSCOW5100/").content.decode()

    assert 'href="/cables/08TOKYO55/"' in html
    assert "Reply from Tokyo" in html


def test_back_link_returns_to_the_referring_search(client, moscow):
    response = client.get(
        "/cables/07MOSCOW5100/",
        {"q": "missile"},
        headers={"referer": "http://testserver/search?q=missile&country=JA"},
    )

    assert 'href="/search?q=missile&amp;country=JA"' in response.content.decode()


def test_back_link_without_a_referring_search_searches_the_query(client, moscow):
    html = client.get("/cables/07MOSCOW5100/", {"q": "missile"}).content.decode()

    assert 'href="/search?q=missile"' in html


def test_raw_view_is_the_verbatim_text(client, moscow):
    response = client.get("/cables/07MOSCOW5100/raw")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == RAW


def test_raw_view_by_query_parameter(client, moscow):
    response = client.get("/cables/07MOSCOW5100/", {"view": "raw"})

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == RAW


def test_json_gives_the_parsed_record(client, moscow):
    response = client.get("/cables/07MOSCOW5100.json")

    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert data["id"] == "07MOSCOW5100"
    assert data["origin"] == {"code": "AMEMBASSY MOSCOW", "label": "Embassy Moscow"}
    assert [t["code"] for t in data["tags"]] == ["MARR", "JA", "OVIP (RICE, CONDOLEEZZA)"]
    assert data["paragraphs"][0]["number"] == 1


@pytest.mark.parametrize("path", ["/cables/NOPE/", "/cables/NOPE/raw", "/cables/NOPE.json"])
def test_unknown_cables_are_404(client, db, path):
    assert client.get(path).status_code == 404


def test_page_of_an_imported_real_cable(client, db, corpus_dir, index_dir):
    call_command("import_cables", str(corpus_dir / "seed" / "07MOSCOW5100.txt"), quiet=True)

    response = client.get("/cables/07MOSCOW5100/", {"q": "missile"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="p3"' in html
    assert "<mark>missile</mark>" in html
    assert 'href="/search?tag=MARR"' in html


def test_text_blocks_join_wrapped_lines_and_keep_list_items():
    text = "Lavrov said Russia\nwas concerned:\nA. first point\nB) second\n\n\nSIPDIS\n"

    assert text_blocks(text) == [
        "Lavrov said Russia was concerned:\nA. first point\nB) second",
        "SIPDIS",
    ]


def test_an_unknown_cable_gets_a_helpful_404_page(client, db, settings):
    settings.DEBUG = False

    response = client.get("/cables/NOPE/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "no cable with this reference id" in html
    assert 'action="/search"' in html


def test_the_500_page_renders_without_a_request_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_page_says_the_text_carries_another_cables_body(client, db):
    make_cable("07PARIS2725", body_ref="MOSCOW 5154")
    html = client.get("/cables/07PARIS2725/").content.decode()

    assert "This text carries the body of MOSCOW 5154" in html
    assert 'href="/search?q=anomaly%3Aheader-body"' in html


def test_page_without_a_body_ref_says_nothing_of_one(client, moscow):
    assert "carries the body of" not in client.get("/cables/07MOSCOW5100/").content.decode()


def test_page_says_an_inferred_classification_is_inferred(client, db):
    make_cable("05PARIS4749", classification="SECRET", classification_inferred=True)
    html = client.get("/cables/05PARIS4749/").content.decode()

    assert "inferred: no classification line; the highest paragraph marking" in html


def test_json_has_the_body_ref_and_the_inferred_flag(client, db):
    make_cable("07PARIS2725", body_ref="MOSCOW 5154")
    data = client.get("/cables/07PARIS2725.json").json()

    assert (data["body_ref"], data["classification_inferred"]) == ("MOSCOW 5154", False)


@pytest.fixture
def imported_seed(db, corpus_dir) -> str:
    """The seed cable, through the real importer."""
    from cables.ingest.importer import import_paths

    import_paths([corpus_dir / "seed"])
    return "07MOSCOW5100"


def test_lower_case_cable_url_redirects_to_the_canonical_id(client, imported_seed):
    response = client.get("/cables/07moscow5100/?q=lavrov")
    assert response.status_code == 301
    assert response["Location"] == "/cables/07MOSCOW5100/?q=lavrov"


def test_zero_padded_cable_url_redirects_to_the_canonical_id(client, imported_seed):
    response = client.get("/cables/07MOSCOW005100/")
    assert response["Location"] == "/cables/07MOSCOW5100/"


def test_json_and_raw_urls_redirect_too(client, imported_seed):
    assert client.get("/cables/07moscow5100.json")["Location"] == "/cables/07MOSCOW5100.json"
    assert client.get("/cables/07moscow5100/raw")["Location"] == "/cables/07MOSCOW5100/raw"


def test_unknown_cable_url_is_still_404(client, imported_seed):
    assert client.get("/cables/07moscow9999999/").status_code == 404
