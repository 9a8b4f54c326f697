"""The PostgreSQL engine reads text as the Whoosh engine does, and writes valid literals."""

import pytest

from search.backends.postgres.analysis import (
    MAX_POSITIONS,
    document_vector,
    fold,
    quote,
    terms,
)
from search.backends.whoosh.schema import TEXT_ANALYZER

TEXTS = [
    "Lavrov criticizes U.S. missile-defense plans",
    "THE EMBASSIES of the U.S.A. and Japan's 2007 talks",
    "Ünïcödé wörds, naïve café",
    "a us of 12.5 percent",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_terms_are_the_whoosh_engines(text):
    assert terms(text) == [t.text for t in TEXT_ANALYZER(text, mode="query")]


def test_quote_doubles_quotes_and_escapes_backslashes():
    assert quote("o'x\\y") == "'o''x\\\\y'"


def test_subject_words_are_weighted_and_also_prefixed():
    vector = document_vector(fold("Russia talks", []), {}, "", "", "X")
    assert "'russia':1A" in vector and "'s:russia':1" in vector


def test_paragraph_positions_start_after_a_gap():
    vector = document_vector(fold("one", ["two"]), {}, "", "", "X")
    assert "'two':3" in vector  # not 2: no phrase spans subject and paragraphs


def test_codes_and_fields_are_bare_lexemes():
    vector = document_vector(
        fold("", []),
        {"country": ("JA",), "person": ("RICE, C",)},
        "Embassy Tokyo",
        "SECRET",
        "07X1",
    )
    for lexeme in ("'t:JA'", "'c:JA'", "'t:RICE, C'", "'p:rice'", "'f:tokyo'", "'k:secret'"):
        assert lexeme in vector
    assert "'i:07X1'" in vector


def test_a_lexeme_keeps_at_most_the_positions_postgresql_keeps():
    vector = document_vector(fold("", ["the " * 1000]), {}, "", "", "X")
    positions = vector.split("'the':")[1].split(" ")[0].split(",")
    assert len(positions) == MAX_POSITIONS


def test_a_word_first_seen_past_the_last_position_is_kept_at_it():
    # A cable over 16,383 words whose tail holds a new word (one of 251,287 generated cables
    # stopped an import on it).
    vector = document_vector(fold("", ["the " * 16_400 + "zebra"]), {}, "", "", "X")
    assert "'zebra':16383" in vector


def test_words_side_by_side_are_also_pair_lexemes():
    vector = document_vector(
        fold("Missile talks", ["Russia objects to missile defense."]), {}, "", "", "X"
    )
    for pair in ("'q:missil talk'", "'q:russia object'", "'q:missil defens'"):
        assert pair in vector


def test_no_pair_spans_the_subject_and_the_paragraphs():
    vector = document_vector(fold("Missile talks", ["Russia objects"]), {}, "", "", "X")
    assert "'q:talk russia'" not in vector


def test_no_pair_is_written_past_the_last_position():
    vector = document_vector(fold("", ["word " * 16_400 + "zebra crossing"]), {}, "", "", "X")
    assert "'q:word word'" in vector and "'q:zebra cross'" not in vector


def test_numbers_and_the_commonest_words_form_no_pairs():
    vector = document_vector(fold("", ["Minister of Defense 2007 budget"]), {}, "", "", "X")
    assert "'q:" not in vector
