"""The parser's public entry points: parse, iter_csv, decode_bytes, tag_kind, tag_name."""

from datetime import UTC, datetime

from cables.parsing import (
    CableRecord,
    ParseFailure,
    decode_bytes,
    iter_csv,
    parse,
    tag_kind,
    tag_name,
)


def test_seed_cable_id_from_text(seed_cable):
    assert parse(seed_cable, source="seed.txt").id == "07MOSCOW5100"


def test_seed_cable_date_is_utc_dtg(seed_cable):
    assert parse(seed_cable).date == datetime(2007, 10, 22, 15, 3, tzinfo=UTC)


def test_seed_cable_origin_label(seed_cable):
    origin = parse(seed_cable).origin
    assert (origin.code, origin.label) == ("AMEMBASSY MOSCOW", "Embassy Moscow")


def test_seed_cable_tags_without_link_residue(seed_cable):
    assert [t.code for t in parse(seed_cable).tags] == ["MARR", "PARM", "PREL", "JA", "RS"]


def test_seed_cable_subject_joins_lines(seed_cable):
    assert parse(seed_cable).subject == "FM LAVROV CRITICIZES US-JAPAN MISSILE DEFENSE COOPERATION"


def test_seed_cable_signer(seed_cable):
    assert parse(seed_cable).signer == "Burns"


def test_seed_cable_format_is_text(seed_cable):
    assert parse(seed_cable).format == "text"


def test_empty_input_is_a_failure_with_a_message():
    result = parse(b"", source="empty.txt")
    assert isinstance(result, ParseFailure)
    assert result.error == "not a cable: the file is empty"


def test_binary_junk_is_a_failure():
    result = parse(bytes(range(256)) * 4, source="junk.bin")
    assert isinstance(result, ParseFailure)
    assert "binary" in result.error


def test_random_html_is_not_a_cable():
    html = b"<html><body><h1>Hello</h1><p>Nothing to see.</p></body></html>"
    result = parse(html, source="page.html")
    assert isinstance(result, ParseFailure)
    assert result.error.startswith("not a cable")


def test_prose_is_not_a_cable():
    result = parse("Dear friend,\nthis is only a letter.\n")
    assert isinstance(result, ParseFailure)
    assert result.error == "not a cable: no reference id, date or classification line found"


def test_decode_bytes_utf8():
    assert decode_bytes("MUGABE’S".encode()) == "MUGABE’S"


def test_decode_bytes_cp1252_fallback():
    assert decode_bytes(b"MUGABE\x92S") == "MUGABE’S"


def test_decode_bytes_undefined_cp1252_byte_falls_back_to_latin1():
    assert decode_bytes(b"A\x81B\xe9") == "A\x81Bé"


def test_tag_kind_of_each_dictionary_kind():
    assert [tag_kind(c) for c in ("RS", "PREL", "KNNP", "NATO")] == [
        "geo",
        "subject",
        "program",
        "organization",
    ]


def test_tag_kind_person_by_form():
    assert tag_kind("OVIP (RICE, CONDOLEEZZA)") == "person"


def test_tag_kind_unknown_code():
    assert tag_kind("VTPREL") == "unknown"


def test_tag_name_known_code():
    assert tag_name("JA") == "Japan"


def test_tag_name_unknown_code_is_none():
    assert tag_name("VTPREL") is None


def test_iter_csv_reads_rows_and_reports_a_malformed_one(parsing_fixtures):
    with (parsing_fixtures / "cables_sample.csv").open("rb") as stream:
        results = list(iter_csv(stream, source="cables_sample.csv"))
    assert [r.id if isinstance(r, CableRecord) else r.source for r in results] == [
        "79TEHRAN8980",
        "cables_sample.csv:row 2",
        "00HARARE5461",
        "66BUENOSAIRES2481",
    ]


def test_iter_csv_takes_metadata_columns(parsing_fixtures):
    with (parsing_fixtures / "cables_sample.csv").open("rb") as stream:
        first = next(iter_csv(stream, source="cables_sample.csv"))
    assert (first.date, first.classification, first.origin.label, first.format) == (
        datetime(1979, 8, 13, 4, 4, tzinfo=UTC),
        "CONFIDENTIAL",
        "Embassy Tehran",
        "csv",
    )


def test_iter_csv_unescapes_backslash_newlines(parsing_fixtures):
    with (parsing_fixtures / "cables_sample.csv").open("rb") as stream:
        last = list(iter_csv(stream, source="cables_sample.csv"))[-1]
    assert "\\n" not in last.body
    assert last.subject == "EXTENDED NATIONAL JURISDICTIONS OVER HIGH SEAS"


def test_iter_csv_mysql_escapes():
    import io

    body = 'UNCLAS STATE 000001\\n\\nTAGS: PREL\\nSUBJECT: A \\"QUOTED\\" C:\\\\PATH\\n'
    row = f'"1","1/2/2009 3:04","09STATE1","Secretary of State","UNCLASSIFIED","","","{body}"\n'
    (record,) = list(iter_csv(io.BytesIO(row.encode()), source="t.csv"))
    assert record.subject == 'A "QUOTED" C:\\PATH'


def test_iter_csv_single_digit_hour():
    import io

    row = '"1","1/2/2009 3:04","09STATE1","Secretary of State","UNCLASSIFIED","","","UNCLAS STATE 000001"\n'
    (record,) = list(iter_csv(io.BytesIO(row.encode()), source="t.csv"))
    assert record.date == datetime(2009, 1, 2, 3, 4, tzinfo=UTC)


def test_iter_csv_overlong_row_is_reported_and_reading_goes_on():
    import io

    broken = (
        '"1","1/2/2009 3:04","09STATE1","x","UNCLASSIFIED","","","never closed\n' + "TEXT\n" * 50
    )
    good = '"2","1/2/2009 3:04","09STATE2","x","UNCLASSIFIED","","","UNCLAS STATE 000002"\n'
    stream = io.BytesIO((broken + good).encode())
    results = list(iter_csv(stream, source="t.csv", max_row_bytes=100))
    assert [type(r).__name__ for r in results] == ["ParseFailure", "CableRecord"]
    assert results[1].id == "09STATE2"


def test_iter_csv_unclosed_quote_at_end_is_a_failure():
    import io

    row = '"1","1/2/2009 3:04","09STATE1","x","UNCLASSIFIED","","","never closed\n'
    (result,) = list(iter_csv(io.BytesIO(row.encode()), source="t.csv"))
    assert isinstance(result, ParseFailure)


def test_an_addressee_is_cut_to_what_the_database_holds():
    from cables.parsing.header import MAX_ADDRESSEE, parse_header

    long_line = "RUEHC/SECSTATE WASHDC " + "AND AMEMBASSY MOSCOW " * 30
    header = parse_header(f"FM AMEMBASSY MOSCOW\nTO {long_line}\nBT\n")

    assert header.to
    assert max(len(name) for name in header.to) == MAX_ADDRESSEE
