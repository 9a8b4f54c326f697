"""Side by side: the engines' runs of `bench/run.py` on the same corpus and query set.

    python bench/compare.py bench/results/A.json bench/results/B.json [...]

Prints one Markdown table: import and footprint, then service and HTML page p50 / p95 per query
class for each run, and the FTS5 baseline of the first run that has one (the runs must share
the corpus size, seed and queries: checked). RESULTS.md quotes its output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.queries import CLASSES  # noqa: E402
from bench.run import _f, _get  # noqa: E402


def label(result: dict) -> str:
    engine = "PostgreSQL" if result.get("engine") == "postgres" else "Whoosh"
    commit = _get(result, "machine", "commit") or "?"
    return f"{engine} ({commit}, {result.get('started', '?')[:10]})"


def _pair(d: dict | None) -> str:
    if not d or d.get("p50") is None:
        return "—"
    return f"{_f(d['p50'])} / {_f(d['p95'])}"


def compare(results: list[dict]) -> str:
    first = results[0]
    for other in results[1:]:
        same = (other["cables"], other["seed"], other["queries"]) == (
            first["cables"],
            first["seed"],
            first["queries"],
        )
        if not same:
            raise SystemExit("the runs differ in corpus size, seed or queries: not comparable")
    baseline = next((r for r in results if _get(r, "baseline", "cold")), None)
    text_mb = (_get(first, "corpus", "text_bytes") or 0) / 1e6
    heads = [label(r) for r in results]
    lines = [
        f"{first['cables']:,} generated cables, seed {first['seed']}, {text_mb:,.1f} MB of text.",
        "",
        "| | " + " | ".join(heads) + " |",
        "|---|" + "---|" * len(heads),
    ]

    def row(name: str, cells: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    imports = [r.get("import") or {} for r in results]
    row("import, wall", [f"{_f(i.get('seconds'), 1)} s" for i in imports])
    row("import, cables/s", [_f(i.get("cables_per_s"), 1) for i in imports])
    row(
        "import, CPU: importer / database server",
        [f"{_f(i.get('cpu_seconds'))} / {_f(i.get('server_cpu_seconds'))} s" for i in imports],
    )
    row("database + index", [f"{_f(_footprint(r) / 2**20)} MiB" for r in results])
    row(
        "database + index / text",
        [f"{_footprint(r) / (text_mb * 1e6):.2f}x" if text_mb else "—" for r in results],
    )
    row(
        "pages/s (8 clients, 2 workers)",
        [_f(_get(r, "server", "load", "pages_per_s"), 1) for r in results],
    )
    lines += [
        "",
        "Service and HTML page, cold, p50 / p95 in ms"
        + (f"; FTS5 from {label(baseline)}'s run." if baseline else "."),
        "",
        "| class | "
        + " | ".join(f"{h}: service | page" for h in heads)
        + (" | FTS5 |" if baseline else " |"),
        "|---|" + "---|---|" * len(heads) + ("---|" if baseline else ""),
    ]
    for cls in CLASSES:
        cells = []
        for r in results:
            cells += [_pair(_get(r, "service", "cold", cls)), _pair(_get(r, "server", "html", cls))]
        if baseline:
            cells.append(_pair(_get(baseline, "baseline", "cold", cls)))
        row(cls, cells)
    return "\n".join(lines)


def _footprint(result: dict) -> int:
    imp = result.get("import") or {}
    db, index = imp.get("db_bytes") or 0, imp.get("index_bytes") or 0
    # A PostgreSQL run's index is tables of its database: db_bytes holds it already.
    return db if result.get("engine") == "postgres" else db + index


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", type=Path)
    args = ap.parse_args(argv)
    print(compare([json.loads(p.read_text()) for p in args.results]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
