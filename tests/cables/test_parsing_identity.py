"""Which cable a text is, and whether its body is another cable's (cables/parsing/identity.py)."""

from cables.parsing import header as H
from cables.parsing.body import find_class_line, read_class_line
from cables.parsing.identity import Claim, body_claim, disagree, identify, station_from_origin
from cables.parsing.layout import locate

PARIS = "DE RUEHFR #2725/01 1770754\nZNY CCCCC ZZH\nO 260754Z JUN 07\nFM AMEMBASSY PARIS\n"
MOSCOW_BODY = "S E C R E T SECTION 01 OF 04 MOSCOW 005154\n\nSIPDIS\n\n¶1. (C) Text.\n"


def ident(text: str, *, id_hint: str = "", name_hint: str = "", header: str | None = None):
    layout = locate(text, None, header)
    line = read_class_line(layout.class_match) if layout.class_match else None
    return identify(
        layout,
        H.parse_header(layout.header),
        line,
        id_hint=id_hint,
        name_hint=name_hint,
        eo="",
        declassify_on="",
        ref_years=[],
    )


def test_station_from_origin_drops_the_post_kind():
    assert station_from_origin("AMCONSUL SHENYANG") == "SHENYANG"


def test_station_from_origin_names_the_department_state():
    assert station_from_origin("SECSTATE WASHDC") == "STATE"


def test_different_posts_disagree():
    assert disagree(Claim("PARIS", "2725"), Claim("MOSCOW", "5154"))


def test_a_post_ending_the_other_agrees():
    # FM USEU BRUSSELS over BRUSSELS 001399
    assert not disagree(Claim("USEU BRUSSELS", "1399"), Claim("BRUSSELS", "1399"))


def test_the_de_line_gives_the_last_four_digits_of_the_serial():
    assert not disagree(Claim("BEIJING", "0909"), Claim("BEIJING", "10909"))


def test_different_serials_of_one_post_disagree():
    assert disagree(Claim("MOSCOW", "1108"), Claim("MOSCOW", "1109"))


def test_a_redacted_post_compares_only_the_serial():
    assert not disagree(Claim("SHENYANG", "0004"), Claim("XXXXXXXXXXXX", "000004"))


def test_nothing_to_compare_is_no_disagreement():
    assert not disagree(None, Claim("MOSCOW", "5154"))


def test_the_body_claim_is_the_classification_line():
    layout = locate(PARIS + MOSCOW_BODY, None, None)
    assert body_claim(layout, read_class_line(find_class_line(layout.body))) == Claim(
        "MOSCOW", "5154"
    )


def test_a_garbled_classification_line_still_names_its_cable():
    layout = locate(
        PARIS + "CSE C R E T SECTION 01 OF 02 SHENYANG 000004\n\nSUBJECT: X\n", None, None
    )
    assert str(body_claim(layout, None)) == "SHENYANG 4"


def test_disagreement_follows_the_header_for_id_and_date():
    found = ident(PARIS + MOSCOW_BODY)
    assert (found.id, found.date.day, found.body_ref) == ("07PARIS2725", 26, "MOSCOW 5154")


def test_disagreement_is_a_warning():
    assert any("another cable's (MOSCOW 5154)" in w for w in ident(PARIS + MOSCOW_BODY).warnings)


def test_agreement_leaves_no_body_ref():
    found = ident(PARIS + MOSCOW_BODY.replace("MOSCOW 005154", "PARIS 002725"))
    assert (found.id, found.body_ref) == ("07PARIS2725", "")


def test_a_header_without_a_serial_gives_no_id_from_the_body():
    header = "R 272120Z FEB 09\nFM USINT HAVANA\nTO SECSTATE WASHDC 4178\n"
    found = ident(header + MOSCOW_BODY.replace("005154", "000512"))
    assert (found.id, found.body_ref) == ("", "MOSCOW 512")


def test_a_header_without_a_serial_takes_the_id_from_a_file_name_naming_its_post():
    header = "R 272120Z FEB 09\nFM USINT HAVANA\nTO SECSTATE WASHDC 4178\n"
    found = ident(header + MOSCOW_BODY, name_hint="09HAVANA132")
    assert found.id == "09HAVANA132"


def test_a_file_name_naming_another_post_gives_no_id():
    header = "R 272120Z FEB 09\nFM USINT HAVANA\nTO SECSTATE WASHDC 4178\n"
    assert ident(header + MOSCOW_BODY, name_hint="09MOSCOW5154").id == ""


def test_a_fragment_named_for_one_cable_holding_another_keeps_its_file_name_id():
    found = ident(MOSCOW_BODY, id_hint="07PARIS2725", header="")
    assert (found.id, found.body_ref) == ("07PARIS2725", "MOSCOW 5154")


def test_the_body_of_another_cable_dates_nothing():
    body = "Cable dated: 2007-10-26\n" + MOSCOW_BODY
    found = ident(body, id_hint="07PARIS2725", header="")
    assert found.date is None


def test_a_year_in_the_classification_line_must_be_the_headers():
    assert disagree(Claim("LIBREVILLE", "1895", "75"), Claim("LIBREVILLE", "1895", "76"))


def test_the_same_year_in_the_classification_line_agrees():
    assert not disagree(Claim("LIBREVILLE", "1895", "75"), Claim("LIBREVILLE", "1895", "75"))
