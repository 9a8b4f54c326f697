"""The PostgreSQL engine's highlighter finds what its index matched (no database needed)."""

import pytest

from search.backends.postgres.highlight import Highlighter
from search.query import parse


def spans(q: str, text: str, **kwargs) -> list[tuple[int, int, str]]:
    return Highlighter(parse(q).tree).spans(text, **kwargs)


def test_a_word_is_found_by_its_stem():
    assert spans("missiles", "Lavrov: missile defense") == [(8, 15, "missil")]


def test_a_phrase_is_one_span_where_its_words_follow_each_other():
    assert spans('"missile defense"', "missile defense") == [(0, 15, "missil defens")]


def test_a_phrases_words_alone_are_not_found():
    assert spans('"missile defense"', "missile and defense") == []


def test_a_prefix_finds_word_starts():
    assert [t[:2] for t in spans("embass*", "the Embassy and embassies")] == [(4, 11), (16, 25)]


def test_subject_words_are_found_only_in_a_subject():
    assert spans("subject:lavrov", "Lavrov said") == []
    assert spans("subject:lavrov", "Lavrov said", subject=True) == [(0, 6, "lavrov")]


def test_negated_words_and_codes_are_not_found():
    marker = Highlighter(parse("tag:MARR -lavrov").tree)
    assert not marker
    assert marker.spans("MARR Lavrov") == []


def test_limit_bounds_the_spans():
    assert len(spans("the", "the " * 100, limit=5)) == 5


@pytest.mark.parametrize(
    ("q", "text"),
    [
        ("missiles russia", "Russia's missiles: the Russian missile programme"),
        ('"missile defense" nato', "NATO and missile defense; missile, defense."),
        ("relational", "relations are related to relational databases"),
        ("defen*", "defense defended indefensible"),
    ],
)
def test_spans_are_the_whoosh_engines(q, text):
    from search.backends.whoosh.highlight import Matcher
    from search.query import positive_words

    whoosh = Matcher(positive_words(parse(q).tree)).spans(text, limit=None)
    assert spans(q, text) == whoosh


def test_starts_name_what_every_matching_word_begins_with():
    # The page loads only paragraphs holding one of them (search.hydrate.paragraphs_of).
    assert Highlighter(parse('relational "missile defense" embass*').tree).starts == (
        "defe",
        "embass",
        "miss",
        "rel",
    )


def test_every_found_word_holds_a_start():
    lighter = Highlighter(parse("ponies relational").tree)
    text = "Ponies and relations; pony relate"
    found = [text[a:b].lower() for a, b, _ in lighter.spans(text)]
    assert found and all(any(s in w for s in lighter.starts) for w in found)
