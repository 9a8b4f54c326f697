"""The spelling vocabulary: words of the index within a few edits of a typed one."""

from __future__ import annotations

import pytest

from search.backends.whoosh.vocabulary import Vocabulary
from search.service import get_backend


def _reader():
    return get_backend()._context().searcher.reader()


@pytest.mark.usefixtures("searchable")
def test_words_one_edit_away_share_the_first_letter():
    found = set(Vocabulary().within(_reader(), "body", "misil", 1))
    assert "missil" in found  # the body's lexicon holds stems
    assert all(word.startswith("m") for word in found)


@pytest.mark.usefixtures("searchable")
def test_a_transposition_is_one_edit():
    assert "kremlin" in set(Vocabulary().within(_reader(), "body", "kremiln", 1))


@pytest.mark.usefixtures("searchable")
def test_words_two_edits_away_need_distance_two():
    vocabulary = Vocabulary()
    assert "missil" not in set(vocabulary.within(_reader(), "body", "msil", 1))
    assert "missil" in set(vocabulary.within(_reader(), "body", "msil", 2))


@pytest.mark.usefixtures("searchable")
def test_only_alphabetic_words_are_offered():
    found = set(Vocabulary().within(_reader(), "body", "2007", 1))
    assert not found


@pytest.mark.usefixtures("searchable")
def test_loading_every_letter_offers_what_reading_one_letter_does():
    reader = _reader()
    loaded = Vocabulary()
    loaded.load(reader, "body")
    assert set(loaded.within(reader, "body", "misil", 2)) == set(
        Vocabulary().within(reader, "body", "misil", 2)
    )


def test_a_later_segment_adds_its_words(store):
    store("07MOSCOW5100")
    vocabulary = Vocabulary()
    before = set(vocabulary.within(_reader(), "body", "berlin", 1))
    store("10BERLIN193")
    after = set(vocabulary.within(_reader(), "body", "berlin", 1))
    assert "berlin" not in before
    assert "berlin" in after


@pytest.mark.usefixtures("searchable")
def test_warming_reads_the_vocabulary():
    backend = get_backend()
    backend._warm_vocabulary()
    assert backend._vocabulary._letters
