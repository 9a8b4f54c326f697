"""The Whoosh schema: one document per cable, no cable text stored (the database has it)."""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter

# No stop list and no minimum length: every word the user types counts (Whoosh's defaults drop
# "a", "us", "of" silently), and phrases keep their small words.
TEXT_ANALYZER = RegexTokenizer(r"\w+(?:\.\w+)*") | LowercaseFilter() | StemFilter()
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
}
MULTI_VALUED = ("tag", "country", "program", "org", "person")


def codes_field() -> fields.KEYWORD:
    return fields.KEYWORD(analyzer=CODE_ANALYZER)


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        stamp=fields.STORED(),
        # Spelling suggestions come from the subject lines' words (ranked by how many cables
        # use them): a spelling field over the paragraphs nearly doubled the indexing time.
        subject=fields.TEXT(analyzer=TEXT_ANALYZER, field_boost=2.0, spelling=True),
        body=fields.TEXT(analyzer=TEXT_ANALYZER),
        tags=codes_field(),  # every TAGS code of any kind: the tag: query field
        person_text=fields.TEXT(analyzer=WORD_ANALYZER),
        origin_text=fields.TEXT(analyzer=WORD_ANALYZER),
        class_text=fields.TEXT(analyzer=WORD_ANALYZER),
        year=fields.NUMERIC(int, bits=32, sortable=True),
        day=fields.NUMERIC(int, bits=32, sortable=True),  # YYYYMMDD; 0 when undated
        minute=fields.NUMERIC(int, bits=32, sortable=True),  # since 1900 (sorting); 0: undated
        **{name: codes_field() for name in FACET_FIELDS.values()},
    )
