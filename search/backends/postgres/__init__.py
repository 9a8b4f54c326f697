"""The PostgreSQL full-text engine: CABLESEARCH_SEARCH_BACKEND=search.backends.postgres.PostgresBackend."""

from __future__ import annotations


def __getattr__(name: str):
    # Lazy: the migration imports the schema module without loading the engine.
    if name == "PostgresBackend":
        from search.backends.postgres.backend import PostgresBackend

        return PostgresBackend
    raise AttributeError(name)
