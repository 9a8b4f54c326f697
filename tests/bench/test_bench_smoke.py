"""Smoke test of the benchmark code (bench/): it runs end to end on a small corpus.

No timing is asserted: these tests prove that the generator writes what the app's parser and
importer read, that every query class runs on the service, the real server and the FTS5
baseline, and that a results file comes out, at the issue's smoke size of 2,000 cables (about
a minute on a CI machine: the import dominates and is linear in N).
"""

from __future__ import annotations

import json
import tarfile

import pytest

from bench import fts5_baseline, page_cache, run
from bench.generate import generate, load_pool, write_corpus
from bench.queries import CLASSES, Query, build_queries, load_tag_kinds
from cables.parsing import iter_csv
from cables.parsing.record import CableRecord

SMOKE_CABLES = 2000


@pytest.fixture(scope="module")
def pool(corpus_dir):
    return load_pool(corpus_dir)


def test_generator_is_deterministic(pool, tmp_path):
    a = write_corpus(generate(pool, 50, seed=1), tmp_path / "a.csv")
    b = write_corpus(generate(pool, 50, seed=1), tmp_path / "b.csv")
    assert a.path.read_bytes() == b.path.read_bytes()


def test_generated_ids_are_unique(pool):
    ids = [c.id for c in generate(pool, 3000, seed=3)]
    assert len(set(ids)) == len(ids)


def test_generated_csv_is_read_by_the_app_parser(pool, tmp_path):
    cables = list(generate(pool, 100, seed=2))
    write_corpus(iter(cables), tmp_path / "c.csv")
    with (tmp_path / "c.csv").open("rb") as fh:
        records = list(iter_csv(fh, source="c.csv"))
    assert [r.id for r in records if isinstance(r, CableRecord)] == [c.id for c in cables]


def test_generated_csv_keeps_tags_and_paragraphs(pool, tmp_path):
    write_corpus(generate(pool, 100, seed=2), tmp_path / "c.csv")
    with (tmp_path / "c.csv").open("rb") as fh:
        records = [r for r in iter_csv(fh, source="c.csv") if isinstance(r, CableRecord)]
    assert all(r.tags and r.paragraphs for r in records)


def test_tar_format_holds_one_text_file_per_cable(pool, tmp_path):
    cables = list(generate(pool, 20, seed=4))
    stats = write_corpus(iter(cables), tmp_path / "c.tar.gz", fmt="tar.gz")
    with tarfile.open(stats.path) as tar:
        names = tar.getnames()
    assert names == [f"cables/{c.id}.txt" for c in cables]


def test_query_set_covers_every_class(pool, corpus_dir):
    queries = build_queries(pool, per_class=3, corpus=corpus_dir)
    assert sorted({q.cls for q in queries}) == sorted(CLASSES)


def test_fts5_baseline_counts_facets_and_makes_snippets(pool, corpus_dir, tmp_path):
    db = tmp_path / "fts.sqlite3"
    fts5_baseline.build(generate(pool, 200, seed=5), db, load_tag_kinds(corpus_dir))
    base = fts5_baseline.Baseline(db)
    try:
        res = base.search(Query("common_word", q="government", fts="government"))
    finally:
        base.close()
    assert res.total > 0 and res.facets["year"] and "<mark>" in res.hits[0][1]


@pytest.fixture(scope="module")
def smoke_run(corpus_dir, tmp_path_factory):
    """The benchmark at smoke size: its work folder and its results."""
    work = tmp_path_factory.mktemp("bench")
    rc = run.main(
        [
            "--cables",
            str(SMOKE_CABLES),
            "--corpus",
            str(corpus_dir),
            "--work",
            str(work),
            "--results-dir",
            str(work / "results"),
            "--no-results-md",
            "--per-class",
            "2",
            "--load-requests",
            "24",
            "--load-seconds",
            "20",
        ]
    )
    assert rc == 0
    (out,) = (work / "results").glob("*.json")
    return work, json.loads(out.read_text())


@pytest.fixture(scope="module")
def smoke_result(smoke_run):
    return smoke_run[1]


@pytest.mark.slow
def test_smoke_run_imports_every_cable(smoke_result):
    assert smoke_result["import"]["cables_in_db"] == SMOKE_CABLES


@pytest.mark.slow
def test_smoke_run_times_every_class_on_the_service(smoke_result):
    cold = smoke_result["service"]["cold"]
    assert all(cold[c]["n"] == 2 and cold[c]["errors"] == 0 for c in CLASSES)


@pytest.mark.slow
def test_smoke_run_serves_every_class_over_http(smoke_result):
    html, js = smoke_result["server"]["html"], smoke_result["server"]["json"]
    assert all(html[c]["errors"] == 0 and js[c]["errors"] == 0 for c in CLASSES)


@pytest.mark.slow
def test_smoke_run_measures_throughput(smoke_result):
    load = smoke_result["server"]["load"]
    assert load["ok"] > 0 and load["errors"] == 0


@pytest.mark.slow
def test_smoke_run_compares_every_class_with_fts5(smoke_result):
    assert all(smoke_result["ratios"][c]["p50"] is not None for c in CLASSES)


@pytest.mark.slow
def test_smoke_run_states_a_verdict_for_every_target(smoke_result):
    assert set(smoke_result["verdicts"]) == {
        "import_time",
        "import_rss",
        "service_p95",
        "page_p95",
        "throughput",
        "fts5_ratio",
    }


@pytest.mark.slow
def test_page_cache_times_every_class_evicted_and_cached(smoke_run, capsys):
    work, _ = smoke_run

    rc = page_cache.main(
        ["--data", str(work / f"data-{SMOKE_CABLES}"), "--queries", str(work / "queries.json")]
    )

    out = capsys.readouterr().out
    assert rc == 0
    assert all(f"| {cls} | " in out for cls in CLASSES)
    assert "| - |" not in out  # a figure for every class, both ways


@pytest.mark.slow
def test_compare_puts_runs_side_by_side_with_fts5(smoke_result):
    from bench.compare import compare

    postgres_like = {**smoke_result, "engine": "postgres"}
    text = compare([smoke_result, postgres_like])
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()}
    assert all(rows[c].count(" / ") == 5 for c in CLASSES)  # 2 runs x (service, page), FTS5
    assert "Whoosh (" in text and "PostgreSQL (" in text


def test_compare_refuses_runs_of_different_corpora():
    from bench.compare import compare

    a = {"cables": 2000, "seed": 1, "queries": [], "engine": "whoosh"}
    with pytest.raises(SystemExit, match="not comparable"):
        compare([a, {**a, "seed": 2}])
