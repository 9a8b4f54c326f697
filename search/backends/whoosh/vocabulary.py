"""Words of the index spelt within one or two edits of a typed one, for did-you-mean.

Whoosh's ``reader.terms_within`` walks every term sharing the first letter through a merge of
all segments and measures each in Python: 1.2 s for one misspelt word at 251,287 cables (26
segments), all of a misspelt search's time. Here each (field, first letter) list is read from
a segment once, kept for the life of the process, and measured with rapidfuzz's optimal string
alignment distance (whoosh's own Damerau-Levenshtein, transpositions counted once) in C.

A segment's words stay in the list after a merge or deletion removed it from the index: the
lists only grow, and callers rank candidates by their document frequency, which is 0 for a
word no longer indexed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from rapidfuzz import process
from rapidfuzz.distance import OSA

from search.backends.whoosh.docsets import segment_key


class _Letter:
    __slots__ = ("segments", "words", "choices")

    def __init__(self) -> None:
        self.segments: set[str] = set()
        self.words: set[str] = set()
        self.choices: list[str] = []


class Vocabulary:
    """The alphabetic words of some fields by first letter, shared by every thread."""

    def __init__(self) -> None:
        self._letters: dict[tuple[str, str], _Letter] = {}
        self._lock = threading.Lock()

    def within(self, reader, fieldname: str, text: str, distance: int) -> Iterator[str]:
        """The words of ``fieldname`` that start with ``text``'s first letter and are at most
        ``distance`` edits from it (``text`` itself included when indexed)."""
        if not text:
            return iter(())
        choices = self._choices(reader, fieldname, text[0])
        found = process.extract(
            text, choices, scorer=OSA.distance, score_cutoff=distance, limit=None
        )
        return (word for word, _, _ in found)

    def load(self, reader, fieldname: str) -> None:
        """Read every letter of ``fieldname`` now (a server worker, in the background), one
        segment at a time, so that no visitor's misspelling waits for it."""
        for leaf in _leaves(reader):
            key = segment_key(leaf)
            if key is None or fieldname not in leaf.schema:
                continue
            with self._lock:
                changed: set[str] = set()
                for word in _words(leaf, fieldname, leaf.lexicon(fieldname)):
                    entry = self._letters.setdefault((fieldname, word[0]), _Letter())
                    if key not in entry.segments:
                        entry.words.add(word)
                        changed.add(word[0])
                for (name, letter), entry in self._letters.items():
                    if name == fieldname:
                        entry.segments.add(key)
                        if letter in changed:
                            entry.choices = sorted(entry.words)

    def _choices(self, reader, fieldname: str, letter: str) -> list[str]:
        leaves = _leaves(reader)
        with self._lock:
            entry = self._letters.setdefault((fieldname, letter), _Letter())
            added = False
            for leaf in leaves:
                key = segment_key(leaf)
                if key is not None and key in entry.segments:
                    continue
                if fieldname in leaf.schema:
                    entry.words.update(
                        _words(leaf, fieldname, leaf.expand_prefix(fieldname, letter))
                    )
                added = True
                if key is not None:
                    entry.segments.add(key)
            if added or not entry.choices:
                entry.choices = sorted(entry.words)
            return entry.choices


def _leaves(reader) -> list:
    """The reader's segments (an empty index has none to read)."""
    return [leaf for leaf, _ in reader.leaf_readers()] if reader.doc_count_all() else []


def _words(leaf, fieldname: str, terms) -> Iterator[str]:
    """The alphabetic words among one segment's ``terms`` (bytes) of ``fieldname``."""
    field = leaf.schema[fieldname]
    for btext in terms:
        word = field.from_bytes(btext)
        if word.isalpha():
            yield word
