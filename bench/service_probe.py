"""Time ``search.service.search(SearchState)`` in a fresh process on the benchmark data dir.

Run by bench/run.py as a subprocess, with CABLESEARCH_DATA_DIR pointing at the benchmark's
scratch folder, so Django reads its settings from that environment and nothing touches var/.

Passes over the query set:
1. ``cold``: every query once, in class order (each canonical query is new to any cache);
2. ``warm``: the same queries again (what a result cache keyed by canonical query gives).
The first search of the process (opening the index, building per-reader caches) is timed
separately as ``startup`` with a query that is not in the set, then the engine's ``warm()``
(the spelling vocabulary) as ``warm_ms``, as a server worker runs both before its requests.

``--profile`` instead runs the cold pass under cProfile, one profile per class, and reports
the functions with the most cumulative and own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import threading
import time
import traceback
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _state(params: list[list[str]]):
    from search.state import SearchState

    grouped: dict[str, list[str]] = {}
    for key, value in params:
        grouped.setdefault(key, []).append(value)
    return SearchState.from_query(grouped)


def _one(search, params: list[list[str]]) -> dict:
    state = _state(params)
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        res = search(state)
    except Exception as exc:  # a failing class is a finding, not a reason to stop
        return {
            "ms": (time.perf_counter() - started) * 1000,
            "error": f"{type(exc).__name__}: {exc}",
            "trace": traceback.format_exc()[-1500:],
        }
    ms = (time.perf_counter() - started) * 1000
    return {
        "ms": ms,
        # CPU time barely depends on what else the machine runs: on a shared, overloaded
        # machine it is the better estimate of the latency an idle one would give.
        "cpu_ms": (time.process_time() - cpu_started) * 1000,
        "total": res.total,
        "hits": len(res.hits),
        "snippets": sum(1 for h in res.hits if h.snippets),
        "facets": {name: len(f.values) for name, f in res.facets.items()},
    }


def _profile_text(prof: cProfile.Profile, sort: str, limit: int) -> str:
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    text = buf.getvalue()
    # Keep the table, drop pstats' preamble.
    start = text.find("   ncalls")
    return text[start:] if start >= 0 else text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=Path, required=True, help="JSON list from bench/queries.py")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    queries = json.loads(args.queries.read_text())
    _setup()
    from search.service import get_backend, search

    out: dict = {"pid": os.getpid()}
    started = time.perf_counter()
    out["startup"] = _one(search, [["q", "embassy"]])
    out["startup"]["wall_ms"] = (time.perf_counter() - started) * 1000
    # What a server worker does next (config/gunicorn.py, service.warm_up): the engine warms
    # its caches in the background. Waited for here, so that the passes below measure a
    # warmed worker and not that thread's competition.
    warmed = time.perf_counter()
    get_backend().warm()
    for thread in threading.enumerate():
        if thread.name == "vocabulary":  # WhooshBackend.warm
            thread.join()
    out["warm_ms"] = (time.perf_counter() - warmed) * 1000
    if args.profile:
        profiles: dict[str, dict] = {}
        for cls in dict.fromkeys(q["cls"] for q in queries):
            prof = cProfile.Profile()
            prof.enable()
            for q in queries:
                if q["cls"] == cls:
                    _one(search, q["params"])
            prof.disable()
            profiles[cls] = {
                "cumulative": _profile_text(prof, "cumulative", 25),
                "tottime": _profile_text(prof, "tottime", 15),
            }
        out["profiles"] = profiles
    else:
        for name in ("cold", "warm"):
            out[name] = [{"cls": q["cls"], **_one(search, q["params"])} for q in queries]
    try:
        with open(f"/proc/{os.getpid()}/status") as fh:
            for line in fh:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    out[line.split(":")[0]] = int(line.split()[1]) * 1024
    except OSError:
        pass
    args.out.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
