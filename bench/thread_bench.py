"""Time the thread view's walk (cables/thread.py) on a generated library.

    .venv/bin/python bench/thread_bench.py --cables 50000

Generates the corpus (bench/generate.py: REF entries cite earlier generated cables), imports it
into a scratch data dir under bench/work/ with the index switched off (the thread reads only
the database), then walks the threads of the most cited cables and of random ones at depths 1
to 6, printing per depth the median and worst time, the reference queries and cables reached.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WORK = PROJECT / "bench" / "work"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cables", type=int, default=50_000)
    ap.add_argument("--samples", type=int, default=30)
    args = ap.parse_args(argv)

    data = WORK / f"thread-data-{args.cables}"
    corpus = WORK / f"corpus-{args.cables}-s2010.csv"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "CABLESEARCH_DATA_DIR": str(data),
        "CABLESEARCH_SEARCH_BACKEND": "bench.null_backend.NullBackend",
    }
    py = sys.executable
    if not corpus.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        gen = [py, "bench/generate.py", "--cables", str(args.cables), "--out", str(corpus)]
        subprocess.run(gen, check=True, cwd=PROJECT, env=env)
    if not (data / "done").exists():
        subprocess.run([py, "manage.py", "migrate", "-v0"], check=True, cwd=PROJECT, env=env)
        imp = [py, "manage.py", "import_cables", str(corpus), "--quiet"]
        subprocess.run(imp, check=True, cwd=PROJECT, env=env)
        (data / "done").write_text("imported\n")

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    from django.db.models import Count

    from cables.models import Cable, Reference
    from cables.thread import thread_for

    cables = Cable.objects.count()
    refs = Reference.objects.exclude(cited_id="").count()
    hubs = list(
        Reference.objects.exclude(cited_id="")
        .values("cited_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("cited_id", flat=True)[: args.samples // 2]
    )
    ids = list(Cable.objects.values_list("id", flat=True))
    rng = random.Random(2010)
    sample = hubs + rng.sample(ids, args.samples - len(hubs))
    print(f"{cables} cables, {refs} references; {len(sample)} threads per depth")
    print("depth  median ms  worst ms  queries(max)  cables(median/max)  truncated")
    for depth in range(1, 7):
        times, queries, sizes, truncated = [], [], [], 0
        for cid in sample:
            started = time.perf_counter()
            thread = thread_for(cid, depth)
            times.append((time.perf_counter() - started) * 1000)
            queries.append(thread.queries)
            sizes.append(len(thread.cables))
            truncated += thread.truncated
        print(
            f"{depth:>5}  {statistics.median(times):>9.1f}  {max(times):>8.1f}  {max(queries):>12}"
            f"  {statistics.median(sizes):>8.0f}/{max(sizes):<8}  {truncated:>9}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
