"""Index-writing levers, measured one at a time on the same documents with the app's schema.

``python bench/levers.py --data-dir bench/work/data-5000 --docs 2000`` reads the documents the
app would index (``search.documents.iter_documents`` + the Whoosh backend's ``to_fields``) from
an imported benchmark data dir into memory once, then writes a fresh index per variant and
reports add time, commit time, segments and size:

* ``single``: one writer, limitmb=256, one commit (what rebuild_index does below 20,000);
* ``procs2``: procs=2, multisegment=True (what rebuild_index does above 20,000);
* ``limitmb1024``: one writer, limitmb=1024;
* ``batches200``: a writer and a commit per 200 documents, default merge policy (what an
  import does through the cables_stored signal with the default batch size);
* ``batches200_nomerge_optimize``: the same without merging at each commit, one optimize at
  the end;
* ``no_stem``: the text analyzer without the Porter stemmer (analyzer cost);
* ``no_spelling``: body without ``spelling=True``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
VARIANTS = (
    "single",
    "pairs",
    "procs2",
    "limitmb1024",
    "batches200",
    "batches200_nomerge_optimize",
    "no_stem",
    "no_spelling",
)


def _setup(data_dir: Path) -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["CABLESEARCH_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()


def _schema(variant: str):
    from whoosh import fields
    from whoosh.analysis import LowercaseFilter, RegexTokenizer

    from search.backends.whoosh.schema import make_schema

    schema = make_schema()
    if variant == "no_stem":
        plain = RegexTokenizer(r"\w+(?:\.\w+)*") | LowercaseFilter()
        schema.remove("subject")
        schema.remove("body")
        schema.add("subject", fields.TEXT(analyzer=plain, field_boost=2.0))
        schema.add("body", fields.TEXT(analyzer=plain, spelling=True))
    elif variant == "pairs":
        from whoosh.analysis import ShingleFilter

        from search.backends.whoosh.schema import TEXT_ANALYZER

        # Word pairs of the body as single terms: a two-word phrase becomes one posting list.
        schema.add(
            "pairs", fields.TEXT(analyzer=TEXT_ANALYZER | ShingleFilter(2, " "), phrase=False)
        )
    elif variant == "no_spelling":
        body = schema["body"]
        schema.remove("body")
        schema.add("body", fields.TEXT(analyzer=body.analyzer))
    return schema


def _cpu() -> float:
    """CPU seconds of this process and its finished children (procs=2 writers): robust to
    other jobs on a shared machine, unlike wall time."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


PHRASES: list[str] = []


def _time_phrases(ix, variant: str) -> dict:
    """CPU time to find every document of each benchmark phrase: positions (body) against one
    pair term (pairs variant)."""
    from whoosh import query as wq

    from search.backends.whoosh.schema import TEXT_ANALYZER

    out = {"phrase_cpu_ms": 0.0, "phrase_docs": 0}
    with ix.searcher() as s:
        for text in PHRASES:
            words = [t.text for t in TEXT_ANALYZER(text)]
            if variant == "pairs" and len(words) == 2:
                q = wq.Term("pairs", " ".join(words))
            else:
                q = wq.Phrase("body", words)
            c0 = time.process_time()
            n = sum(1 for _ in s.docs_for_query(q))
            out["phrase_cpu_ms"] += (time.process_time() - c0) * 1000
            out["phrase_docs"] += n
    return out


def run_variant(variant: str, docs: list[dict], root: Path) -> dict:
    from whoosh import index as windex

    path = root / variant
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    ix = windex.create_in(str(path), _schema(variant))
    add = commit = 0.0
    cpu0 = _cpu()
    if variant.startswith("batches200"):
        merge = variant == "batches200"
        for start in range(0, len(docs), 200):
            t0 = time.perf_counter()
            w = ix.writer()
            for d in docs[start : start + 200]:
                w.update_document(**d)
            t1 = time.perf_counter()
            w.commit(merge=merge)
            t2 = time.perf_counter()
            add += t1 - t0
            commit += t2 - t1
        if not merge:
            t0 = time.perf_counter()
            ix.optimize()
            commit += time.perf_counter() - t0
    else:
        kwargs: dict = {"limitmb": 1024 if variant == "limitmb1024" else 256}
        if variant == "procs2":
            kwargs.update(procs=2, multisegment=True)
        t0 = time.perf_counter()
        w = ix.writer(**kwargs)
        for d in docs:
            w.add_document(**(d | {"pairs": d["body"]} if variant == "pairs" else d))
        t1 = time.perf_counter()
        w.commit()
        add, commit = t1 - t0, time.perf_counter() - t1
    cpu = _cpu() - cpu0
    ix = windex.open_dir(str(path))
    segments = len(ix._segments())
    size = sum(f.stat().st_size for f in path.iterdir())
    row_phrases = _time_phrases(ix, variant) if PHRASES else {}
    return row_phrases | {
        "variant": variant,
        "docs": len(docs),
        "add_s": add,
        "commit_s": commit,
        "total_s": add + commit,
        "docs_per_s": len(docs) / (add + commit),
        "cpu_s": cpu,
        "docs_per_cpu_s": len(docs) / cpu if cpu else None,
        "segments": segments,
        "index_bytes": size,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--variant", action="append", choices=VARIANTS)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--repeat", type=int, default=1, help="rounds over the variants")
    ap.add_argument(
        "--phrases", type=Path, help="queries.json: time its phrase class on each variant"
    )
    args = ap.parse_args(argv)
    _setup(args.data_dir.resolve())
    if args.phrases:
        for q in json.loads(args.phrases.read_text()):
            if q["cls"] == "phrase":
                PHRASES.append(dict(map(tuple, q["params"]))["q"].strip('"'))
    from search.backends.whoosh.backend import to_fields
    from search.documents import iter_documents

    t0 = time.perf_counter()
    docs = []
    for doc in iter_documents(None):
        docs.append(to_fields(doc))
        if len(docs) >= args.docs:
            break
    read_s = time.perf_counter() - t0
    print(f"read {len(docs)} documents from the database in {read_s:.1f} s", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory(prefix="levers-", dir=args.data_dir) as tmp:
        for variant in [v for _ in range(args.repeat) for v in (args.variant or VARIANTS)]:
            row = run_variant(variant, docs, Path(tmp))
            rows.append(row)
            print(
                f"{variant:30s} add {row['add_s']:7.1f} s  commit {row['commit_s']:7.1f} s  "
                f"{row['docs_per_s']:6.1f} docs/s  CPU {row['cpu_s']:6.1f} s "
                f"({row['docs_per_cpu_s']:5.1f} docs/CPU-s)  {row['segments']} segments  "
                f"{row['index_bytes'] / 2**20:6.1f} MiB"
                + (
                    f"  phrases {row['phrase_cpu_ms']:.0f} ms CPU, {row['phrase_docs']} docs"
                    if PHRASES
                    else ""
                ),
                file=sys.stderr,
                flush=True,
            )
    result = {"read_s": read_s, "variants": rows}
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
