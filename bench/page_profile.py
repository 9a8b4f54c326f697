"""Where a full search page's time goes: the view through Django's test client, under cProfile.

``python bench/page_profile.py --data-dir bench/work/data-20000 --queries bench/work/queries.json``
renders every query's HTML page twice (the second time the service's per-generation caches are
warm), profiles the second pass, and prints the functions with the most cumulative time, so
template and URL-building costs can be told apart from the search service's.
Production settings (DEBUG off) as in the server benchmark; run ``collectstatic`` first (run.py
does).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

PROJECT_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--queries", type=Path, required=True)
    ap.add_argument("--cls", action="append", help="only these classes")
    ap.add_argument("--path", default="/search", help="/search or /search.json")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(PROJECT_DIR))
    from bench.server_load import server_env

    os.environ.update(server_env(dict(os.environ), args.data_dir.resolve()))
    import django

    django.setup()
    from django.test import Client

    from search.service import search
    from search.state import SearchState

    queries = [
        q for q in json.loads(args.queries.read_text()) if not args.cls or q["cls"] in args.cls
    ]
    client = Client(SERVER_NAME="127.0.0.1")
    urls = [
        args.path + ("?" + urlencode([tuple(p) for p in q["params"]]) if q["params"] else "")
        for q in queries
    ]
    for url in urls:  # warm the service's caches and the template loader
        client.get(url)
    service_ms = 0.0
    for q in queries:
        grouped: dict[str, list[str]] = {}
        for key, value in q["params"]:
            grouped.setdefault(key, []).append(value)
        t0 = time.perf_counter()
        search(SearchState.from_query(grouped))
        service_ms += (time.perf_counter() - t0) * 1000
    cpu0, t0 = time.process_time(), time.perf_counter()
    for url in urls:
        client.get(url)
    cpu_ms = (time.process_time() - cpu0) * 1000 / len(urls)
    wall_ms = (time.perf_counter() - t0) * 1000 / len(urls)
    print(f"{len(urls)} pages, no profiler: {wall_ms:.1f} ms wall, {cpu_ms:.1f} ms CPU each")
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
    prof.disable()
    page_ms = (time.perf_counter() - t0) * 1000
    print(
        f"{len(urls)} pages: {page_ms / len(urls):.1f} ms each under cProfile; the search "
        f"service alone (warm, no profiler): {service_ms / len(urls):.1f} ms each"
    )
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("cumulative").print_stats(args.top)
    print(buf.getvalue()[buf.getvalue().find("   ncalls") :])
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime").print_stats(20)
    print(buf.getvalue()[buf.getvalue().find("   ncalls") :])
    return 0


if __name__ == "__main__":
    sys.exit(main())
