"""Search one benchmark data folder twice: with its files evicted from the page cache, then cached.

    python bench/page_cache.py --data bench/work/data-251287 --queries bench/work/queries.json

Each pass is a fresh ``service_probe.py`` process running every query once, in class order (the
``cold`` pass of a full run). Before the first pass, every file of the data folder is dropped
from the kernel's page cache with ``posix_fadvise(DONTNEED)`` (Linux; no root needed): the
index and database then come from disk, as on a server whose RAM cannot hold them. The second
pass follows at once, with everything cached. Prints p50 / p95 and CPU p95 per class, in ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from bench.queries import CLASSES  # noqa: E402
from bench.run import django_env, pct  # noqa: E402


def evict(folder: Path) -> int:
    """Drop every file under ``folder`` from the page cache; how many files."""
    count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
            count += 1
    return count


def probe(data: Path, queries: Path) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "probe.json"
        subprocess.run(
            [sys.executable, str(PROJECT_DIR / "bench" / "service_probe.py"), "--queries",
             str(queries), "--out", str(out)],
            cwd=PROJECT_DIR, env=django_env(data), check=True,
        )  # fmt: skip
        return json.loads(out.read_text())["cold"]


def table(evicted: list[dict], cached: list[dict]) -> str:
    def cell(rows: list[dict], cls: str) -> str:
        ms = [r["ms"] for r in rows if r["cls"] == cls and not r.get("error")]
        cpu = [r["cpu_ms"] for r in rows if r["cls"] == cls and not r.get("error")]
        if not ms:
            return "-"
        return f"{pct(ms, 50):.0f} / {pct(ms, 95):.0f} (CPU {pct(cpu, 95):.0f})"

    lines = ["| class | evicted | cached |", "|---|---|---|"]
    lines += [f"| {cls} | {cell(evicted, cls)} | {cell(cached, cls)} |" for cls in CLASSES]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="a data folder run.py imported")
    ap.add_argument("--queries", type=Path, required=True, help="run.py's queries.json")
    args = ap.parse_args(argv)
    files = evict(args.data)
    print(f"evicted {files} files of {args.data} from the page cache", file=sys.stderr)
    evicted = probe(args.data, args.queries)
    cached = probe(args.data, args.queries)
    print("ms, p50 / p95 (CPU p95), each query once in a fresh process:\n")
    print(table(evicted, cached))
    return 0


if __name__ == "__main__":
    sys.exit(main())
