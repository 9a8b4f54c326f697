"""WikiLeaks' classification labels (cables/parsing/classification.py)."""

from cables.parsing.classification import level_from_markings, wikileaks_classification


def test_highest_marking_is_the_level():
    assert level_from_markings(["U", "C", "S", "C"]) == "SECRET"


def test_a_markings_caveat_is_not_part_of_the_level():
    assert level_from_markings(["C/NF", "U"]) == "CONFIDENTIAL"


def test_sbu_markings_give_unclassified():
    assert level_from_markings(["SBU", "U"]) == "UNCLASSIFIED"


def test_no_marking_gives_no_level():
    assert level_from_markings(["", ""]) == ""


def test_unknown_marks_are_not_levels():
    assert level_from_markings(["A", "B"]) == ""


def test_noforn_caveat_adds_the_suffix():
    assert wikileaks_classification("SECRET", ["SIPDIS", "NOFORN"]) == "SECRET//NOFORN"
