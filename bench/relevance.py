"""Known-item relevance: can a researcher find a cable again with what they remember of it?

``python bench/relevance.py [--cables 1000] [--data-dir bench/work/relevance]``

The shared corpus's real cables (``../shared/corpus/cables-text.tar.xz``) are imported through
``manage.py import_cables`` into a scratch data dir (once; ``CABLESEARCH_DATA_DIR``, so var/ is
never touched), which also builds the Whoosh index. For a seeded sample of them, queries a
researcher would type to find one again:

- ``subject``: the words of its subject line, lower case (upper-case AND/OR/NOT would be
  operators), the punctuation around words dropped, unquoted;
- ``six``: six consecutive words of one of its paragraphs, unquoted;
- ``two``: two of its content words (letters only, 6+ letters, not among the 200 commonest);
- ``citation``: its id in the forms of search/query.py (``07MOSCOW5100``, ``07moscow5100``,
  ``07 MOSCOW 5100``, ``07 MOSCOW 005100``, ``MOSCOW 5100``), each its own query. Without a
  year a citation names every year's cable of that station and serial (they all come first):
  those others are not counted against the rank.

Each query runs on the Whoosh engine (``match``, relevance, top 10), on the same engine with
proximity ranking switched off, with ``--postgres`` on the PostgreSQL engine (the same corpus
imported into a throwaway cluster, bench/postgres.py, by a worker process: its own Django
database; the worker times each ``match``), and on SQLite FTS5 (``porter unicode61``, the words ANDed,
``bm25`` with the subject weighted 2, as bench/fts5_baseline.py). A query counts as hit@1 when
the cable is first, hit@10 when it is in the first ten; MRR is the mean of 1/rank over the first
ten (0 beyond). It prints a Markdown table and, with ``--results-md``, writes it into the
"Relevance" section of bench/RESULTS.md (the rest of the file is kept as it is).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

CORPUS = PROJECT_DIR.parent / "shared" / "corpus" / "cables-text.tar.xz"
RESULTS_MD = PROJECT_DIR / "bench" / "RESULTS.md"
SECTION = "## Relevance"
KINDS = ("subject", "six", "two", "citation")
TOP = 10
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")
_ID_RE = re.compile(r"^(\d{2})([A-Z]+?)(\d+)$")
_EDGE = ".,;:()[]\"'!?-/*"


def typed(text: str) -> list[str]:
    """The words of ``text`` as a researcher types them: split at spaces, punctuation around
    them dropped (inner dots kept: U.S.), lower case (so AND/OR/NOT stay words)."""
    words = (w.strip(_EDGE).lower() for w in text.split())
    return [w for w in words if any(ch.isalnum() for ch in w)]


@dataclass
class Tally:
    ranks: list[int | None] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    def add(self, rank: int | None, ms: float) -> None:
        self.ranks.append(rank)
        self.ms.append(ms)

    def row(self) -> tuple[float, float, float, float]:
        n = max(1, len(self.ranks))
        hit1 = sum(r == 1 for r in self.ranks) / n
        hit10 = sum(r is not None for r in self.ranks) / n
        mrr = sum(1 / r for r in self.ranks if r is not None) / n
        p95 = statistics.quantiles(self.ms, n=20)[18] if len(self.ms) >= 20 else max(self.ms)
        return hit1, hit10, mrr, p95


def ensure_imported(data_dir: Path) -> None:
    """Import the shared corpus into the scratch data dir, unless it already holds it."""
    marker = data_dir / "relevance-imported"
    if marker.exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CABLESEARCH_DATA_DIR": str(data_dir), "DJANGO_DEBUG": "1"}
    manage = [sys.executable, str(PROJECT_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    # import_cables exits 1 when some inputs fail to parse; the others are stored and indexed.
    subprocess.run([*manage, "import_cables", str(CORPUS), "--quiet"], env=env, check=False)
    marker.write_text("imported\n")


def setup_django(data_dir: Path) -> None:
    os.environ["CABLESEARCH_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def load_cables() -> list[tuple[str, str, list[str]]]:
    from cables.models import Cable, Paragraph

    paras: dict[str, list[str]] = {}
    for cable_id, text in Paragraph.objects.order_by("cable_id", "position").values_list(
        "cable_id", "text"
    ):
        paras.setdefault(cable_id, []).append(text)
    return [
        (cable_id, subject, paras.get(cable_id, []))
        for cable_id, subject in Cable.objects.order_by("id").values_list("id", "subject")
    ]


def citation_forms(cable_id: str) -> list[str]:
    m = _ID_RE.match(cable_id)
    if not m:
        return [cable_id]
    yy, station, serial = m.groups()
    return [
        cable_id,
        cable_id.lower(),
        f"{yy} {station} {serial}",
        f"{yy} {station} {int(serial):06d}",
        f"{station} {serial}",
    ]


def build_queries(cables, sample: int, seed: int) -> list[tuple[str, str, str, frozenset]]:
    """(kind, query, cable id, ids the query names as well) for a seeded sample."""
    rng = random.Random(seed)
    common = Counter(
        w.lower() for _, subject, paras in cables for w in _WORD_RE.findall(" ".join(paras))
    )
    stop = {w for w, _ in common.most_common(200)}
    chosen = rng.sample(cables, min(sample, len(cables)))
    by_serial: dict[tuple[str, str], set[str]] = {}
    for cable_id, _, _ in cables:
        m = _ID_RE.match(cable_id)
        if m:
            by_serial.setdefault((m.group(2), m.group(3)), set()).add(cable_id)
    none: frozenset = frozenset()
    out: list[tuple[str, str, str, frozenset]] = []
    for cable_id, subject, paras in chosen:
        words = typed(subject)
        if words:
            out.append(("subject", " ".join(words), cable_id, none))
        runs = [typed(p) for p in paras]
        runs = [r for r in runs if len(r) >= 12]
        if runs:
            tokens = rng.choice(runs)
            start = rng.randrange(len(tokens) - 5)
            out.append(("six", " ".join(tokens[start : start + 6]), cable_id, none))
        content = sorted(
            {
                w.lower()
                for w in _WORD_RE.findall(" ".join(paras))
                if len(w) >= 6 and w.isalpha() and w.lower() not in stop
            }
        )
        if len(content) >= 2:
            out.append(("two", " ".join(rng.sample(content, 2)), cable_id, none))
        m = _ID_RE.match(cable_id)
        same = frozenset(by_serial.get((m.group(2), m.group(3)), ())) if m else none
        for form in citation_forms(cable_id):
            yearless = not form[:2].isdigit()
            out.append(("citation", form, cable_id, same - {cable_id} if yearless else none))
    return out


def whoosh_search(proximity: bool):
    from search.backends.whoosh import compile as whoosh_compile

    boost = whoosh_compile.PROXIMITY_BOOST

    def search(q: str) -> list[str]:
        whoosh_compile.PROXIMITY_BOOST = boost if proximity else 0.0
        try:
            return engine_search(q)
        finally:
            whoosh_compile.PROXIMITY_BOOST = boost

    return search


def fts5_search(cables, db_path: Path):
    db_path.unlink(missing_ok=True)
    con = sqlite3.connect(db_path)
    con.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
        "CREATE TABLE ids(rowid INTEGER PRIMARY KEY, id TEXT);"
        "CREATE VIRTUAL TABLE fts USING fts5(subject, body, tokenize='porter unicode61');"
    )
    with con:
        for rowid, (cable_id, subject, paras) in enumerate(cables, start=1):
            con.execute("INSERT INTO ids VALUES (?, ?)", (rowid, cable_id))
            con.execute(
                "INSERT INTO fts(rowid, subject, body) VALUES (?,?,?)",
                (rowid, subject, "\n\n".join(paras)),
            )
    con.execute("INSERT INTO fts(fts) VALUES ('optimize')")

    def search(q: str) -> list[str]:
        tokens = re.findall(r"\w+", q)
        if not tokens:
            return []
        match = " ".join('"' + t.replace('"', "") + '"' for t in tokens)
        rows = con.execute(
            "SELECT ids.id FROM fts JOIN ids ON ids.rowid = fts.rowid WHERE fts MATCH ? "
            "ORDER BY bm25(fts, 2.0, 1.0) LIMIT ?",
            (match, TOP),
        ).fetchall()
        return [r[0] for r in rows]

    return search


def engine_search(q: str) -> list[str]:
    """The configured engine's top ids for ``q`` (relevance), through its ``match``."""
    from search.backends.base import Criteria, MatchRequest
    from search.query import parse
    from search.service import get_backend

    request = MatchRequest(Criteria(parse(q).tree), "relevance", 0, TOP, ())
    return list(get_backend().match(request).ids)


def postgres_worker(queries_path: Path, out_path: Path) -> int:
    """In a process whose DATABASE_URL is the cluster: import the corpus, answer every query."""
    manage = [sys.executable, str(PROJECT_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True)
    started = time.perf_counter()
    subprocess.run([*manage, "import_cables", str(CORPUS), "--quiet"], check=False)
    imported = time.perf_counter() - started
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    answers = {}
    for q in json.loads(queries_path.read_text()):
        begun = time.perf_counter()
        ids = engine_search(q)
        answers[q] = [ids, (time.perf_counter() - begun) * 1000]
    out_path.write_text(json.dumps({"answers": answers, "import_seconds": imported}))
    return 0


def postgres_search(queries, data_dir: Path):
    """The PostgreSQL engine's answers, from a worker on a throwaway cluster."""
    from bench import postgres as pg

    asked, answered = data_dir / "relevance-queries.json", data_dir / "relevance-postgres.json"
    asked.write_text(json.dumps(sorted({q for _, q, _, _ in queries})))
    with pg.cluster() as server:
        env = {
            **os.environ,
            "DATABASE_URL": server["url"],
            "CABLESEARCH_SEARCH_BACKEND": pg.ENGINE,
            "CABLESEARCH_DATA_DIR": str(data_dir / "postgres"),
            "DJANGO_DEBUG": "1",
        }
        worker = [sys.executable, __file__, "--postgres-worker", str(asked), str(answered)]
        subprocess.run(worker, env=env, check=True)
    answers = json.loads(answered.read_text())["answers"]

    def search(q: str) -> tuple[list[str], float]:
        ids, ms = answers[q]
        return ids, ms

    return search


def run(engines: dict, queries) -> dict[str, dict[str, Tally]]:
    """A search gives ids (timed here) or (ids, ms) timed where it ran."""
    out: dict[str, dict[str, Tally]] = {name: {k: Tally() for k in KINDS} for name in engines}
    for name, search in engines.items():
        for kind, q, cable_id, also in queries:
            started = time.perf_counter()
            answer = search(q)
            ms = (time.perf_counter() - started) * 1000
            if isinstance(answer, tuple):
                answer, ms = answer
            found = [i for i in answer if i not in also]
            rank = found.index(cable_id) + 1 if cable_id in found else None
            out[name][kind].add(rank, ms)
    return out


def table(results: dict[str, dict[str, Tally]], queries, cables: int, sample: int) -> str:
    per_kind = Counter(q[0] for q in queries)
    lines = [
        f"Known-item queries on {sample} of the {cables} cables of the shared corpus as "
        f"imported (seeded sample; `bench/relevance.py`): {', '.join(f'{per_kind[k]} {k}' for k in KINDS)}.",
        "",
        "| kind | engine | hit@1 | hit@10 | MRR | p95 ms |",
        "|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        for name, tallies in results.items():
            hit1, hit10, mrr, p95 = tallies[kind].row()
            lines.append(f"| {kind} | {name} | {hit1:.3f} | {hit10:.3f} | {mrr:.3f} | {p95:.1f} |")
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace (or add) the Relevance section of RESULTS.md; everything else stays."""
    doc = RESULTS_MD.read_text()
    block = f"{SECTION}\n\n{text}\n"
    if SECTION in doc:
        head, rest = doc.split(SECTION, 1)
        nxt = rest.find("\n## ")
        tail = rest[nxt + 1 :] if nxt >= 0 else ""
        doc = head + block + ("\n" + tail if tail else "")
    else:
        doc = doc.rstrip("\n") + "\n\n" + block
    RESULTS_MD.write_text(doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cables", type=int, default=1000, help="cables sampled (default 1000)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--data-dir", type=Path, default=PROJECT_DIR / "bench" / "work" / "relevance"
    )
    parser.add_argument("--results-md", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument("--note", default="", help="a line added under the table")
    parser.add_argument(
        "--postgres", action="store_true", help="also the PostgreSQL engine (throwaway cluster)"
    )
    parser.add_argument("--postgres-worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.postgres_worker:
        return postgres_worker(*args.postgres_worker)
    ensure_imported(args.data_dir)
    setup_django(args.data_dir)
    cables = load_cables()
    queries = build_queries(cables, args.cables, args.seed)
    engines = {
        "Whoosh": whoosh_search(proximity=True),
        "Whoosh, no proximity": whoosh_search(proximity=False),
        "FTS5 bm25": fts5_search(cables, args.data_dir / "relevance-fts5.sqlite3"),
    }
    if args.postgres:
        engines["PostgreSQL"] = postgres_search(queries, args.data_dir)
    results = run(engines, queries)
    text = table(results, queries, len(cables), min(args.cables, len(cables)))
    if args.note:
        text += "\n\n" + args.note
    print(text)
    if args.results_md:
        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
