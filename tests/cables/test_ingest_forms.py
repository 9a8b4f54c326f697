"""cables/ingest: every form of a cable kept, the fullest shown, unchanged inputs not parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from cables.ingest import reading
from cables.ingest.importer import import_paths
from cables.ingest.reading import Unchanged, iter_parsed, read_key
from cables.ingest.sources import Limits, Sources
from cables.models import Cable, CableSource
from cables.parsing import parse

SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"
SEED = SAMPLE / "07MOSCOW5100.txt"

pytestmark = pytest.mark.django_db


def test_each_form_is_kept_with_its_kind_and_the_fullest_is_shown(three_forms):
    for kind in ("html-body", "text", "html"):
        import_paths([three_forms[kind]])

    cable = Cable.objects.get(pk="05DUBLIN143")
    assert sorted(s.kind for s in cable.sources.all()) == ["html", "html-body", "text"]
    assert cable.shown_source.kind == "html"
    assert cable.format == "html"


def test_a_poorer_form_after_a_fuller_one_is_kept_but_not_shown(three_forms):
    import_paths([three_forms["html"]])
    summary = import_paths([three_forms["html-body"]])

    cable = Cable.objects.get(pk="05DUBLIN143")
    assert summary.unchanged == 1
    assert cable.sources.count() == 2
    assert cable.shown_source.kind == "html"


def test_each_form_keeps_its_upload_byte_for_byte(three_forms):
    import_paths(list(three_forms.values()))

    for form in CableSource.objects.all():
        assert form.original_bytes == three_forms[form.kind].read_bytes()


def test_a_page_form_holds_the_cable_text_not_the_navigation(three_forms):
    import_paths([three_forms["html"]])

    form = CableSource.objects.get()
    record = parse(three_forms["html"].read_bytes(), source=str(three_forms["html"]))
    assert form.text == f"{record.header}\n\n{record.body}"
    assert "<" not in form.text and "Browse" not in form.text


def test_the_cable_text_of_a_form_that_stops_being_shown_still_reads(three_forms):
    import_paths([three_forms["text"]])
    text_form = CableSource.objects.get()
    expected = text_form.text

    import_paths([three_forms["html"]])  # replaces the shown record and its paragraphs

    assert CableSource.objects.get(pk=text_form.pk).text == expected


def test_header_and_body_come_from_the_shown_form():
    import_paths([SEED])

    cable = Cable.objects.get(pk="07MOSCOW5100")
    record = parse(SEED.read_bytes(), source=str(SEED))
    assert (cable.header, cable.body, cable.source) == (record.header, record.body, str(SEED))


def test_an_input_read_before_is_not_parsed_again():
    import_paths([SEED])
    known = set(CableSource.objects.values_list("read_key", flat=True))

    items = list(iter_parsed(Sources([SEED], Limits()), known))

    assert items == [Unchanged(str(SEED))]


def test_re_importing_counts_skipped_inputs_as_unchanged():
    import_paths([SAMPLE])

    summary = import_paths([SAMPLE])

    assert summary.as_dict() == {"new": 0, "updated": 0, "unchanged": 304, "failed": 0}


def test_a_csv_row_read_before_is_not_parsed_again(tmp_path):
    from tests.cables.test_ingest_importer import csv_row

    release = tmp_path / "cables.csv"
    release.write_bytes(csv_row(1, "07MOSCOW5100", SEED.read_text(encoding="utf-8")))
    import_paths([release])
    known = set(CableSource.objects.values_list("read_key", flat=True))

    items = list(iter_parsed(Sources([release], Limits()), known))

    assert [type(item) for item in items] == [Unchanged]


def test_a_new_parser_reads_again_and_stores_its_key(monkeypatch):
    import_paths([SEED])
    monkeypatch.setattr(reading, "parser_fingerprint", lambda: b"another parser")

    summary = import_paths([SEED])

    assert summary.unchanged == 1
    assert CableSource.objects.get().read_key == read_key(SEED.read_bytes(), str(SEED))


def test_a_fragment_under_another_name_is_read_again(tmp_path):
    # A body-only fragment's id comes from its file name: the name is part of the read key.
    data = b"<pre>text</pre>"

    assert read_key(data, "a/07MOSCOW5100.txt") != read_key(data, "a/08PARIS1.txt")
