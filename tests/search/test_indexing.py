"""The index follows the database: signals, re-imports, deletions, rebuild and check commands,
concurrent writers. Real cables, a fresh index folder per test."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from cables.ingest.importer import import_paths
from cables.models import Cable
from cables.signals import cables_deleted
from search import service
from search.exceptions import IndexUnavailable
from search.state import SearchState

IDS = ("07MOSCOW5100", "09STATE96550", "10BERLIN193")
SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"


def ids_for(q: str = "", **params) -> list[str]:
    return list(service.iter_ids(SearchState.from_query({"q": q, **params}), 1000))


def check(*args: str) -> int:
    try:
        call_command("check_index", *args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_stored_cables_are_searchable(store):
    store(*IDS)
    assert sorted(ids_for()) == sorted(IDS)
    assert ids_for("lavrov") == ["07MOSCOW5100"]


def test_reimport_replaces_never_doubles(store):
    store(*IDS)
    store("07MOSCOW5100")
    assert ids_for("lavrov") == ["07MOSCOW5100"]
    assert service.total_for(SearchState()) == 3
    assert check() == 0


def test_reimport_with_changed_text_is_found_by_the_new_text(store):
    store("07MOSCOW5100")
    Cable.objects.filter(pk="07MOSCOW5100").update(subject="ZEPPELIN REPORT")
    from cables.signals import cables_stored

    cables_stored.send(sender=None, ids=["07MOSCOW5100"])
    assert ids_for("zeppelin") == ["07MOSCOW5100"]
    assert ids_for("subject:criticizes") == []


def test_deleted_cables_leave_the_index(store):
    store(*IDS)
    Cable.objects.filter(pk="10BERLIN193").delete()
    cables_deleted.send(sender=None, ids=["10BERLIN193"])
    assert sorted(ids_for()) == sorted(IDS[:2])
    assert check() == 0


def test_facet_counts_follow_deletions(store):
    store(*IDS)
    before = {v.value: v.count for v in service.search(SearchState()).facets["country"].values}
    Cable.objects.filter(pk="07MOSCOW5100").delete()
    cables_deleted.send(sender=None, ids=["07MOSCOW5100"])
    after = {v.value: v.count for v in service.search(SearchState()).facets["country"].values}
    assert before.get("JA") == 1
    assert "JA" not in after


def test_check_index_reports_missing_stale_and_unknown(store, corpus_dir, capsys):
    from cables.signals import cables_stored
    from tests.search.corpus import store_cables

    store(*IDS)
    # Drift made behind the index's back: one cable deleted, one changed, one added unannounced.
    receivers = cables_stored.receivers
    cables_stored.receivers = []
    try:
        Cable.objects.filter(pk="10BERLIN193").delete()
        Cable.objects.filter(pk="09STATE96550").update(content_hash="changed")
        store_cables(corpus_dir, ["06MOSCOW5645"])
    finally:
        cables_stored.receivers = receivers
    assert check() == 1
    out = capsys.readouterr().out
    assert "1 missing from the index: 06MOSCOW5645" in out
    assert "1 stale in the index: 09STATE96550" in out
    assert "1 in the index but not in the database: 10BERLIN193" in out


def test_check_index_repair_fixes_drift(store):
    store(*IDS)
    Cable.objects.filter(pk="10BERLIN193").delete()  # no signal: the index drifts
    assert check() == 1
    assert check("--repair") == 0
    assert check() == 0
    assert "10BERLIN193" not in ids_for()


def test_rebuild_index_builds_from_the_database(store, corpus_dir, capsys):
    from tests.search.corpus import store_cables

    store_cables(corpus_dir, IDS)  # stored without the signal: the index is empty
    call_command("rebuild_index", "--no-progress")
    assert "Indexed 3 cables" in capsys.readouterr().out
    assert sorted(ids_for()) == sorted(IDS)
    assert check() == 0


def test_rebuild_swaps_in_a_new_folder_while_searches_keep_working(store, index_dir):
    store(*IDS)
    before = service.get_backend().live_dir()
    assert len(ids_for()) == 3
    Cable.objects.filter(pk="10BERLIN193").delete()  # unannounced: only a rebuild sees it
    call_command("rebuild_index", "--no-progress")
    after = service.get_backend().live_dir()
    assert after != before and after.parent == before.parent
    assert sorted(ids_for()) == sorted(IDS[:2])


def test_missing_index_with_cables_in_the_database_is_unavailable(db, index_dir, corpus_dir):
    from tests.search.corpus import store_cables

    store_cables(corpus_dir, IDS[:1])
    with pytest.raises(IndexUnavailable, match="rebuild_index"):
        service.search(SearchState())


def test_import_start_creates_the_index_while_the_library_is_empty(db, index_dir, corpus_dir):
    from cables.signals import import_started
    from tests.search.corpus import store_cables

    import_started.send(sender=None)
    # Stored but not yet announced: the state a first import is in before its first group.
    store_cables(corpus_dir, IDS[:1])
    assert service.search(SearchState()).total == 0


def test_import_start_leaves_a_missing_index_over_stored_cables_unavailable(
    db, index_dir, corpus_dir
):
    from cables.signals import import_started
    from tests.search.corpus import store_cables

    store_cables(corpus_dir, IDS[:1])
    import_started.send(sender=None)
    with pytest.raises(IndexUnavailable, match="rebuild_index"):
        service.search(SearchState())


def test_damaged_index_is_unavailable(store):
    store(*IDS)
    live = service.get_backend().live_dir()
    for toc in live.glob("*.toc"):
        toc.write_bytes(b"garbage")
    service.reset_backend()
    with pytest.raises(IndexUnavailable):
        service.search(SearchState())


def test_empty_library_gives_empty_results(db, index_dir):
    results = service.search(SearchState.from_query({"q": "anything"}))
    assert results.total == 0 and results.hits == ()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_queue_and_searches_run_during_writes(index_dir, corpus_dir):
    """Two threads index at once while a third searches: no lock error, nothing lost."""
    from tests.search.corpus import corpus_ids, store_cables

    ids = corpus_ids(corpus_dir)[:60]
    # SQLite's test database takes one writer thread: the rows go in first, the index
    # writes (what this test is about) then race each other while a search loop runs.
    store_cables(corpus_dir, ids)
    service.get_backend().index_cables(ids[:20])
    errors: list[BaseException] = []
    totals: list[int] = []
    done = threading.Event()

    def write(batch: list[str]) -> None:
        try:
            service.get_backend().index_cables(batch)
        except BaseException as error:  # collected and asserted on below
            errors.append(error)

    def read() -> None:
        try:
            while not done.is_set():
                totals.append(service.search(SearchState.from_query({"q": "the"})).total)
        except BaseException as error:
            errors.append(error)

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write, args=(ids[i : i + 20],)) for i in (20, 40)]
    reader.start()
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    done.set()
    reader.join()
    assert errors == []
    assert totals and all(t >= 0 for t in totals)
    assert service.total_for(SearchState()) == 60
    assert check() == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_commits_the_groups_it_indexed_in_the_background_before_it_returns(index_dir):
    # Groups of 8 in batches of 4: the index writes a group while the next is stored.
    texts = sorted((SAMPLE / "text").iterdir())[:24]
    summary = import_paths(texts, announce_every=8, batch_size=4, parallel=False)
    stored = sorted(Cable.objects.values_list("id", flat=True))
    assert summary.new == len(stored) > 16
    assert sorted(ids_for()) == stored
    assert check() == 0


def _extract_texts(corpus_dir, dest, names):
    import tarfile

    with tarfile.open(corpus_dir / "cables-text.tar.xz") as tar:
        for member in tar:
            if member.isfile() and member.name.rsplit("/", 1)[-1] in names:
                (dest / member.name.rsplit("/", 1)[-1]).write_bytes(tar.extractfile(member).read())


def test_real_import_reimport_and_delete_keep_index_and_database_agreed(
    db, index_dir, corpus_dir, tmp_path, django_capture_on_commit_callbacks
):
    """Through the real importer and the ORM's own delete signal, not hand-sent signals."""
    names = {"06MOSCOW5645.txt", "07MOSCOW1442.txt", "07MOSCOW104.txt", "00HARARE5461.txt"}
    folder = tmp_path / "in"
    folder.mkdir()
    _extract_texts(corpus_dir, folder, names)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_cables", str(folder), "--quiet")
    stored = set(Cable.objects.values_list("id", flat=True))
    assert stored and set(ids_for()) == stored
    assert check() == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_cables", str(folder), "--quiet")
    assert sorted(ids_for()) == sorted(stored)
    assert check() == 0
    gone = sorted(stored)[0]
    with django_capture_on_commit_callbacks(execute=True):
        Cable.objects.get(pk=gone).delete()
    assert gone not in ids_for()
    assert check() == 0


def test_multiprocess_rebuild_keeps_phrases_working(store, settings):
    """Big rebuilds use procs=2 (one segment per process); phrases need intact positions."""
    store(*IDS)
    settings.CABLESEARCH_SEARCH_OPTIONS = {"MULTIPROCESS_ABOVE": 0}
    assert service.get_backend().rebuild() == 3
    assert ids_for('"missile defense cooperation"') == ["07MOSCOW5100"]
    assert check() == 0


def test_big_groups_indexed_by_sub_processes_stay_exact(store, settings):
    # Groups from MULTIPROCESS_GROUP cables on go through spawned sub-writers.
    settings.CABLESEARCH_SEARCH_OPTIONS = {"MULTIPROCESS_GROUP": 2}
    store(*IDS)
    assert ids_for('"missile defense cooperation"') == ["07MOSCOW5100"]
    assert check() == 0


def test_facet_counts_stay_exact_across_segments_and_deletions(store, corpus_dir):
    from tests.search import reference
    from tests.search.corpus import corpus_ids

    ids = corpus_ids(corpus_dir)[100:160]
    for start in range(0, 60, 15):  # four commits: several segments, partly merged
        store(*ids[start : start + 15])
    for gone in ids[::7]:
        Cable.objects.filter(pk=gone).delete()
    cables_deleted.send(sender=None, ids=ids[::7])
    rows = reference.rows()
    for params in ({}, {"country": ["RS", "IZ"]}, {"tag": ["-PREL"]}):
        state = SearchState.from_query(params)
        results = service.search(state)
        assert results.total == len(reference.expected(rows, state))
        for facet in ("tag", "country", "origin", "year"):
            want = reference.facet_counts(rows, state, facet)
            got = {v.value: v.count for v in results.facets[facet].values}
            assert all(count == want.get(value, 0) for value, count in got.items()), facet


def test_a_cable_whose_body_is_another_cables_is_found_by_its_anomaly(store):
    store(*IDS)
    Cable.objects.filter(pk="07MOSCOW5100").update(body_ref="SHENYANG 4")
    from cables.signals import cables_stored

    cables_stored.send(sender=None, ids=["07MOSCOW5100"])
    assert ids_for("anomaly:header-body") == ["07MOSCOW5100"]


def test_an_inferred_classification_is_found_by_its_anomaly(store):
    store(*IDS)
    Cable.objects.filter(pk="10BERLIN193").update(classification_inferred=True)
    call_command("rebuild_index")
    assert ids_for("anomaly:inferred-classification") == ["10BERLIN193"]


def test_an_imported_text_carrying_another_cables_body_is_listed_by_its_anomaly(
    client, corpus_dir, index_dir, db, tmp_path, django_capture_on_commit_callbacks
):
    from tests.search.corpus import texts

    folder = tmp_path / "upload"
    folder.mkdir()
    for cable_id in ("07PARIS2725", "07MOSCOW5100"):
        (folder / f"{cable_id}.txt").write_text(texts(corpus_dir)[cable_id], encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):  # the import indexes on commit
        call_command("import_cables", str(folder), quiet=True)

    html = client.get("/search", {"q": "anomaly:header-body"}).content.decode()
    assert ("07PARIS2725" in html, "07MOSCOW5100" in html) == (True, False)
