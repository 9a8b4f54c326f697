"""The PostgreSQL engine's tables, created by the search app's migration (PostgreSQL only).

Three kinds of data, kept apart so that no query reads more than it needs:

``search_pg_doc``   one row per cable: the weighted ``tsvector`` (GIN index) and the stamp.
                    ``toast_tuple_target`` and ``STORAGE EXTERNAL`` push every tsvector out of
                    the heap, so finding the matches of a common word reads ~40 bytes per
                    match instead of the whole tsvector (the cost that dominated a naive
                    design: docs/scaling.md).
``search_pg_facet`` one narrow row per cable: its facet values as one ``integer[]``, its day
                    and its date order; each process reads it once per generation into
                    numpy (arrays.py) for facet counts, filters and date sorts.
``search_pg_value`` facet value <-> integer; ``search_pg_word`` the vocabulary (subject
                    and paragraph words) for spelling suggestions (trigram index when
                    ``pg_trgm`` is available);
                    ``search_pg_meta`` the generation, bumped by every write (result caches).

Only this package writes engine SQL; the migration calls ``create`` and ``drop``.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

TABLES = ("search_pg_word", "search_pg_value", "search_pg_facet", "search_pg_doc", "search_pg_meta")

_CREATE = [
    """
    CREATE TABLE IF NOT EXISTS search_pg_doc (
        n serial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        stamp text NOT NULL,
        tsv tsvector NOT NULL
    ) WITH (toast_tuple_target = 128)
    """,
    "ALTER TABLE search_pg_doc ALTER COLUMN tsv SET STORAGE EXTERNAL",
    # A large pending list: an import's batch is merged into the index in one go.
    """CREATE INDEX IF NOT EXISTS search_pg_doc_tsv ON search_pg_doc USING gin (tsv)
       WITH (fastupdate = on, gin_pending_list_limit = 16384)""",
    """
    CREATE TABLE IF NOT EXISTS search_pg_facet (
        n integer PRIMARY KEY REFERENCES search_pg_doc (n) ON DELETE CASCADE,
        vals integer[] NOT NULL,
        day integer NOT NULL,
        newest bigint NOT NULL,
        oldest bigint NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS search_pg_facet_vals ON search_pg_facet USING gin (vals)",
    "CREATE INDEX IF NOT EXISTS search_pg_facet_newest ON search_pg_facet (newest)",
    "CREATE INDEX IF NOT EXISTS search_pg_facet_oldest ON search_pg_facet (oldest)",
    "CREATE INDEX IF NOT EXISTS search_pg_facet_day ON search_pg_facet (day)",
    """
    CREATE TABLE IF NOT EXISTS search_pg_value (
        v serial PRIMARY KEY,
        facet text NOT NULL,
        value text NOT NULL,
        UNIQUE (facet, value)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS search_pg_word (
        word text PRIMARY KEY,
        docs integer NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS search_pg_meta (
        key text PRIMARY KEY,
        value bigint NOT NULL
    )
    """,
    "INSERT INTO search_pg_meta VALUES ('generation', 1), ('built', 0) ON CONFLICT DO NOTHING",
]
_TRIGRAM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE INDEX IF NOT EXISTS search_pg_word_trgm ON search_pg_word
       USING gin (word gin_trgm_ops)""",
]


def create(connection) -> None:
    """Create the tables (idempotent). Does nothing on a database other than PostgreSQL."""
    from django.db import transaction

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in _CREATE:
            cursor.execute(sql)
        try:
            # pg_trgm ships with Debian's postgresql package and is a trusted extension (the
            # database owner may create it); without it, suggestions scan by first letter.
            with transaction.atomic(using=connection.alias):
                for sql in _TRIGRAM:
                    cursor.execute(sql)
        except Exception as exc:
            log.warning("pg_trgm is not available (%s): suggestions scan without it", exc)


def drop(connection) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table} CASCADE")


def has_trigrams(cursor) -> bool:
    cursor.execute("SELECT to_regclass('search_pg_word_trgm') IS NOT NULL")
    return bool(cursor.fetchone()[0])
