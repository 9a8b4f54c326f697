"""The PostgreSQL engine keeps its tables in step with the cables (signals, check, repair).

Real PostgreSQL (make test-postgres); on SQLite only the tests saying why it cannot run.
"""

from pathlib import Path

import pytest
from django.db import connection

from cables.ingest.importer import import_paths
from cables.models import Cable
from cables.signals import cables_deleted
from search import service
from search.backends.base import Criteria, MatchRequest
from search.exceptions import IndexUnavailable
from search.query import parse

ENGINE = "search.backends.postgres.PostgresBackend"
SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the PostgreSQL engine needs PostgreSQL: run make test-postgres",
)


@pytest.fixture
def engine(settings, db):
    settings.CABLESEARCH_SEARCH_BACKEND = ENGINE
    return service.get_backend()


def ids(engine, q: str = "") -> list[str]:
    return list(engine.match(MatchRequest(Criteria(parse(q).tree), "newest", 0, 50)).ids)


@on_postgres
def test_a_search_after_an_import_sees_the_new_cable(engine, store):
    store("07MOSCOW5100")
    assert ids(engine) == ["07MOSCOW5100"]
    store("10BERLIN193")
    assert sorted(ids(engine)) == ["07MOSCOW5100", "10BERLIN193"]


@on_postgres
def test_a_deleted_cable_is_gone_from_the_results(engine, store):
    store("07MOSCOW5100", "10BERLIN193")
    Cable.objects.filter(pk="10BERLIN193").delete()
    cables_deleted.send(sender=None, ids=["10BERLIN193"])
    assert ids(engine) == ["07MOSCOW5100"]


@on_postgres
def test_a_reimported_cable_replaces_its_old_version(engine, store):
    store("07MOSCOW5100")
    Cable.objects.filter(pk="07MOSCOW5100").update(subject="ZANZIBAR TALKS")
    engine.index_cables(["07MOSCOW5100"])
    assert ids(engine, "subject:zanzibar") == ["07MOSCOW5100"]
    assert ids(engine, "subject:lavrov") == []


@on_postgres
def test_every_write_changes_the_generation(engine, store):
    before = engine.generation()
    store("07MOSCOW5100")
    assert engine.generation() != before


@on_postgres
def test_check_finds_a_cable_stored_without_the_signal(engine, store, corpus_dir):
    from tests.search.corpus import store_cables

    store("07MOSCOW5100")
    store_cables(corpus_dir, ["10BERLIN193"])
    drift = engine.check()
    assert drift.missing == ("10BERLIN193",) and not drift.stale and not drift.unknown


@on_postgres
def test_check_finds_a_stale_cable(engine, store):
    store("07MOSCOW5100")
    Cable.objects.filter(pk="07MOSCOW5100").update(content_hash="changed")
    assert engine.check().stale == ("07MOSCOW5100",)


@on_postgres
def test_check_finds_a_cable_deleted_behind_the_index(engine, store):
    store("07MOSCOW5100", "10BERLIN193")
    # The deletion is announced on commit, which a test's transaction never reaches.
    Cable.objects.filter(pk="10BERLIN193").delete()
    assert engine.check().unknown == ("10BERLIN193",)


@on_postgres
def test_repair_fixes_what_check_found(engine, store, corpus_dir):
    from tests.search.corpus import store_cables

    store("07MOSCOW5100")
    store_cables(corpus_dir, ["10BERLIN193"])
    Cable.objects.filter(pk="07MOSCOW5100").update(content_hash="changed")
    engine.repair(engine.check())
    assert engine.check().ok


@on_postgres
def test_rebuild_indexes_every_cable(engine, store, corpus_dir):
    from tests.search.corpus import store_cables

    store_cables(corpus_dir, ["07MOSCOW5100", "10BERLIN193"])
    assert engine.rebuild() == 2
    assert engine.check().ok
    assert sorted(ids(engine)) == ["07MOSCOW5100", "10BERLIN193"]


@on_postgres
def test_clear_empties_the_index(engine, store):
    store("07MOSCOW5100")
    engine.clear()
    assert ids(engine) == []


@on_postgres
def test_stored_cables_without_a_built_index_ask_for_a_rebuild(engine, corpus_dir):
    from tests.search.corpus import store_cables

    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_pg_meta SET value = 0 WHERE key = 'built'")
    store_cables(corpus_dir, ["07MOSCOW5100"])
    with pytest.raises(IndexUnavailable, match="rebuild_index"):
        engine.count(Criteria())


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what SQLite deployments see")
def test_on_sqlite_the_engine_says_it_needs_postgresql(engine):
    with pytest.raises(IndexUnavailable, match="needs a PostgreSQL database"):
        engine.count(Criteria())


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what SQLite deployments see")
def test_on_sqlite_the_migration_creates_no_engine_tables(db):
    assert not [t for t in connection.introspection.table_names() if t.startswith("search_pg")]


def _forget_pairs() -> None:
    """The index as one built before pair lexemes existed says it is."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_pg_meta WHERE key = 'pairs'")


PHRASES = ('"missile defense"', '"defense missile"', '"foreign minister lavrov"', '"the the"')


@on_postgres
def test_pair_lexemes_find_what_positions_find(engine, store):
    store("07MOSCOW5100", "10BERLIN193", "09PARIS1254")
    paired = {q: sorted(ids(engine, q)) for q in PHRASES}
    _forget_pairs()
    assert paired == {q: sorted(ids(engine, q)) for q in PHRASES}
    assert paired['"missile defense"'] and not paired['"the the"']


@on_postgres
def test_check_says_when_the_index_predates_pair_lexemes(engine, store):
    store("07MOSCOW5100")
    _forget_pairs()
    assert any("rebuild_index" in note for note in engine.check().notes)


@on_postgres
def test_a_rebuild_gives_an_old_index_its_pair_lexemes(engine, store):
    store("07MOSCOW5100")
    _forget_pairs()
    engine.rebuild()
    assert not any("pair" in note for note in engine.check().notes)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_commits_the_groups_it_indexed_in_the_background_before_it_returns(settings):
    settings.CABLESEARCH_SEARCH_BACKEND = ENGINE
    texts = sorted((SAMPLE / "text").iterdir())[:24]
    import_paths(texts, announce_every=8, batch_size=4, parallel=False)
    engine = service.get_backend()
    stored = sorted(Cable.objects.values_list("id", flat=True))
    assert len(stored) > 16
    assert sorted(ids(engine)) == stored
    assert engine.check().ok


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_leaves_no_pending_index_entries_for_searches_to_scan(settings):
    settings.CABLESEARCH_SEARCH_BACKEND = ENGINE
    import_paths(sorted((SAMPLE / "text").iterdir())[:12], announce_every=4, parallel=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('search_pg_doc_tsv'::regclass)")
        assert cursor.fetchone()[0] == 0
