"""Snippets and marks: which stretches of a cable's text match the query's words and phrases."""

from __future__ import annotations

import os
from html import unescape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.backends.whoosh.highlight import Matcher
from search.query import parse, positive_words
from search.snippets import Marker, snippets


def matcher(q: str) -> Marker:
    return Marker(Matcher(positive_words(parse(q).tree)))


def marked(q: str, text: str, subject: bool = False) -> str:
    return matcher(q).mark(text, subject=subject)


def test_word_forms_are_marked_by_their_stem():
    assert marked("criticizes", "Criticize, criticism") == (
        "<mark>Criticize</mark>, <mark>criticism</mark>"
    )


def test_a_form_the_stemmer_keeps_apart_is_not_marked():
    # Porter stems "criticized" to "criticiz", not "critic": the search did not match it.
    assert marked("criticizes", "criticized") == "criticized"


def test_text_is_escaped_with_only_mark_added():
    assert (
        marked("missiles", "<b>missile</b> & co")
        == "&lt;b&gt;<mark>missile</mark>&lt;/b&gt; &amp; co"
    )


def test_a_phrase_is_marked_as_one_stretch():
    assert marked('"missile defense"', "US missile defense plans") == (
        "US <mark>missile defense</mark> plans"
    )


def test_a_phrase_word_alone_is_not_marked():
    assert marked('"missile defense"', "missiles and the defense minister") == (
        "missiles and the defense minister"
    )


def test_a_phrase_spans_punctuation_as_the_index_does():
    # The index reads "missile, defense" as two words in a row, so the phrase matched it.
    assert marked('"missile defense"', "missile, defense") == "<mark>missile, defense</mark>"


def test_a_word_between_breaks_the_phrase():
    assert marked('"missile defense"', "missile and defense") == "missile and defense"


def test_a_phrase_and_a_word_of_it_asked_alone_are_both_marked():
    assert marked('"missile defense" missile', "missile defense; a missile") == (
        "<mark>missile defense</mark>; a <mark>missile</mark>"
    )


def test_the_longest_phrase_wins_where_two_start_together():
    assert marked('"missile defense" "missile defense system"', "a missile defense system") == (
        "a <mark>missile defense system</mark>"
    )


def test_a_subject_phrase_is_marked_in_the_subject_only():
    m = matcher('subject:"missile defense"')

    assert m.mark("MISSILE DEFENSE TALKS", subject=True) == "<mark>MISSILE DEFENSE</mark> TALKS"
    assert m.mark("missile defense talks") == "missile defense talks"


def test_excluded_words_and_filter_codes_mark_nothing():
    assert not matcher("-missile tag:MARR country:RS")


def test_prefix_words_mark_every_word_they_start():
    assert marked("nucl*", "nuclear nucleus") == "<mark>nuclear</mark> <mark>nucleus</mark>"


def test_mark_finds_every_match_however_many():
    text = " ".join(["missile"] * 100)

    assert marked("missile", text).count("<mark>") == 100


def test_snippets_prefer_the_paragraph_holding_the_whole_phrase():
    paragraphs = [
        (1, "The defense minister spoke of a missile test."),
        (2, "Russia opposes missile defense in Europe."),
    ]

    found = snippets(matcher('"missile defense"'), "SUBJECT", paragraphs)

    assert [s.paragraph for s in found] == [2]
    assert "<mark>missile defense</mark>" in found[0].html


def test_snippets_count_a_phrase_as_one_of_the_query_words():
    paragraphs = [
        (1, "Missile defense was discussed."),
        (2, "Missile defense and Iran were discussed."),
    ]

    found = snippets(matcher('"missile defense" iran'), "", paragraphs)

    assert [s.paragraph for s in found] == [2, 1]


def test_snippets_rank_a_phrase_above_a_word_repeated():
    paragraphs = [
        (1, "A visit, then another visit, then a third visit."),
        (2, "The first lady spoke."),
        (3, "One more visit."),
        (4, "A last visit and a visit."),
    ]

    found = snippets(matcher('"first lady" visit'), "", paragraphs)

    assert found[0].paragraph == 2


# -- properties: marking never alters the text ------------------------------------------------

EXAMPLES = int(os.environ.get("CABLESEARCH_FUZZ_EXAMPLES", "300"))
fuzz_settings = settings(max_examples=EXAMPLES, deadline=None)
QUERY_PIECES = [
    '"missile defense"', "missile", "missiles", "nucl*", "-iran", "subject:defense",
    '"the u.s."', "tag:RS", '"defense defense"', "OR", "(", ")", '"', "u.s.", "é",
]  # fmt: skip
TEXT_PIECES = [
    "missile", "Missiles", "defense", "DEFENSE", "iran", "the", "U.S.", "nuclear", "<b>", "&amp;",
    "&", "é", "-", ",", ".", "\n", "  ", "missile-defense", "missile.defense",
]  # fmt: skip
queries = st.lists(st.sampled_from(QUERY_PIECES) | st.text(max_size=8), max_size=5).map(" ".join)
texts = st.lists(st.sampled_from(TEXT_PIECES) | st.text(max_size=6), max_size=60).map(" ".join)


def _strip(html: str) -> str:
    return unescape(html.replace("<mark>", "").replace("</mark>", ""))


@pytest.mark.fuzz
@fuzz_settings
@given(queries, texts, st.booleans())
def test_marking_keeps_every_character_of_the_text(q, text, subject):
    html = matcher(q).mark(text, subject=subject)

    assert _strip(html) == text
    assert "<mark><mark>" not in html and "</mark></mark>" not in html
    assert html.count("<mark>") == html.count("</mark>")


@pytest.mark.fuzz
@fuzz_settings
@given(queries, st.lists(texts, min_size=1, max_size=4))
def test_every_snippet_is_a_piece_of_its_paragraph(q, paragraphs):
    numbered = list(enumerate(paragraphs, start=1))

    for snippet in snippets(matcher(q), "SUBJECT", numbered):
        piece = _strip(snippet.html).removeprefix("… ").removesuffix(" …")
        source = "SUBJECT" if snippet.paragraph == -1 else paragraphs[snippet.paragraph - 1]
        assert piece in source
