"""The query language parser (search/query.py): how each form is read, and odd input."""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query import (
    MAX_CLAUSES,
    And,
    Cite,
    DateRange,
    Marking,
    Near,
    Not,
    Or,
    Phrase,
    Word,
    correctable_words,
    marking_matches,
    parse,
    positive_words,
    replace_words,
)


def test_words_are_anded():
    assert parse("naval exercise").tree == And((Word("any", "naval"), Word("any", "exercise")))


def test_explicit_and_is_the_same_as_space():
    assert parse("naval AND exercise").tree == parse("naval exercise").tree


def test_phrase():
    assert parse('"missile defense"').tree == Phrase("any", "missile defense")


def test_or_binds_looser_than_and():
    assert parse("a b OR c").tree == Or(
        (And((Word("any", "a"), Word("any", "b"))), Word("any", "c"))
    )


def test_not_and_minus_are_the_same():
    assert parse("NOT iran").tree == parse("-iran").tree == Not(Word("any", "iran"))


def test_minus_on_a_field_is_negative():
    assert parse("-tag:RS").tree == Not(Word("tag", "RS"))


def test_double_negation_cancels():
    assert parse("-(-tag:RS)").tree == Word("tag", "RS")


def test_parentheses_group():
    tree = parse("missile (lavrov OR kremlin)").tree
    assert tree == And(
        (Word("any", "missile"), Or((Word("any", "lavrov"), Word("any", "kremlin"))))
    )


def test_prefix():
    assert parse("embass*").tree == Word("any", "embass", prefix=True)


def test_one_letter_prefix_reads_as_a_word_and_says_so():
    parsed = parse("a*")
    assert parsed.tree == Word("any", "a")
    assert "prefixes need 2 letters" in parsed.understood


def test_codes_are_upper_cased():
    assert parse("country:ja").tree == Word("country", "JA")


def test_field_aliases():
    assert parse("class:secret").tree == Word("classification", "secret")


def test_quoted_code_keeps_its_spaces():
    tree = parse('person:"OVIP (RICE, CONDOLEEZZA)"').tree
    assert tree == Phrase("person", "OVIP (RICE, CONDOLEEZZA)")
    assert parse('tag:"VOTING RECORD"').tree == Word("tag", "VOTING RECORD")


def test_quoted_tag_name_is_its_code_and_the_free_words_as_written():
    # "HUMAN RIGHTS" is the name of PHUM and also a free-word tag some cables carry.
    tree = parse('tag:"human rights"').tree
    assert tree == Or((Word("tag", "PHUM"), Word("tag", "HUMAN RIGHTS")))


def test_year():
    assert parse("year:2007").tree == DateRange(date(2007, 1, 1), date(2007, 12, 31), "year:2007")


def test_year_range():
    tree = parse("year:2008-2006").tree
    assert (tree.start, tree.end) == (date(2006, 1, 1), date(2008, 12, 31))


def test_from_and_to_take_partial_dates():
    tree = parse("from:2006-02 to:2007-02").tree
    assert tree == And(
        (
            DateRange(date(2006, 2, 1), None, "from:2006-02-01"),
            DateRange(None, date(2007, 2, 28), "to:2007-02-28"),
        )
    )


def test_bad_date_is_dropped_and_said():
    parsed = parse("from:yesterday missile")
    assert parsed.tree == Word("any", "missile")
    assert "from:yesterday" in parsed.understood


def test_unknown_field_reads_as_words():
    parsed = parse("foo:bar")
    assert parsed.tree == And((Word("any", "foo"), Word("any", "bar")))
    assert "unknown field 'foo:'" in parsed.understood


def test_unbalanced_quote_is_closed():
    parsed = parse('"missile defense')
    assert parsed.tree == Phrase("any", "missile defense")
    assert 'unmatched "' in parsed.understood


def test_unbalanced_parentheses_are_repaired():
    assert parse("(missile OR nuclear").tree == parse("missile OR nuclear").tree
    assert parse("missile)").tree == Word("any", "missile")


def test_lone_operators_are_ignored_and_said():
    for q in ("OR", "AND", "NOT", "-", "missile OR"):
        parsed = parse(q)
        assert "ignored" in parsed.understood or parsed.tree == Word("any", "-")


def test_deep_parentheses_stay_bounded():
    parsed = parse("(" * 3000 + "missile" + ")" * 3000)
    assert positive_words(parsed.tree) == [Word("any", "missile")]


def test_very_long_queries_are_capped():
    parsed = parse(" ".join(f"w{i}" for i in range(2000)))
    assert len(positive_words(parsed.tree)) == MAX_CLAUSES
    assert "ignored words after" in parsed.understood


def test_understood_is_explicit():
    assert parse("missile -tag:rs year:2007").understood == ("missile AND NOT tag:RS AND year:2007")


def test_empty_query_understood_as_nothing():
    parsed = parse("   ")
    assert parsed.tree is None and parsed.understood == ""


def test_positive_words_skip_negated_ones():
    assert positive_words(parse("missile -iran").tree) == [Word("any", "missile")]


@pytest.mark.fuzz
@settings(max_examples=int(os.environ.get("CABLESEARCH_FUZZ_EXAMPLES", "200")), deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab():"-*+ORANDNOTtag:year19 \\\x00é')), max_size=80))
def test_any_text_parses(q):
    parsed = parse(q)
    assert isinstance(parsed.understood, str)


def test_anomaly_field_is_an_exact_lower_case_code():
    assert parse("anomaly:Header-Body").tree == Word("anomaly", "header-body")


def test_quoted_anomaly_is_the_same_code():
    assert parse('anomaly:"header-body"').tree == Word("anomaly", "header-body")


# -- citations ----------------------------------------------------------------------------------


def test_id_token_is_a_citation_of_that_cable():
    tree = parse("07moscow005100").tree
    assert isinstance(tree, Cite) and tree.ids == ("07MOSCOW5100",)


def test_citation_with_year_as_printed():
    tree = parse("07 MOSCOW 5100").tree
    assert (tree.year, tree.station, tree.serial) == ("07", "MOSCOW", "5100")


def test_citation_keeps_the_words_typed():
    tree = parse("08 STATE 81854").tree
    assert tree.words == And((Word("any", "08"), Word("any", "STATE"), Word("any", "81854")))


def test_citation_without_year_names_every_year():
    tree = parse("moscow 005100").tree
    assert "07MOSCOW5100" in tree.ids and "08MOSCOW5100" in tree.ids


def test_citation_of_a_station_of_several_words():
    tree = parse("BUENOS AIRES 2481").tree
    assert (tree.station, tree.serial) == ("BUENOSAIRES", "2481")


def test_word_and_number_are_no_citation_unless_a_station():
    assert parse("missile 5100").tree == And((Word("any", "missile"), Word("any", "5100")))


def test_field_value_is_never_a_citation():
    assert parse("subject:moscow 5100").tree == And(
        (Word("subject", "moscow"), Word("any", "5100"))
    )


def test_understood_says_what_the_citation_is():
    assert "is the cable 07MOSCOW5100" in parse("07 MOSCOW 5100").understood


def test_station_and_year_prefix_lists_the_year():
    parsed = parse("06MOSCOW*")
    assert parsed.tree == Word("id", "06MOSCOW", prefix=True)
    assert "MOSCOW from 2006" in parsed.understood


# -- names to codes -------------------------------------------------------------------------


def test_country_name_is_its_code():
    assert parse("country:japan").tree == Word("country", "JA")


def test_code_name_is_said():
    assert "is the code JA" in parse("country:Japan").understood


def test_unknown_name_hints_at_the_closest_codes():
    parsed = parse("country:japon")
    assert parsed.tree == Word("country", "JAPON")
    assert "closest: JA (Japan)" in parsed.understood


def test_known_code_is_kept():
    assert parse("country:rs").tree == Word("country", "RS")


# -- name variants --------------------------------------------------------------------------


def test_name_variant_searches_every_spelling():
    tree = parse("Gadhafi").tree
    assert Word("any", "qadhafi") in tree.children and Word("any", "Gadhafi") in tree.children


def test_name_variants_are_said():
    assert "Gadhafi also searched as qadhafi" in parse("Gadhafi").understood


def test_equals_sign_switches_variants_off():
    assert parse("=Gadhafi").tree == Word("any", "Gadhafi", exact=True)


def test_variant_phrase_becomes_a_phrase():
    tree = parse("ahmadinejad").tree
    assert Phrase("any", "ahmadi-nejad") in tree.children


# -- proximity ----------------------------------------------------------------------------------


def test_phrase_with_slop_is_near():
    assert parse('"missile defense"~5').tree == Near("any", "missile defense", 5)


def test_slop_zero_is_the_phrase():
    assert parse('"missile defense"~0').tree == Phrase("any", "missile defense")


def test_phrase_without_slop_stays_exact():
    assert parse('"missile defense" ~5').tree == And(
        (Phrase("any", "missile defense"), Word("any", "~5"))
    )


def test_near_words_are_highlighted_one_by_one():
    words = positive_words(parse('"missile defense"~5').tree)
    assert words == [Word("any", "missile"), Word("any", "defense")]


# -- fields -------------------------------------------------------------------------------------


def test_after_and_before_are_dates():
    tree = parse("after:2009 before:2010-06").tree
    assert tree == And(
        (
            DateRange(date(2009, 1, 1), None, "after:2009-01-01"),
            DateRange(None, date(2010, 6, 30), "before:2010-06-30"),
        )
    )


def test_to_without_a_date_is_an_addressee():
    assert parse("to:SECSTATE").tree == Word("addressee", "SECSTATE")


def test_signer_field():
    assert parse("signer:burns").tree == Word("signer", "burns")


def test_marking_field():
    assert parse("marking:s iran").tree == And((Marking("S"), Word("any", "iran")))
    assert parse("marking:s iran").marking == "S"


def test_marking_level_takes_its_caveats():
    assert marking_matches("S", "S/NF") and marking_matches("S", "(S)")
    assert not marking_matches("S/NF", "S") and not marking_matches("S", "SBU")


# -- errors said plainly ------------------------------------------------------------------------


def test_empty_field_is_said_not_searched():
    parsed = parse("tag:")
    assert parsed.tree is None
    assert "'tag:' with nothing after it" in parsed.understood


def test_impossible_date_is_said_as_such():
    parsed = parse("after:2010-02-30")
    assert parsed.tree is None
    assert "February 2010 has 28 days" in parsed.understood


def test_bad_month_is_said():
    assert "months run from 01 to 12" in parse("before:2010-13").understood


def test_from_with_a_name_points_to_origin():
    assert "origin:moscow" in parse("from:moscow").understood


def test_unknown_field_lists_the_fields():
    assert "the fields are subject:" in parse("foo:bar").understood


def test_misplaced_operator_is_said():
    assert "ignored OR at the start" in parse("OR missile").understood
    assert "ignored AND at the end" in parse("missile AND").understood


# -- did you mean -------------------------------------------------------------------------------


def test_replace_words_rewrites_the_words():
    fixed = replace_words("misile defence", {"misile": "missile", "defence": "defense"})
    assert fixed == "missile defense"


def test_replace_words_never_rewrites_a_field_name():
    assert replace_words("foo:bar", {"foo": "for"}) == "foo:bar"


def test_replace_words_leaves_codes_alone():
    assert replace_words("tag:prel prel", {"prel": "pearl"}) == "tag:prel pearl"


def test_replace_words_inside_phrases():
    assert replace_words('"misile defense"', {"misile": "missile"}) == '"missile defense"'


def test_correctable_words_skip_operators_and_citations():
    assert correctable_words("kremlim OR 07 MOSCOW 5100") == ["kremlim"]
