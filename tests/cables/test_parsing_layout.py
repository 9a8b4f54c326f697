"""Stage 1 of the parser: where header, body and pasted metadata are (cables/parsing/layout.py)."""

import dataclasses

import pytest

from cables.parsing.layout import locate

HEADER = "VZCZCXRO6042\nDE RUEHMO #5100 2951503\nP 221503Z OCT 07\nFM AMEMBASSY MOSCOW\n"
BODY = "C O N F I D E N T I A L MOSCOW 005100\n\nSIPDIS\n\n¶1. (U) Text.\n"


def test_header_ends_at_the_classification_line():
    layout = locate(HEADER + BODY, None, None)
    assert (layout.header, layout.body) == (HEADER, BODY)


def test_body_lines_are_the_body_split():
    assert locate(HEADER + BODY, None, None).lines == tuple(BODY.splitlines())


def test_without_a_classification_line_the_header_ends_at_the_first_blank_line_after_fm():
    layout = locate(HEADER + "TO SECSTATE WASHDC\n\nSUBJECT: X\n", None, None)
    assert (layout.class_match, layout.body) == (None, "\n\nSUBJECT: X\n")


def test_a_header_given_apart_is_kept_and_the_text_is_all_body():
    layout = locate(BODY, None, HEADER)
    assert (layout.header, layout.body) == (HEADER, BODY)


def test_a_pasted_database_row_becomes_metadata():
    row = "2007-09-11 09:44:00\t07BERN881\tEmbassy Bern\tSECRET\t07STATE124823\tVZCZC\n"
    layout = locate(row + BODY, None, None)
    assert (layout.meta["id"], layout.meta["classification"]) == ("07BERN881", "SECRET")


def test_partial_extract_sentence_sets_the_flag():
    text = "This record is a partial extract of the original cable. The full text...\n" + BODY
    assert locate(text, None, None).partial


def test_the_layout_cannot_be_changed():
    layout = locate(HEADER + BODY, None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        layout.body = ""  # type: ignore[misc]
    with pytest.raises(TypeError):
        layout.meta["id"] = "X"  # type: ignore[index]
