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
    DateRange,
    Not,
    Or,
    Phrase,
    Word,
    parse,
    positive_words,
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
