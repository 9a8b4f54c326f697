"""cablegate.wikileaks.org pages (Dec 2010 and Aug 2011 layouts) and body-only fragments."""

from datetime import UTC, datetime

from cables.parsing import CableRecord, ParseFailure, parse

PAGE_2010 = ("cablegate-html.tar.xz", "cable/1979/08/79TEHRAN8980.html")
PAGE_2011 = ("cablegate-2011-html.tar.xz", "test-set/1975/11/7575LIBREVILLE1895.html")
FRAGMENT = ("body-only-html.tar.xz", "cables/00HARARE5461.txt")


def test_page_format_detected(corpus_member):
    assert parse(corpus_member(*PAGE_2010), source="x.txt").format == "html"


def test_page_metadata_table_gives_id(corpus_member):
    assert parse(corpus_member(*PAGE_2010)).id == "79TEHRAN8980"


def test_page_metadata_table_gives_created(corpus_member):
    assert parse(corpus_member(*PAGE_2010)).date == datetime(1979, 8, 13, 4, 4, tzinfo=UTC)


def test_page_classification_from_link_text_not_title(corpus_member):
    # The link reads CONFIDENTIAL while its title= attribute says "unclassified".
    assert parse(corpus_member(*PAGE_2010)).classification == "CONFIDENTIAL"


def test_page_origin_from_table(corpus_member):
    assert parse(corpus_member(*PAGE_2010)).origin.label == "Embassy Tehran"


def test_page_header_newlines_decoded(corpus_member):
    record = parse(corpus_member(*PAGE_2010))
    assert record.header.splitlines()[:2] == ["R 130458Z AUG 79", "FM AMEMBASSY TEHRAN"]


def test_page_tag_links_become_tags(corpus_member):
    assert [t.code for t in parse(corpus_member(*PAGE_2010)).tags] == ["PEPR", "IR"]


def test_page_paragraph_anchors_become_numbers(corpus_member):
    numbers = [p.number for p in parse(corpus_member(*PAGE_2010)).paragraphs]
    assert numbers[:5] == [1, 2, 3, 4, 5]


def test_page_body_has_no_markup(corpus_member):
    record = parse(corpus_member(*PAGE_2010))
    assert "<a" not in record.body and "&#x000A;" not in record.body


def test_2011_layout_repairs_malformed_id(corpus_member):
    assert parse(corpus_member(*PAGE_2011)).id == "75LIBREVILLE1895"


def test_2011_layout_subject_from_subj_line(corpus_member):
    assert parse(corpus_member(*PAGE_2011)).subject == "KOREA AT 30TH UNGA: GABON"


def test_2011_layout_references(corpus_member):
    refs = parse(corpus_member(*PAGE_2011)).references
    assert [r.cable_id for r in refs] == ["75STATE272523", "75USUNNEWYORK6028"]


def test_fragment_format_detected(corpus_member):
    assert parse(corpus_member(*FRAGMENT), source="cables/00HARARE5461.txt").format == "html-body"


def test_fragment_id_from_file_name(corpus_member):
    record = parse(corpus_member(*FRAGMENT), source="cables/00HARARE5461.txt")
    assert record.id == "00HARARE5461"


def test_fragment_named_entity_marks_removed(corpus_member):
    record = parse(corpus_member(*FRAGMENT), source="cables/00HARARE5461.txt")
    assert "[LOC" not in record.body and "[ORG" not in record.body


def test_fragment_tags(corpus_member):
    record = parse(corpus_member(*FRAGMENT), source="cables/00HARARE5461.txt")
    assert [t.code for t in record.tags] == ["PGOV", "PINS", "ZI", "MDC", "ZANU-PF"]


def test_file_name_does_not_decide_the_format(corpus_member):
    # A plain-text cable stays "text" even when named like a page.
    text = corpus_member("cables-text.tar.xz", "text/09BELGRADE765.txt")
    assert parse(text, source="cable/2009/07/09BELGRADE765.html").format == "text"


def test_file_name_is_no_id_hint_for_plain_text(corpus_member):
    text = corpus_member("cables-text.tar.xz", "text/09BELGRADE765.txt")
    assert parse(text, source="text/99OTHER1.txt").id == "09BELGRADE765"


def test_page_without_cable_body_is_a_failure():
    page = b"<html><body><table class='other'><tr><td>x</td></tr></table></body></html>"
    assert isinstance(parse(page, source="page.html"), ParseFailure)


def test_windows_1252_fragment_decodes(corpus_member):
    data = corpus_member(*FRAGMENT).decode("utf-8").encode("cp1252", errors="replace")
    record = parse(data, source="cables/00HARARE5461.txt")
    assert isinstance(record, CableRecord) and "MUGABE’S" in record.subject


UNDATED = (
    "UNCLAS SECTION 01 OF 02 BRASILIA 001302\n\nSIPDIS\n\nE.O. 12958: N/A\n"
    "TAGS: ECON BR\nSUBJECT: A SUBJECT\n\n1. (U) Text.\n"
)


def test_undated_text_takes_year_from_a_matching_file_name():
    record = parse(UNDATED, source="text/06BRASILIA1302.txt")
    assert (
        record.id,
        "no date: the year in the id is taken from the file name" in record.warnings,
    ) == (
        "06BRASILIA1302",
        True,
    )


def test_file_name_naming_another_cable_is_ignored():
    assert parse(UNDATED, source="text/06BRASILIA9999.txt").id == ""


def test_fragment_named_like_a_cable_without_cable_text_is_a_failure():
    result = parse(b"<code><pre>Nothing to see here.</pre></code>", source="cables/09STATE1.txt")
    assert isinstance(result, ParseFailure)
