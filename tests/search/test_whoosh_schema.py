"""The fast indexing path of StemmedText gives exactly what Whoosh's own analysis gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, formats
from whoosh import index as windex

from search.backends.whoosh.schema import (
    TEXT_ANALYZER,
    CompactPositions,
    StemmedText,
    make_schema,
    text_terms,
)

SAMPLES = [
    "1. (C) The U.S. Embassy's 2.5 cables on NATO-Russia talks: RUNNING runs ran.",
    "ÉTATS-UNIS, İstanbul, naïve STRASSE Straße, ΟΔΟΣ's ΣΟΦΙΑ",
    "",
    "... --- ///",
    "word word WORD Word",
]


def _reference_terms(text: str) -> list[str]:
    return [token.text for token in TEXT_ANALYZER(text)]


def test_text_terms_match_the_analyzer_on_samples():
    for text in SAMPLES:
        assert text_terms(text) == _reference_terms(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_text_terms_match_the_analyzer_on_any_text(text):
    assert text_terms(text) == _reference_terms(text)


def test_postings_match_whoosh_text_field():
    fast = StemmedText(field_boost=2.0)
    plain = fields.TEXT(analyzer=TEXT_ANALYZER, field_boost=2.0)
    plain.format = CompactPositions(field_boost=2.0)
    text = " ".join(SAMPLES) * 3
    assert list(fast.index(text)) == list(plain.index(text))


def test_compact_positions_round_trip():
    fmt = CompactPositions(field_boost=2.0)
    value = fmt.encode([0, 7, 70_000, 2**32 - 1])
    assert fmt.decode_positions(value) == [0, 7, 70_000, 2**32 - 1]
    assert fmt.decode_frequency(value) == 4
    assert fmt.decode_weight(value) == 8.0


def test_stemmed_text_stores_compact_positions():
    assert isinstance(StemmedText().format, CompactPositions)


def test_stemmed_text_keeps_the_format_of_an_older_index():
    # An index written before CompactPositions unpickles its field with the old format.
    field = StemmedText()
    field.format = formats.Positions()
    (term, freq, weight, value), *_ = field.index("naval naval exercises")
    assert field.format.decode_positions(value) == [0, 1]


def test_schema_with_stemmed_text_reopens_from_disk(tmp_path):
    ix = windex.create_in(str(tmp_path), make_schema())
    with ix.writer() as writer:
        writer.add_document(id="07PARIS1", subject="Naval exercises", body="Naval exercises.")
    with windex.open_dir(str(tmp_path)).searcher() as searcher:
        assert isinstance(searcher.schema["body"], StemmedText)
        assert list(searcher.lexicon("body")) == [b"exercis", b"naval"]


def test_single_positions_are_encoded_for_each_format():
    # The encodings of single positions are cached: one format's must not leak to the other.
    compact, old = StemmedText(), StemmedText()
    old.format = formats.Positions()
    for field in (compact, old, compact):
        ((_, _, _, value),) = field.index("naval")
        assert field.format.decode_positions(value) == [0]
