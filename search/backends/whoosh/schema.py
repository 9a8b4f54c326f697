"""The Whoosh schema: one document per cable, no cable text stored (the database has it)."""

from __future__ import annotations

import re
import struct
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter
from whoosh.lang.porter import stem

TEXT_PATTERN = r"\w+(?:\.\w+)*"
# No stop list and no minimum length: every word the user types counts (Whoosh's defaults drop
# "a", "us", "of" silently), and phrases keep their small words.
TEXT_ANALYZER = RegexTokenizer(TEXT_PATTERN) | LowercaseFilter() | StemFilter(stemfn=stem)
# Origin, classification and person names: case-folded words, not stemmed.
WORD_ANALYZER = RegexTokenizer(r"\w+") | LowercaseFilter()
# Exact codes, one per line, case kept ("OVIP (RICE, CONDOLEEZZA)" is one code).
CODE_ANALYZER = RegexTokenizer(r"[^\n]+")

# Facet name -> index field holding its exact values.
FACET_FIELDS = {
    "tag": "f_tag",
    "country": "f_country",
    "program": "f_program",
    "org": "f_org",
    "person": "f_person",
    "origin": "f_origin",
    "class": "f_class",
    "addressee": "f_addressee",
    "signer": "f_signer",
}
MULTI_VALUED = ("tag", "country", "program", "org", "person")


_WORDS = re.compile(TEXT_PATTERN)
STEM_CACHE_MAX = 300_000  # distinct words remembered (~40 MB); the cache restarts past it


class _Stems(dict):
    def __missing__(self, word: str) -> str:
        stemmed = self[word] = stem(word)
        return stemmed


_stems = _Stems()


def text_terms(value: str) -> list[str]:
    """The terms TEXT_ANALYZER gives for ``value``, in order, computed in bulk.

    Whoosh's analyzer runs three generators and a Token object per word (about half of the
    indexing time); this does the same with one regex pass and a dict of stems.
    """
    if len(_stems) > STEM_CACHE_MAX:
        _stems.clear()
    if value.isascii():  # lowercasing ASCII first cannot change what \w matches
        words = _WORDS.findall(value.lower())
    else:
        words = _WORDS.findall(value)
        if not words:
            return []
        # One lower() over the words joined by spaces is the same as one per word: a space is
        # neither cased nor case-ignorable, so even a final sigma lowers as it would alone.
        words = " ".join(words).lower().split(" ")
    return list(map(_stems.__getitem__, words))


def term_count(value: str) -> int:
    """How many terms text_terms gives for ``value`` (its length in positions)."""
    return len(_WORDS.findall(value))


class CompactPositions(formats.Positions):
    """Positions stored as little-endian uint32s instead of a pickled list of deltas.

    A phrase query decodes the positions of thousands of postings: joined, a block of these
    values is one ``numpy.frombuffer`` call (search/backends/whoosh/docsets.py), where the
    pickled form costs a ``pickle.loads`` per posting. Also smaller (4 bytes for a word seen
    once, 13 pickled) and cheaper to encode. Pickled into the index's schema: keep the name.
    """

    def encode(self, poslist: Any) -> bytes:
        return struct.pack(f"<{len(poslist)}I", *poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return list(struct.unpack(f"<{len(valuestring) // 4}I", valuestring))

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost


class StemmedText(fields.TEXT):
    """A TEXT field analysed by TEXT_ANALYZER that indexes a string through ``text_terms``.

    Same postings byte for byte as ``fields.TEXT(analyzer=TEXT_ANALYZER)`` (tested); queries,
    highlights and spelling still go through the analyzer. The class is pickled into the
    index's schema, so it must stay importable under this name.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(analyzer=TEXT_ANALYZER, **kwargs)
        self.format = CompactPositions(field_boost=self.format.field_boost)

    def index(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        # Indexes built before CompactPositions keep the pickled Positions of their schema.
        if not isinstance(value, str) or type(self.format) not in (
            CompactPositions,
            formats.Positions,
        ):
            return super().index(value, **kwargs)
        positions: defaultdict[str, list[int]] = defaultdict(list)
        for pos, term in enumerate(text_terms(value)):
            positions[term].append(pos)
        fmt = self.format
        boost = fmt.field_boost
        encode = fmt.encode
        # A list, not a generator: the writer takes a field's postings at once.
        return [
            (
                term.encode("utf-8"),
                len(poslist),
                float(len(poslist)) * boost,
                # most words of a cable occur once: their encoding is cached
                _single_position(fmt, poslist[0]) if len(poslist) == 1 else encode(poslist),
            )
            for term, poslist in positions.items()
        ]


# Keyed by format class too: an index written before CompactPositions encodes differently.
_singles: dict[tuple[type, int], bytes] = {}


def _single_position(fmt: formats.Format, pos: int) -> bytes:
    key = (type(fmt), pos)
    encoded = _singles.get(key)
    if encoded is None:
        encoded = _singles[key] = fmt.encode([pos])
    return encoded


def codes_field() -> fields.KEYWORD:
    return fields.KEYWORD(analyzer=CODE_ANALYZER)


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        stamp=fields.STORED(),
        # Spelling suggestions come from the subject lines' words (ranked by how many cables
        # use them): a spelling field over the paragraphs nearly doubled the indexing time.
        subject=StemmedText(field_boost=2.0, spelling=True),
        body=StemmedText(),
        tags=codes_field(),  # every TAGS code of any kind: the tag: query field
        anomaly=codes_field(),  # "header-body", "inferred-classification": the anomaly: field
        person_text=fields.TEXT(analyzer=WORD_ANALYZER),
        origin_text=fields.TEXT(analyzer=WORD_ANALYZER),
        class_text=fields.TEXT(analyzer=WORD_ANALYZER),
        addressee_text=fields.TEXT(analyzer=WORD_ANALYZER),  # labels and routing codes
        signer_text=fields.TEXT(analyzer=WORD_ANALYZER),
        # Each marking a paragraph carries, and its level alone ("S/NF" and "S"): which
        # cables can match marking:S at all.
        markings=codes_field(),
        # Where each paragraph starts in the body's positions, and its marking: the
        # paragraphs marking:S restricts matching to (search/backends/whoosh/marking.py).
        paras=fields.STORED(),
        year=fields.NUMERIC(int, bits=32, sortable=True),
        day=fields.NUMERIC(int, bits=32, sortable=True),  # YYYYMMDD; 0 when undated
        minute=fields.NUMERIC(int, bits=32, sortable=True),  # since 1900 (sorting); 0: undated
        **{name: codes_field() for name in FACET_FIELDS.values()},
    )
