"""``make bench`` / ``python bench/run.py --cables N``: the whole benchmark on one corpus, one run.

Steps (each in its own process where memory or settings matter):
1. generate N cables from the real sample (bench/generate.py), unless that file exists;
2. import them through ``manage.py import_cables`` into a scratch data dir (bench/work/data-N,
   via CABLESEARCH_DATA_DIR: var/ is never touched): wall time, peak RSS of the process tree,
   cables/s, MB/s, index and database size;
3. the search service in a fresh process: latency per query class (bench/service_probe.py);
4. the real server, gunicorn with 2 workers on 127.0.0.1: full HTML page and /search.json
   latency, then throughput with 8 concurrent clients (bounded count and time);
5. the SQLite FTS5 baseline on the same corpus and queries, and the ratio ours/baseline.

It prints a table, writes bench/results/<UTC date-time>-<N>.json and (unless --no-results-md)
rewrites bench/RESULTS.md with the table and the machine it ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from bench import fts5_baseline, server_load  # noqa: E402
from bench import postgres as pg  # noqa: E402
from bench.generate import (  # noqa: E402
    CABLEGATE_SIZE,
    DEFAULT_CORPUS,
    generate,
    load_pool,
    write_corpus,
)
from bench.proc import dir_size, run_measured  # noqa: E402
from bench.queries import CLASSES, build_queries, load_tag_kinds  # noqa: E402

BENCH_DIR = PROJECT_DIR / "bench"
NOTES_MARKER = "<!-- analysis: kept when run.py rewrites this file -->"
TARGETS = {
    "import_seconds": 30 * 60,
    "import_peak_rss": 1.5 * 2**30,
    "service_p95_ms": 100,
    "page_p95_ms": 150,
    "pages_per_s": 50,
    "ratio_to_fts5": 3.0,
}


def pct(values: list[float], p: float) -> float | None:
    """Percentile by linear interpolation between closest ranks (None for no data)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "max": max(values) if values else None,
        "mean": statistics.fmean(values) if values else None,
    }


def by_class(rows: list[dict], key: str = "ms") -> dict[str, dict]:
    out: dict[str, dict] = {}
    for cls in CLASSES:
        vals = [r[key] for r in rows if r["cls"] == cls and not r.get("error") and key in r]
        errors = [r for r in rows if r["cls"] == cls and r.get("error")]
        out[cls] = summary(vals) | {"errors": len(errors)}
        if errors:
            out[cls]["first_error"] = errors[0]["error"]
    return out


def machine() -> dict:
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("Django", "whoosh3", "gunicorn", "numpy"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    versions["sqlite"] = sqlite3.sqlite_version
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "nproc": os.cpu_count(),
        "ram_bytes": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "commit": commit,
    }


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


# Set by main() for --engine postgres: the throwaway cluster's URL, used by every step.
POSTGRES: dict = {}


def django_env(data_dir: Path) -> dict[str, str]:
    env = server_load.server_env(dict(os.environ), data_dir)
    if POSTGRES:
        env["DATABASE_URL"] = POSTGRES["url"]
        env["CABLESEARCH_SEARCH_BACKEND"] = pg.ENGINE
    return env


def manage(args: list[str], env: dict[str, str], log: Path):
    return run_measured([sys.executable, "manage.py", *args], env, log, cwd=PROJECT_DIR)


def count_cables(data_dir: Path) -> int | None:
    if POSTGRES:
        return pg.count_cables(POSTGRES["url"])
    db = data_dir / "cablesearch.sqlite3"
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM cables_cable").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        con.close()


def log(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


# -- steps ------------------------------------------------------------------------------------


def step_generate(args, pool) -> tuple[Path, dict]:
    suffix = "csv" if args.format == "csv" else "tar.gz"
    path = args.work / f"corpus-{args.cables}-s{args.seed}.{suffix}"
    if path.exists() and not args.regenerate:
        log(f"corpus exists: {path}")
        return path, {"path": str(path), "reused": True, "file_bytes": path.stat().st_size}
    log(f"generating {args.cables} cables -> {path}")
    tmp = path.with_suffix(path.suffix + ".part")
    stats = write_corpus(generate(pool, args.cables, args.seed), tmp, args.format)
    tmp.replace(path)
    return path, {
        "path": str(path),
        "reused": False,
        "cables": stats.cables,
        "text_bytes": stats.text_bytes,
        "file_bytes": stats.file_bytes,
        "seconds": stats.seconds,
    }


def step_import(args, corpus_file: Path, data_dir: Path, text_bytes: int) -> dict:
    env = django_env(data_dir)
    logf = args.work / f"import-{args.cables}.log"
    if POSTGRES and count_cables(data_dir):
        # A kept cluster (--pg-dir) of an earlier run: an import would find every cable
        # unchanged and measure nothing.
        return {
            "error": "the kept PostgreSQL cluster holds cables: pass --reuse-data, or "
            "remove its --pg-dir folder to import again"
        }
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    log(f"migrate into {data_dir}")
    mig = manage(["migrate", "--noinput", "-v0"], env, logf)
    if mig.returncode:
        return {"error": "migrate failed", "tail": mig.output_tail}
    log(f"import_cables (this is the long step; index mode {args.index_mode})")
    imp_env = dict(env)
    if args.index_mode == "rebuild":
        # Parse + database only; the index is then built in one go by rebuild_index.
        imp_env["CABLESEARCH_SEARCH_BACKEND"] = "bench.null_backend.NullBackend"
    server_cpu = pg.server_cpu_seconds(POSTGRES["postmaster_pid"]) if POSTGRES else None
    imp = manage(["import_cables", str(corpus_file), *args.import_args], imp_env, logf)
    out = {
        "returncode": imp.returncode,
        "seconds": imp.seconds,
        "cpu_seconds": imp.cpu_seconds,
        "peak_rss": imp.peak_rss,
        "peak_pss": imp.peak_pss,
        "cables_in_db": count_cables(data_dir),
        "tail": imp.output_tail[-600:],
    }
    out["index_mode"] = args.index_mode
    if server_cpu is not None:
        # The database server's CPU during the import (not in the process tree's CPU time).
        after = pg.server_cpu_seconds(POSTGRES["postmaster_pid"])
        out["server_cpu_seconds"] = after - server_cpu if after is not None else None
    if args.index_mode == "rebuild" or args.rebuild_index:
        log("rebuild_index (measured separately)")
        reb = manage(["rebuild_index", "--no-progress"], env, logf)
        out["rebuild_index"] = {
            "returncode": reb.returncode,
            "seconds": reb.seconds,
            "cpu_seconds": reb.cpu_seconds,
            "peak_rss": reb.peak_rss,
            "peak_pss": reb.peak_pss,
        }
        if args.index_mode == "rebuild":
            # The import is only done when the index is: the total is what a user waits for.
            out["import_only_seconds"] = imp.seconds
            out["import_only_peak_rss"] = imp.peak_rss
            out["seconds"] = imp.seconds + reb.seconds
            out["cpu_seconds"] = imp.cpu_seconds + reb.cpu_seconds
            out["peak_rss"] = max(imp.peak_rss, reb.peak_rss)
            out["peak_pss"] = max(imp.peak_pss, reb.peak_pss)
    n = out["cables_in_db"] or 0
    secs = out["seconds"]
    out["cables_per_s"] = n / secs if secs else None
    out["mb_text_per_s"] = text_bytes / 1e6 / secs if secs and text_bytes else None
    if POSTGRES:
        out["index_bytes"] = pg.engine_bytes(POSTGRES["url"])
        out["db_bytes"] = pg.database_bytes(POSTGRES["url"])  # the engine's tables included
        return out
    index_dir = Path(env.get("CABLESEARCH_INDEX_DIR", data_dir / "index"))
    out["index_bytes"] = dir_size(index_dir)
    out["db_bytes"] = sum(dir_size(p) for p in data_dir.glob("cablesearch.sqlite3*"))
    return out


def step_service(args, queries_file: Path, data_dir: Path) -> dict:
    env = django_env(data_dir)
    out_file = args.work / f"service-{args.cables}.json"
    out_file.unlink(missing_ok=True)
    log("search service probe")
    probe = run_measured(
        [
            sys.executable,
            str(BENCH_DIR / "service_probe.py"),
            "--queries",
            str(queries_file),
            "--out",
            str(out_file),
        ],
        env,
        args.work / f"service-{args.cables}.log",
        cwd=PROJECT_DIR,
    )
    if probe.returncode or not out_file.exists():
        return {"error": f"service probe failed ({probe.returncode})", "tail": probe.output_tail}
    raw = json.loads(out_file.read_text())
    res = {
        "startup": raw["startup"],
        "warm_ms": raw.get("warm_ms"),
        "cold": by_class(raw["cold"]),
        "warm": by_class(raw["warm"]),
        "cold_cpu": by_class(raw["cold"], "cpu_ms"),
        "peak_rss": raw.get("VmHWM"),
        "totals": {
            cls: statistics.median([r.get("total", 0) for r in raw["cold"] if r["cls"] == cls])
            for cls in CLASSES
        },
        "queries_with_snippets": sum(1 for r in raw["cold"] if r.get("snippets")),
    }
    if args.profile:
        log("search service probe under cProfile")
        prof_file = args.work / f"profile-{args.cables}.json"
        prof_file.unlink(missing_ok=True)
        run_measured(
            [
                sys.executable,
                str(BENCH_DIR / "service_probe.py"),
                "--queries",
                str(queries_file),
                "--out",
                str(prof_file),
                "--profile",
            ],
            env,
            args.work / f"service-{args.cables}.log",
            cwd=PROJECT_DIR,
        )
        if prof_file.exists():
            res["profile_file"] = str(prof_file)
    return res


def _responses(rs: list[server_load.Response], queries) -> list[dict]:
    return [
        {"cls": q.cls, "ms": r.ms, "error": "" if r.status == 200 else f"HTTP {r.status} {r.error}"}
        for q, r in zip(queries, rs, strict=True)
    ]


def step_server(args, queries, data_dir: Path) -> dict:
    env = django_env(data_dir)
    logf = args.work / f"server-{args.cables}.log"
    st = manage(["collectstatic", "--noinput", "-v0"], env, logf)
    if st.returncode:
        return {"error": "collectstatic failed", "tail": st.output_tail}
    log("gunicorn: 2 workers on 127.0.0.1")
    out: dict = {"workers": 2}
    with server_load.Server(env, logf, workers=2) as srv:
        # Both workers open the index and build their caches before anything is timed.
        warm = [server_load.fetch(srv.port, "/search?q=embassy") for _ in range(6)]
        out["warmup_ms"] = [round(r.ms, 1) for r in warm]
        html_paths = ["/search" + q.querystring() for q in queries]
        json_paths = ["/search.json" + q.querystring() for q in queries]
        log("sequential HTML pages")
        out["html"] = by_class(_responses(server_load.sequential(srv.port, html_paths), queries))
        log("sequential /search.json")
        out["json"] = by_class(_responses(server_load.sequential(srv.port, json_paths), queries))
        log(f"{args.clients} concurrent clients on HTML pages")
        # Start from a fresh order of the same classes so the run is not just replaying the
        # sequential pass in step (the caches are warm either way; reported as such).
        run = server_load.concurrent(
            srv.port, html_paths, args.clients, args.load_requests, args.load_seconds
        )
        ok = [r for r in run.responses if r.status == 200]
        out["load"] = {
            "clients": run.clients,
            "requests": len(run.responses),
            "ok": len(ok),
            "errors": len(run.responses) - len(ok),
            "seconds": run.seconds,
            "stopped_by": run.stopped_by,
            "pages_per_s": len(ok) / run.seconds if run.seconds else None,
            "latency": summary([r.ms for r in ok]),
        }
        from bench.proc import tree_memory

        out["server_rss_after"], out["server_pss_after"] = tree_memory(srv.pid)
    return out


def reused_baseline(args, queries: list[dict]) -> dict:
    earlier = json.loads(args.baseline_from.read_text())
    same = (
        earlier.get("cables") == args.cables
        and earlier.get("seed") == args.seed
        # As JSON: the in-memory queries hold tuples where the file holds lists.
        and earlier.get("queries") == json.loads(json.dumps(queries))
    )
    if not same or "baseline" not in earlier:
        raise SystemExit(f"{args.baseline_from}: not the same corpus and queries, or no baseline")
    log(f"FTS5 baseline taken from {args.baseline_from}")
    return {**earlier["baseline"], "from": str(args.baseline_from)}


def step_baseline(args, pool, queries, tag_kinds) -> dict:
    db = args.work / f"fts5-{args.cables}-s{args.seed}.sqlite3"
    log(f"FTS5 baseline build -> {db}")
    stats = fts5_baseline.build(generate(pool, args.cables, args.seed), db, tag_kinds)
    base = fts5_baseline.Baseline(db)
    log("FTS5 baseline queries")
    try:
        rows = {}
        for name in ("cold", "warm"):
            rows[name] = []
            for q in queries:
                r = base.search(q)
                rows[name].append({"cls": q.cls, "ms": r.ms, "total": r.total})
    finally:
        base.close()
    return {
        "build": asdict(stats),
        "cold": by_class(rows["cold"]),
        "warm": by_class(rows["warm"]),
        "totals": {
            cls: statistics.median([r["total"] for r in rows["cold"] if r["cls"] == cls])
            for cls in CLASSES
        },
    }


# -- report -----------------------------------------------------------------------------------


def _f(v, digits: int = 0) -> str:
    if v is None:
        return "—"
    return f"{v:,.{digits}f}"


def _get(d: dict, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def ratios(result: dict) -> dict[str, dict]:
    out = {}
    for cls in CLASSES:
        ours = _get(result, "service", "cold", cls) or {}
        base = _get(result, "baseline", "cold", cls) or {}
        out[cls] = {
            p: (ours[p] / base[p]) if ours.get(p) and base.get(p) else None for p in ("p50", "p95")
        }
    return out


def verdicts(result: dict) -> dict[str, dict]:
    n = result["cables"]
    imp = result.get("import") or {}
    scale = CABLEGATE_SIZE / n if n else None
    v: dict[str, dict] = {}
    secs = imp.get("seconds")
    v["import_time"] = {
        "target": "<= 30 min at 251,287",
        "value_s": secs,
        "at_full_size_s": secs * scale if secs and scale else None,
        "extrapolated": n != CABLEGATE_SIZE,
    }
    v["import_time"]["met"] = (
        v["import_time"]["at_full_size_s"] <= TARGETS["import_seconds"]
        if v["import_time"]["at_full_size_s"]
        else None
    )
    rss = imp.get("peak_rss")
    v["import_rss"] = {
        "target": "<= 1.5 GB",
        "value": rss,
        "met": rss <= TARGETS["import_peak_rss"] if rss else None,
        "note": "RSS summed over the process tree (shared pages counted per process)",
    }
    for key, path, target in (
        ("service_p95", ("service", "cold"), TARGETS["service_p95_ms"]),
        ("page_p95", ("server", "html"), TARGETS["page_p95_ms"]),
    ):
        per = _get(result, *path) or {}
        failing = [
            c
            for c in CLASSES
            if per and ((per.get(c) or {}).get("p95") is None or per[c]["p95"] > target)
        ]
        v[key] = {
            "target_ms": target,
            "failing_classes": failing,
            "met": not failing if per else None,
        }
    pps = _get(result, "server", "load", "pages_per_s")
    v["throughput"] = {"target": ">= 50 pages/s", "value": pps, "met": pps >= 50 if pps else None}
    rt = ratios(result)
    failing = [
        c
        for c in CLASSES
        if any(rt[c][p] is None or rt[c][p] > TARGETS["ratio_to_fts5"] for p in rt[c])
    ]
    measured = any(rt[c][p] is not None for c in CLASSES for p in rt[c])
    v["fts5_ratio"] = {
        "target": "<= 3x at p50 and p95",
        "failing_classes": failing if measured else [],
        "met": not failing if measured else None,
    }
    return v


def table(result: dict) -> str:
    lines = []
    imp = result.get("import") or {}
    n = result["cables"]
    lines.append(
        f"Corpus: {n:,} generated cables, seed {result['seed']} "
        f"({_f((result.get('corpus') or {}).get('text_bytes', 0) / 1e6, 1)} MB of text)"
    )
    if result.get("engine") == "postgres":
        pgs = result.get("postgres") or {}
        settings = ", ".join(f"{k}={v}" for k, v in (pgs.get("settings") or {}).items())
        lines.append(
            f"Engine: PostgreSQL full-text ({pgs.get('version')}, throwaway cluster: {settings}); "
            "index size = the engine's tables, TOAST and indexes, inside the database size"
        )
    lines.append("")
    lines.append("| Import | value |")
    lines.append("|---|---|")
    lines.append(f"| wall time | {_f(imp.get('seconds'), 1)} s |")
    lines.append(f"| CPU time (process tree) | {_f(imp.get('cpu_seconds'), 1)} s |")
    if imp.get("server_cpu_seconds") is not None:
        lines.append(f"| CPU time (PostgreSQL server) | {_f(imp['server_cpu_seconds'], 1)} s |")
    lines.append(f"| cables in DB | {_f(imp.get('cables_in_db'))} |")
    lines.append(f"| cables/s | {_f(imp.get('cables_per_s'), 1)} |")
    lines.append(f"| MB of text/s | {_f(imp.get('mb_text_per_s'), 2)} |")
    lines.append(f"| peak RSS (process tree sum) | {_f((imp.get('peak_rss') or 0) / 2**20)} MiB |")
    lines.append(f"| peak PSS (process tree) | {_f((imp.get('peak_pss') or 0) / 2**20)} MiB |")
    lines.append(f"| index size | {_f((imp.get('index_bytes') or 0) / 2**20)} MiB |")
    lines.append(f"| database size | {_f((imp.get('db_bytes') or 0) / 2**20)} MiB |")
    if imp.get("rebuild_index"):
        r = imp["rebuild_index"]
        lines.append(
            f"| index mode: {imp.get('index_mode')}; import_cables alone "
            f"{_f(imp.get('import_only_seconds'), 1)} s; rebuild_index | {_f(r['seconds'], 1)} s, peak RSS {_f(r['peak_rss'] / 2**20)} MiB |"
        )
    b = _get(result, "baseline", "build") or {}
    if b:
        lines.append(
            f"| FTS5 baseline build | {_f(b.get('seconds'), 1)} s, {_f(b.get('db_bytes', 0) / 2**20)} MiB |"
        )
    lines.append("")
    lines.append(
        "Latency in ms, p50 / p95 / p99 over the query set (cold: each query's first run). "
        "Ratio = service / FTS5 (p50, p95)."
    )
    lines.append("")
    lines.append(
        "| class | hits (median) | service | service CPU p50 / p95 | service warm p50 | HTML page | /search.json | FTS5 | ratio p50 | ratio p95 |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    rt = ratios(result)

    def trio(d):
        if not d or d.get("p50") is None:
            return "—" if not d or not d.get("errors") else f"{d['errors']} errors"
        err = f" ({d['errors']} err)" if d.get("errors") else ""
        return f"{_f(d['p50'])} / {_f(d['p95'])} / {_f(d['p99'])}{err}"

    for cls in CLASSES:
        lines.append(
            "| {} | {} | {} | {} / {} | {} | {} | {} | {} | {} | {} |".format(
                cls,
                _f(
                    _get(result, "service", "totals", cls)
                    or _get(result, "baseline", "totals", cls)
                ),
                trio(_get(result, "service", "cold", cls)),
                _f(_get(result, "service", "cold_cpu", cls, "p50")),
                _f(_get(result, "service", "cold_cpu", cls, "p95")),
                _f(_get(result, "service", "warm", cls, "p50"), 1),
                trio(_get(result, "server", "html", cls)),
                trio(_get(result, "server", "json", cls)),
                trio(_get(result, "baseline", "cold", cls)),
                _f(rt[cls]["p50"], 1),
                _f(rt[cls]["p95"], 1),
            )
        )
    load = _get(result, "server", "load") or {}
    if load:
        lat = load.get("latency") or {}
        lines.append("")
        lines.append(
            f"Throughput, {load['clients']} concurrent clients, HTML pages, 2 gunicorn workers: "
            f"**{_f(load.get('pages_per_s'), 1)} pages/s** ({load['ok']} ok, {load['errors']} errors "
            f"in {_f(load['seconds'], 1)} s, stopped by {load['stopped_by']}); latency under load "
            f"p50 {_f(lat.get('p50'))} / p95 {_f(lat.get('p95'))} / p99 {_f(lat.get('p99'))} ms."
        )
    startup = _get(result, "service", "startup") or {}
    if startup:
        lines.append(
            f"Service first search in a fresh process (open index, build caches): {_f(startup.get('wall_ms'))} ms."
        )
    warmed = _get(result, "service", "warm_ms")
    if warmed is not None:
        lines.append(
            f"Then the engine's warm-up (spelling vocabulary, in the background): {_f(warmed)} ms."
        )
    lines.append("")
    lines.append("| target | verdict |")
    lines.append("|---|---|")
    for key, v in result.get("verdicts", {}).items():
        met = {True: "met", False: "**not met**", None: "not measured"}[v.get("met")]
        detail = {k: val for k, val in v.items() if k not in ("met",)}
        if "at_full_size_s" in detail and detail["at_full_size_s"]:
            extra = " (extrapolated linearly)" if detail["extrapolated"] else ""
            detail = f"{_f(detail['value_s'], 1)} s at {n:,}; {_f(detail['at_full_size_s'] / 60, 1)} min at 251,287{extra}"
        elif key == "import_time":
            detail = "—"
        elif "failing_classes" in detail:
            detail = "failing: " + (", ".join(detail["failing_classes"]) or "none")
        elif key == "import_rss":
            detail = f"{_f((detail['value'] or 0) / 2**20)} MiB"
        elif key == "throughput":
            detail = f"{_f(detail['value'], 1)} pages/s"
        lines.append(f"| {key} | {met}: {detail} |")
    return "\n".join(lines)


def write_results_md(result: dict, text: str, path: Path) -> None:
    m = result["machine"]
    head = [
        "# Benchmark results",
        "",
        "Latest `make bench` run (`python bench/run.py`); older runs are in `bench/results/`.",
        "How it works and how to read it: bench/README.md.",
        "",
        f"- Run: {result['started']} → {result['finished']} UTC, commit {m.get('commit')}",
        f"- Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_bytes'] / 2**30:.1f} GiB RAM, "
        f"Python {m['python']}, {m['platform']}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"- Load average at start / end: {result['loadavg_start']} / {result['loadavg_end']}"
        + (
            "  **(machine shared with other jobs: timings are noisy)**"
            if result.get("noisy")
            else ""
        ),
    ]
    if result.get("note"):
        head.append(f"- Note: {result['note']}")
    # Hand-written analysis below the marker survives re-runs.
    notes = ""
    if path.exists() and NOTES_MARKER in path.read_text():
        notes = path.read_text().split(NOTES_MARKER, 1)[1]
    path.write_text("\n".join(head) + "\n\n" + text + "\n\n" + NOTES_MARKER + notes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="cablesearch benchmark")
    ap.add_argument("--cables", type=int, default=CABLEGATE_SIZE)
    ap.add_argument("--seed", type=int, default=2010)
    ap.add_argument("--format", choices=("csv", "tar.gz"), default="csv")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the real sample")
    ap.add_argument("--work", type=Path, default=BENCH_DIR / "work")
    ap.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    ap.add_argument("--no-results-md", action="store_true")
    ap.add_argument("--per-class", type=int, default=20, help="distinct queries per class")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--load-requests", type=int, default=2000)
    ap.add_argument("--load-seconds", type=float, default=60.0)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--reuse-data", action="store_true", help="skip the import, reuse data dir")
    ap.add_argument("--rebuild-index", action="store_true", help="also time rebuild_index")
    ap.add_argument(
        "--index-mode",
        choices=("signals", "rebuild"),
        default="signals",
        help="signals: the import indexes as it stores (the app's path); rebuild: import with "
        "indexing off, then rebuild_index (the bulk path); the import time is the sum",
    )
    ap.add_argument("--import-arg", dest="import_args", action="append", default=[])
    ap.add_argument(
        "--skip", action="append", default=[], choices=("import", "service", "server", "baseline")
    )
    ap.add_argument(
        "--baseline-from",
        type=Path,
        help="take the FTS5 baseline from an earlier results JSON of the same corpus and queries "
        "(it does not depend on our code; saves its build and slow queries)",
    )
    ap.add_argument("--profile", action="store_true", help="cProfile the service per class")
    ap.add_argument("--note", default="")
    ap.add_argument(
        "--engine",
        choices=("whoosh", "postgres"),
        default="whoosh",
        help="postgres: the app on a throwaway PostgreSQL cluster (bench/postgres.py) with the "
        "PostgreSQL search engine; results go to bench/results only unless --results-md",
    )
    ap.add_argument("--results-md", action="store_true", help="rewrite RESULTS.md anyway")
    ap.add_argument(
        "--pg-dir",
        type=Path,
        help="postgres: keep the cluster in this folder (created on first use) instead of a "
        "throwaway one; a later run with the same folder and --reuse-data searches it again",
    )
    args = ap.parse_args(argv)
    if args.engine == "postgres":
        if args.reuse_data and args.pg_dir is None:
            ap.error("--reuse-data needs the database of an earlier run: pass its --pg-dir")
        with pg.cluster(args.pg_dir) as server:
            POSTGRES.update(server)
            try:
                return _main(args)
            finally:
                POSTGRES.clear()
    return _main(args)


def _main(args) -> int:
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)

    result: dict = {
        "cables": args.cables,
        "seed": args.seed,
        "format": args.format,
        "started": f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}",
        "loadavg_start": loadavg(),
        "machine": machine(),
        "note": args.note,
        "engine": args.engine,
    }
    if POSTGRES:
        result["postgres"] = {"version": POSTGRES["version"], "settings": POSTGRES["settings"]}
    log("loading the real sample")
    pool = load_pool(args.corpus)
    tag_kinds = load_tag_kinds(args.corpus)
    queries = build_queries(pool, args.per_class, corpus=args.corpus)
    queries_file = args.work / "queries.json"
    queries_file.write_text(json.dumps([q.as_dict() for q in queries], indent=1))
    result["queries"] = [q.as_dict() for q in queries]

    if "import" in args.skip:
        # Nothing reads the file: the baseline indexes straight from the (same) generator.
        corpus_file, result["corpus"] = None, {"file": None}
    else:
        corpus_file, result["corpus"] = step_generate(args, pool)
    if "text_bytes" not in result["corpus"] and corpus_file is not None:
        # Reused file: count its text again from the generator (cheap, deterministic).
        result["corpus"]["text_bytes"] = sum(
            len(c.header.encode()) + len(c.body.encode())
            for c in generate(pool, args.cables, args.seed)
        )
    data_dir = args.work / f"data-{args.cables}{'-postgres' if POSTGRES else ''}"
    if "import" in args.skip:
        result["import"] = {"skipped": True}
    elif args.reuse_data and count_cables(data_dir):
        log(f"reusing {data_dir}")
        result["import"] = {"reused": True, "cables_in_db": count_cables(data_dir)}
    else:
        result["import"] = step_import(args, corpus_file, data_dir, result["corpus"]["text_bytes"])
    if "service" not in args.skip:
        result["service"] = step_service(args, queries_file, data_dir)
    if "server" not in args.skip:
        try:
            result["server"] = step_server(args, queries, data_dir)
        except RuntimeError as exc:
            result["server"] = {"error": str(exc)}
    if args.baseline_from:
        result["baseline"] = reused_baseline(args, result["queries"])
    elif "baseline" not in args.skip:
        result["baseline"] = step_baseline(args, pool, queries, tag_kinds)
        result["corpus"].setdefault("text_bytes", result["baseline"]["build"]["text_bytes"])
    result["finished"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}"
    result["loadavg_end"] = loadavg()
    result["noisy"] = max(result["loadavg_start"] + result["loadavg_end"] or [0]) > (
        os.cpu_count() or 1
    )
    result["ratios"] = ratios(result)
    result["verdicts"] = verdicts(result)
    text = table(result)
    print(text)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    suffix = "-postgres" if args.engine == "postgres" else ""
    out = args.results_dir / f"{datetime.now(UTC):%Y-%m-%dT%H%M}-{args.cables}{suffix}.json"
    out.write_text(json.dumps(result, indent=1, default=str))
    log(f"wrote {out}")
    # RESULTS.md shows the default engine's latest run; a PostgreSQL run only when asked.
    if not args.no_results_md and (args.engine == "whoosh" or args.results_md):
        write_results_md(result, text, BENCH_DIR / "RESULTS.md")
        log("wrote bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
