"""The baseline: the same corpus and query classes on SQLite FTS5 (stdlib ``sqlite3``).

What it does per query, so the comparison is like for like with the search service: match,
apply the facet filters / exclusion / date range, count the total, count every facet (TAGS by
kind, origin, classification, year) over the matches, fetch page N of 20 by bm25 (subject
weighted 2) or by date, and make a body snippet for each of those 20 hits.

Known differences from our service, which favour neither side much: tokenisation is
``porter unicode61`` with no stop words; facet counts are plain counts over the filtered matches
(not disjunctive); TAGS are a quick split of the TAGS line, not the app's parser.
"""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.generate import GeneratedCable
from bench.queries import Query

PAGE_SIZE = 20
FACET_KINDS = {
    "tag": "subject",
    "country": "geo",
    "program": "program",
    "org": "organization",
    "person": "person",
}
SCHEMA = """
CREATE TABLE cables(rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, date TEXT, year INT,
                    origin TEXT, classification TEXT, subject TEXT);
CREATE TABLE doc_tags(rowid INT, kind TEXT, code TEXT, PRIMARY KEY (rowid, code)) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(subject, body, tokenize='porter unicode61');
"""
INDEXES = """
CREATE INDEX doc_tags_code ON doc_tags(code, rowid);
CREATE INDEX cables_date ON cables(date);
"""


@dataclass(frozen=True, slots=True)
class BuildStats:
    cables: int
    text_bytes: int
    seconds: float
    db_bytes: int


def build(cables: Iterable[GeneratedCable], db_path: Path, tag_kinds: dict[str, str]) -> BuildStats:
    """Index the corpus into a fresh FTS5 database (one transaction, then optimize)."""
    db_path.unlink(missing_ok=True)
    started = time.perf_counter()
    con = sqlite3.connect(db_path)
    con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    n = text_bytes = 0
    with con:
        for rowid, c in enumerate(cables, start=1):
            con.execute(
                "INSERT INTO cables VALUES (?,?,?,?,?,?,?)",
                (
                    rowid,
                    c.id,
                    c.date.isoformat(),
                    c.date.year,
                    c.origin,
                    c.classification,
                    c.subject,
                ),
            )
            con.execute(
                "INSERT INTO fts(rowid, subject, body) VALUES (?,?,?)", (rowid, c.subject, c.body)
            )
            con.executemany(
                "INSERT INTO doc_tags VALUES (?,?,?)",
                [(rowid, tag_kinds.get(code, "unknown"), code) for code in c.tags],
            )
            n += 1
            text_bytes += len(c.header.encode()) + len(c.body.encode())
    con.executescript(INDEXES + "INSERT INTO fts(fts) VALUES('optimize'); ANALYZE;")
    con.close()
    return BuildStats(n, text_bytes, time.perf_counter() - started, db_path.stat().st_size)


@dataclass(frozen=True, slots=True)
class BaselineResult:
    total: int
    hits: list[tuple[str, str]]  # (id, snippet)
    facets: dict[str, dict[str, int]]
    ms: float


class Baseline:
    """One open connection reused for every query (as the service reuses its searcher)."""

    def __init__(self, db_path: Path) -> None:
        self.con = sqlite3.connect(db_path)
        self.con.execute("PRAGMA temp_store=MEMORY")

    def close(self) -> None:
        self.con.close()

    def _matches_sql(self, q: Query) -> tuple[str, list]:
        args: list = []
        # A plain join with fts lets the planner run one MATCH per cables row: keep MATCH in
        # a subquery so it runs once.
        sql = "SELECT c.rowid FROM cables c WHERE 1"
        if q.fts:
            sql += " AND c.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
            args.append(q.fts)
        by_facet: dict[str, list[str]] = defaultdict(list)
        for facet, value in q.include:
            by_facet[facet].append(value)
        for facet, values in by_facet.items():
            marks = ",".join("?" * len(values))
            if facet in FACET_KINDS:
                sql += f" AND c.rowid IN (SELECT rowid FROM doc_tags WHERE code IN ({marks}))"
            elif facet == "year":
                sql += f" AND c.year IN ({marks})"
            else:
                column = "origin" if facet == "origin" else "classification"
                sql += f" AND c.{column} IN ({marks})"
            args += values
        for facet, value in q.exclude:
            if facet in FACET_KINDS:
                sql += " AND c.rowid NOT IN (SELECT rowid FROM doc_tags WHERE code = ?)"
            else:
                column = {"year": "year", "origin": "origin"}.get(facet, "classification")
                sql += f" AND c.{column} != ?"
            args.append(value)
        if q.date_from:
            sql += " AND c.date >= ?"
            args.append(q.date_from)
        if q.date_to:
            sql += " AND c.date < date(?, '+1 day')"
            args.append(q.date_to)
        return sql, args

    def search(self, q: Query) -> BaselineResult:
        started = time.perf_counter()
        con = self.con
        con.execute("DROP TABLE IF EXISTS temp.m")
        sql, args = self._matches_sql(q)
        con.execute(f"CREATE TEMP TABLE m AS {sql}", args)
        total = con.execute("SELECT count(*) FROM temp.m").fetchone()[0]
        facets: dict[str, dict[str, int]] = defaultdict(dict)
        for kind, code, n in con.execute(
            "SELECT t.kind, t.code, count(*) FROM temp.m JOIN doc_tags t ON t.rowid = m.rowid "
            "GROUP BY t.kind, t.code"
        ):
            facets[kind][code] = n
        for column in ("origin", "classification", "year"):
            facets[column] = dict(
                con.execute(
                    f"SELECT c.{column}, count(*) FROM temp.m JOIN cables c ON c.rowid = m.rowid "
                    "GROUP BY 1"
                ).fetchall()
            )
        offset = (q.page - 1) * PAGE_SIZE
        if q.fts and q.sort == "relevance":
            # "+rowid": a rowid IN (...) the FTS5 table sees runs one MATCH per listed rowid.
            page = con.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ? AND +rowid IN (SELECT rowid FROM temp.m) "
                "ORDER BY bm25(fts, 2.0, 1.0) LIMIT ? OFFSET ?",
                (q.fts, PAGE_SIZE, offset),
            ).fetchall()
        else:
            order = "ASC" if q.sort == "oldest" else "DESC"
            page = con.execute(
                "SELECT c.rowid FROM temp.m JOIN cables c ON c.rowid = m.rowid "
                f"ORDER BY c.date {order} LIMIT ? OFFSET ?",
                (PAGE_SIZE, offset),
            ).fetchall()
        rowids = [r[0] for r in page]
        hits: list[tuple[str, str]] = []
        if rowids:
            marks = ",".join("?" * len(rowids))
            if q.fts:
                snippets = dict(
                    con.execute(
                        "SELECT rowid, snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts "
                        f"WHERE fts MATCH ? AND rowid IN ({marks})",
                        [q.fts, *rowids],
                    ).fetchall()
                )
            else:
                snippets = dict(
                    con.execute(
                        f"SELECT rowid, substr(body, 1, 200) FROM fts WHERE rowid IN ({marks})",
                        rowids,
                    ).fetchall()
                )
            rows = dict(
                con.execute(
                    f"SELECT rowid, id FROM cables WHERE rowid IN ({marks})", rowids
                ).fetchall()
            )
            hits = [(rows[r], snippets.get(r, "")) for r in rowids]
        return BaselineResult(total, hits, dict(facets), (time.perf_counter() - started) * 1000)
