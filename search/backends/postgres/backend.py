"""The PostgreSQL engine: the app's own database answers searches, no other service.

How a search runs (docs/scaling.md has the measurements behind each choice):
- the query tree compiles to one condition (compile.py): text, codes and ids in one tsquery
  answered by the GIN index; the statement returns the matching row numbers ``n`` only;
- facet filters, dates, counts and date orders are numpy work over ``LibraryArrays``
  (arrays.py: ``search_pg_facet`` read once per generation into each process), counted by
  ``search.backends.pairs`` as the Whoosh engine counts: a common word's 100,000 matches
  cost milliseconds to count, where SQL's ``unnest`` + ``GROUP BY`` cost about a second;
- relevance: ``ts_rank_cd`` over a bounded set of candidates, first of all the words every
  match holds taken together (the shortest stretches of text holding them all: typed words
  standing together rank first), then of each word (subject words weighted above paragraph
  words). The candidates: the newest RANK_CANDIDATES matches, the newest RANK_CANDIDATES
  whose subject holds a query word, and the cables the query names by id (first). Every other match follows,
  newest first. One fixed order, so pages and iter_ids agree;
- snippets and the cable page: ``highlight.Highlighter`` finds the words in Python, on the
  paragraphs of the cables shown, by the analysis the index was built with.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from django.db import DatabaseError, connection, transaction

from search.backends.base import (
    BaseSearchBackend,
    Criteria,
    IndexDrift,
    Match,
    MatchRequest,
    Progress,
    TermSuggestion,
)
from search.backends.pairs import facet_counts, facet_masks
from search.backends.postgres import store
from search.backends.postgres.analysis import quote, terms
from search.backends.postgres.arrays import LibraryArrays
from search.backends.postgres.compile import Compiled, compile_query, unsearchable
from search.backends.postgres.highlight import Highlighter
from search.backends.postgres.store import ValueIds
from search.documents import CableDocument, db_stamps, iter_documents
from search.exceptions import IndexUnavailable
from search.query import Node

log = logging.getLogger(__name__)

RANK_CANDIDATES = 500  # see the module docstring; option RANK_CANDIDATES
# ts_rank_cd weights for {D, C, B, A}: subject words (A) count ten times paragraph words (D).
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
NAMED_BOOST = 1000.0  # a cable the query names by id ranks first
# ts_rank_cd's normalization bit mask (0: none; 1, 2, 4... measured no better with the cover).
RANK_NORMALIZATION = 0
# Weight of the cover density of the words every match holds (compile._cover) against the
# words' own rank. Its values are ~0.1 where the words stand together and ~0.005 where they
# are pages apart, the words' own rank 5-80: at 1,000 the cover decides and the words break
# ties. bench/relevance.py, 300 cables: six remembered words MRR 0.458 (no cover), 0.660 (100),
# 0.874 (300), 0.962 (1,000), 0.961 (3,000); subject 0.937 -> 0.997.
PROXIMITY_BOOST = 1000.0
WRITE_CHUNK = 500  # cables per COPY


class Meta(NamedTuple):
    generation: int
    built: bool
    paired: bool  # every vector holds pair lexemes (built or rebuilt since they exist)


@dataclass(frozen=True, slots=True)
class Plan:
    """Criteria compiled: the text condition for SQL; the filters stay criteria, applied to
    the matches in numpy (arrays.LibraryArrays)."""

    compiled: Compiled
    criteria: Criteria
    unsearchable: tuple[str, ...] = ()

    @property
    def text_sql(self) -> tuple[str, list] | None:
        """(SELECT of the row numbers the text matches, params); None: every cable."""
        where = self.compiled.where
        if where is None:
            return None
        if "f." in where.text:  # dates in the query itself: the facet table holds the day
            source = "search_pg_facet f JOIN search_pg_doc d ON d.n = f.n"
            return f"SELECT array_agg(f.n) FROM {source} WHERE {where.text}", list(where.params)
        return f"SELECT array_agg(d.n) FROM search_pg_doc d WHERE {where.text}", list(where.params)


@dataclass(frozen=True, slots=True)
class Found:
    """What a search matched, as masks over the generation's row numbers."""

    base: np.ndarray  # the text, the dates and the added window
    masks: dict[str, np.ndarray]  # facet -> what its filter lets through
    final: np.ndarray

    def counted(self, facet: str, all_of: bool) -> np.ndarray:
        """The matches a facet's counts are over: every filter but its own (the disjunctive
        rule), or with its own for an all-of facet (ticking a value narrows the chosen)."""
        mask = self.base
        for other, m in self.masks.items():
            if other != facet or all_of:
                mask = mask & m
        return mask


def _chunks(ids: list[str] | None) -> Iterator[list[CableDocument]]:
    """The documents of these cables (every cable when None), WRITE_CHUNK at a time."""
    docs = iter_documents(ids, chunk=WRITE_CHUNK)
    while chunk := list(itertools.islice(docs, WRITE_CHUNK)):
        yield chunk


class PostgresBackend(BaseSearchBackend):
    supports_phrases = True
    supports_prefix = True
    supports_facets = True
    supports_disjunctive_facets = True
    supports_snippets = True
    supports_suggestions = True
    # Writers take row locks in id order inside one transaction each; imports also serialise
    # their batches (cables.ingest.importer._one_writer_at_a_time).
    supports_concurrent_writes = True
    supports_background_indexing = True  # a thread's own connection and transaction

    def __init__(self, options: dict | None = None) -> None:
        super().__init__(options)
        self.rank_candidates = int(self.options.get("RANK_CANDIDATES", RANK_CANDIDATES))
        self._values = ValueIds()
        self._lock = threading.Lock()
        self._library: LibraryArrays | None = None

    # -- the database -----------------------------------------------------------------------

    @staticmethod
    def _cursor():
        if connection.vendor != "postgresql":
            raise IndexUnavailable(
                "The PostgreSQL search engine needs a PostgreSQL database (DATABASE_URL); "
                "set CABLESEARCH_SEARCH_BACKEND to the Whoosh engine otherwise."
            )
        return connection.cursor()

    @staticmethod
    def _meta(cursor) -> Meta:
        try:
            # A savepoint: a missing table must not break the caller's transaction.
            with transaction.atomic():
                cursor.execute(
                    "SELECT max(value) FILTER (WHERE key = 'generation'), "
                    "max(value) FILTER (WHERE key = 'built'), "
                    "max(value) FILTER (WHERE key = 'pairs') FROM search_pg_meta"
                )
                generation, built, paired = cursor.fetchone()
        except DatabaseError as exc:
            raise IndexUnavailable(
                "The PostgreSQL search tables are missing. Run: manage.py migrate"
            ) from exc
        return Meta(int(generation or 0), bool(built), bool(paired))

    def _ready(self, cursor) -> Meta:
        """The index's state; IndexUnavailable when it was never built over stored cables."""
        meta = self._meta(cursor)
        if not meta.built:
            from cables.models import Cable

            if Cable.objects.exists():
                raise IndexUnavailable(
                    "The search index has not been built. Run: manage.py rebuild_index"
                )
        return meta

    def generation(self) -> int:
        with self._cursor() as cursor:
            return self._ready(cursor).generation

    @contextmanager
    def _reading(self):
        """A cursor for one search, in its own transaction with sequential scans off.

        Why: the documents' heap is tiny (the tsvectors live in TOAST), so the planner finds a
        sequential scan with ``tsv @@ query`` cheaper than the GIN index, not knowing that
        every row's tsvector must then be fetched and decompressed (600 ms instead of 35 ms
        for a common word at 20,000 cables). ``SET LOCAL`` ends with the transaction.
        Repeatable read: the generation, the arrays read for it and the matches all come
        from one snapshot (a replica serves it as well as the primary).
        """
        outermost = not connection.in_atomic_block  # else a caller's transaction has begun
        with transaction.atomic(), self._cursor() as cursor:
            if outermost:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SET LOCAL enable_seqscan = off")
            yield cursor

    def warm(self) -> None:
        """Read the current generation's arrays now, not in a first visitor's search."""
        with self._reading() as cursor:
            self._arrays(cursor, self._ready(cursor).generation)

    # -- compiling ------------------------------------------------------------------------

    @staticmethod
    def plan(criteria: Criteria, paired: bool = False) -> Plan:
        tree = criteria.tree
        return Plan(compile_query(tree, paired=paired), criteria, tuple(unsearchable(tree)))

    def _arrays(self, cursor, generation: int) -> LibraryArrays:
        """This generation's arrays, read once per process (readers wait for one reader)."""
        arrays = self._library
        if arrays is not None and arrays.generation == generation:
            return arrays
        with self._lock:
            arrays = self._library
            if arrays is None or arrays.generation != generation:
                arrays = self._library = LibraryArrays(generation, cursor, self._values)
        return arrays

    def _found(self, cursor, plan: Plan, arrays: LibraryArrays) -> Found:
        criteria = plan.criteria
        text = plan.text_sql
        if text is None:
            base = arrays.present
        else:
            cursor.execute(*text)
            base = arrays.mask(cursor.fetchone()[0])
        if criteria.date_from or criteria.date_to:
            lo = _day(criteria.date_from) if criteria.date_from else 10000101
            hi = _day(criteria.date_to) if criteria.date_to else 99991231
            base = base & (arrays.day >= lo) & (arrays.day <= hi)
        if criteria.added_from is not None or criteria.added_to is not None:
            base = base & arrays.mask(_added(cursor, criteria))
        masks = facet_masks(arrays.facets, criteria, arrays.size)
        final = base
        for mask in masks.values():
            final = final & mask
        return Found(base, masks, final)

    # -- searching --------------------------------------------------------------------------

    def match(self, request: MatchRequest) -> Match:
        criteria = request.criteria
        with self._reading() as cursor:
            meta = self._ready(cursor)
            plan = self.plan(criteria, meta.paired)
            arrays = self._arrays(cursor, meta.generation)
            found = self._found(cursor, plan, arrays)
            total = int(np.count_nonzero(found.final))
            facets = {}
            for facet in request.facets:
                counts = arrays.facets[facet.name]
                mask = found.counted(facet.name, criteria.is_all_of(facet.name))
                facets[facet.name] = facet_counts(counts, counts.counts(mask), facet)
            ranked: list[tuple[str, float]] = []
            if request.limit and request.offset < total:
                ranked = self._ordered(
                    cursor, plan, arrays, found.final, request.sort, request.offset, request.limit
                )
        return Match(
            ids=tuple(i for i, _ in ranked),
            scores=tuple(s for _, s in ranked),
            total=total,
            facets=facets,
            searched=plan.compiled.where is not None,
            unsearchable=plan.unsearchable,
            notes=_notes(criteria.tree),
        )

    def count(self, criteria: Criteria) -> int:
        with self._reading() as cursor:
            meta = self._ready(cursor)
            arrays = self._arrays(cursor, meta.generation)
            plan = self.plan(criteria, meta.paired)
            return int(np.count_nonzero(self._found(cursor, plan, arrays).final))

    def iter_ids(self, criteria: Criteria, sort: str, limit: int) -> Iterator[str]:
        if limit <= 0:
            return iter(())
        with self._reading() as cursor:
            meta = self._ready(cursor)
            arrays = self._arrays(cursor, meta.generation)
            plan = self.plan(criteria, meta.paired)
            found = self._found(cursor, plan, arrays)
            ranked = self._ordered(cursor, plan, arrays, found.final, sort, 0, limit)
        return iter([i for i, _ in ranked])

    # -- order ------------------------------------------------------------------------------

    def _ordered(
        self,
        cursor,
        plan: Plan,
        arrays: LibraryArrays,
        final: np.ndarray,
        sort: str,
        offset: int,
        limit: int,
    ) -> list[tuple[str, float]]:
        """(id, score) of matches offset..offset+limit in ``sort`` order."""
        if sort == "added":
            # Latest first import first; one import's cables newest first (Criteria docs).
            cursor.execute(
                "SELECT f.n FROM search_pg_facet f JOIN search_pg_doc da ON da.n = f.n "
                f"LEFT JOIN {_cables_table()} ca ON ca.id = da.id WHERE f.n = ANY(%s::int[]) "
                "ORDER BY ca.first_imported DESC NULLS LAST, f.newest, f.n LIMIT %s OFFSET %s",
                [np.flatnonzero(final).tolist(), limit, offset],
            )
            ns = [n for (n,) in cursor.fetchall()]
            return [(cable_id, 0.0) for cable_id in self._ids_of(cursor, ns)]
        if sort != "relevance" or plan.compiled.rank is None:
            ns = arrays.in_order(final, sort)[offset : offset + limit].tolist()
            return [(cable_id, 0.0) for cable_id in self._ids_of(cursor, ns)]
        return self._ranked(cursor, plan, arrays, final, offset, limit)

    def _candidates(self, cursor, plan: Plan, arrays: LibraryArrays, final: np.ndarray):
        """(every match newest first, the row numbers relevance ranks: see the module
        docstring)."""
        n = self.rank_candidates
        newest = arrays.in_order(final)
        parts = [newest[:n]]
        if plan.compiled.subject_rank is not None:
            # Subject lexemes carry no weight restriction: the GIN index answers them alone.
            cursor.execute(
                "SELECT array_agg(n) FROM search_pg_doc WHERE tsv @@ %s::tsquery",
                [plan.compiled.subject_rank],
            )
            parts.append(arrays.in_order(final & arrays.mask(cursor.fetchone()[0]))[:n])
        if plan.compiled.ids:
            cursor.execute(
                "SELECT array_agg(n) FROM search_pg_doc WHERE id = ANY(%s::text[])",
                [list(plan.compiled.ids)],
            )
            parts.append(np.flatnonzero(final & arrays.mask(cursor.fetchone()[0])))
        return newest, np.unique(np.concatenate(parts))

    def _ranked(
        self, cursor, plan: Plan, arrays: LibraryArrays, final: np.ndarray, offset: int, limit: int
    ) -> list[tuple[str, float]]:
        newest, candidates = self._candidates(cursor, plan, arrays, final)
        cover = plan.compiled.cover
        proximity = "+ %s * ts_rank_cd(%s::float4[], d.tsv, %s::tsquery, %s) " if cover else ""
        cursor.execute(
            "SELECT d.n, d.id, ts_rank_cd(%s::float4[], d.tsv, %s::tsquery, %s) "
            f"{proximity}"
            "+ CASE WHEN d.id = ANY(%s::text[]) THEN %s ELSE 0 END "
            "FROM search_pg_doc d WHERE d.n = ANY(%s::int[])",
            [
                RANK_WEIGHTS,
                plan.compiled.rank,
                RANK_NORMALIZATION,
                *((PROXIMITY_BOOST, RANK_WEIGHTS, cover, RANK_NORMALIZATION) if cover else ()),
                list(plan.compiled.ids),
                NAMED_BOOST,
                candidates.tolist(),
            ],
        )
        rank = arrays.newest_rank
        # Best first; ties newest first (then by row number: newest_rank holds both).
        rows = sorted(cursor.fetchall(), key=lambda row: (-row[2], rank[row[0]]))
        out = [(cable_id, float(r)) for _, cable_id, r in rows[offset : offset + limit]]
        if len(out) == limit:
            return out
        # Past the ranked candidates: every other match, newest first, unscored.
        rest = newest[~np.isin(newest, candidates)]
        start = max(0, offset - len(rows))
        ns = rest[start : start + limit - len(out)].tolist()
        return out + [(cable_id, 0.0) for cable_id in self._ids_of(cursor, ns)]

    @staticmethod
    def _ids_of(cursor, ns: list[int]) -> list[str]:
        if not ns:
            return []
        cursor.execute("SELECT n, id FROM search_pg_doc WHERE n = ANY(%s::int[])", [ns])
        by_n = dict(cursor.fetchall())
        return [by_n[n] for n in ns if n in by_n]

    # -- words ------------------------------------------------------------------------------

    def highlighter(self, tree: Node | None) -> Highlighter:
        return Highlighter(tree)

    def suggest(self, words: Sequence[str]) -> dict[str, TermSuggestion]:
        out: dict[str, TermSuggestion] = {}
        with self._reading() as cursor:
            self._ready(cursor)
            for word in words:
                if len(terms(word)) != 1:
                    continue
                found = self._closest(cursor, word.lower())
                if found is not None:
                    out[word] = TermSuggestion(
                        word, self._frequency(cursor, word), found[0], found[1]
                    )
        return out

    @staticmethod
    def _frequency(cursor, word: str) -> int:
        """Cables whose subject or paragraphs hold the word (stemmed as the index is)."""
        stems = terms(word)
        if len(stems) != 1:
            return 0
        cursor.execute(
            "SELECT count(*) FROM search_pg_doc WHERE tsv @@ %s::tsquery", [quote(stems[0])]
        )
        return int(cursor.fetchone()[0])

    def _closest(self, cursor, word: str) -> tuple[str, int] | None:
        """The vocabulary word one edit away (else two) most cables hold, with how many; the
        first letter kept, as the Whoosh engine's corrector keeps it."""
        from search.backends.postgres.schema import has_trigrams

        if has_trigrams(cursor):
            cursor.execute(
                "SELECT word FROM search_pg_word WHERE word %% %s AND left(word, 1) = %s "
                "AND abs(length(word) - %s) <= 2 "
                "ORDER BY similarity(word, %s) DESC, word LIMIT 200",
                [word, word[:1], len(word), word],
            )
        else:
            cursor.execute(
                "SELECT word FROM search_pg_word WHERE left(word, 1) = %s "
                "AND abs(length(word) - %s) <= 2",
                [word[:1], len(word)],
            )
        candidates = sorted(w for (w,) in cursor.fetchall() if w != word)
        for distance in (1, 2):
            near = [w for w in candidates if _edits(word, w) == distance]
            if near:
                scored = [(w, self._frequency(cursor, w)) for w in near[:20]]
                return max(scored, key=lambda wf: wf[1])
        return None

    # -- keeping the index in step ----------------------------------------------------------

    def prepare(self) -> None:
        with self._cursor() as cursor:
            if self._meta(cursor).built:
                return
            from cables.models import Cable

            if Cable.objects.exists():
                raise IndexUnavailable(
                    "The search index has not been built. Run: manage.py rebuild_index"
                )
            store.bump_generation(cursor, built=True)
            store.mark_paired(cursor)  # the library is empty: every vector will hold pairs

    def index_cables(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with transaction.atomic(), self._cursor() as cursor:
            self._meta(cursor)
            seen: set[str] = set()
            for written, _ in store.write_chunks(cursor, _chunks(ids), self._values):
                seen |= written
            store.delete(cursor, sorted(set(ids) - seen))
            store.bump_generation(cursor, built=True)

    def wait_for_indexing(self) -> None:
        imported = self._later is not None  # only the importing thread starts or waits
        super().wait_for_indexing()
        if imported:
            self._tidy()

    def _tidy(self) -> None:
        # After an import or a rebuild: up to gin_pending_list_limit (16 MB) of unsorted index
        # entries are left for every search to scan, and the planner's statistics predate
        # the new rows. Merged and refreshed once, here, instead of by autovacuum later.
        # Only an optimisation: a role that may not do it (not the tables' owner) leaves the
        # merge to autovacuum, and the import or rebuild still succeeds.
        try:
            with self._cursor() as cursor:
                cursor.execute("SELECT gin_clean_pending_list('search_pg_doc_tsv'::regclass)")
                cursor.execute("ANALYZE search_pg_doc")
                cursor.execute("ANALYZE search_pg_facet")
        except DatabaseError as exc:
            log.warning("could not merge the index's pending entries after writing: %s", exc)

    def delete_cables(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with transaction.atomic(), self._cursor() as cursor:
            self._meta(cursor)
            store.delete(cursor, ids)
            store.bump_generation(cursor)

    def rebuild(
        self, progress: Progress | None = None, total: Callable[[int], None] | None = None
    ) -> int:
        from cables.models import Cable

        count = Cable.objects.count()
        if total:
            total(count)
        written = 0
        # One transaction: searches read the old index until the new one commits.
        with transaction.atomic(), self._cursor() as cursor:
            self._meta(cursor)
            cursor.execute("DELETE FROM search_pg_doc")
            cursor.execute("DELETE FROM search_pg_word")
            for _, n in store.write_chunks(cursor, _chunks(None), self._values):
                written += n
                if progress:
                    progress(n)
            store.bump_generation(cursor, built=True)
            store.mark_paired(cursor)
        self._tidy()
        drift = self.check()
        if not drift.ok:
            self.repair(drift)
        return written

    def clear(self) -> None:
        with transaction.atomic(), self._cursor() as cursor:
            self._meta(cursor)
            cursor.execute("DELETE FROM search_pg_doc")
            cursor.execute("DELETE FROM search_pg_word")
            store.bump_generation(cursor, built=True)
            store.mark_paired(cursor)

    def check(self) -> IndexDrift:
        stamps = db_stamps()
        with self._cursor() as cursor:
            meta = self._meta(cursor)
            if not meta.built:
                return IndexDrift(
                    missing=tuple(sorted(stamps)),
                    total_db=len(stamps),
                    notes=("the index has not been built",),
                )
            cursor.execute("SELECT id, stamp FROM search_pg_doc")
            indexed = dict(cursor.fetchall())
            cursor.execute(
                "SELECT count(*) FROM search_pg_doc d "
                "WHERE NOT EXISTS (SELECT 1 FROM search_pg_facet f WHERE f.n = d.n)"
            )
            no_facets = cursor.fetchone()[0]
        missing = sorted(set(stamps) - set(indexed))
        unknown = sorted(set(indexed) - set(stamps))
        stale = sorted(i for i in set(stamps) & set(indexed) if stamps[i] != indexed[i])
        notes = (f"{no_facets} indexed cables without facet rows",) if no_facets else ()
        if not meta.paired:
            notes += (
                "built before pair lexemes: phrases re-read every candidate's vector (slow); "
                "manage.py rebuild_index adds them",
            )
        if no_facets:
            with self._cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM search_pg_doc d "
                    "WHERE NOT EXISTS (SELECT 1 FROM search_pg_facet f WHERE f.n = d.n)"
                )
                stale = sorted({*stale, *(i for (i,) in cursor.fetchall() if i in stamps)})
        return IndexDrift(
            missing=tuple(missing),
            stale=tuple(stale),
            unknown=tuple(unknown),
            total_db=len(stamps),
            total_index=len(indexed),
            notes=notes,
        )

    def close(self) -> None:
        self._values.clear()
        self._library = None


def _cables_table() -> str:
    from cables.models import Cable

    return Cable._meta.db_table


def _added(cursor, criteria: Criteria) -> list[int] | None:
    """Row numbers of the cables first imported within Criteria.added_from/added_to: only the
    library knows when, and its index on first_imported finds a window's cables."""
    parts, params = [], []
    if criteria.added_from is not None:
        parts.append("c.first_imported > %s")
        params.append(criteria.added_from)
    if criteria.added_to is not None:
        parts.append("c.first_imported <= %s")
        params.append(criteria.added_to)
    cursor.execute(
        f"SELECT array_agg(d.n) FROM search_pg_doc d JOIN {_cables_table()} c ON c.id = d.id "
        f"WHERE {' AND '.join(parts)}",
        params,
    )
    return cursor.fetchone()[0]


def _day(d) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (small words: plain dynamic programming)."""
    if abs(len(a) - len(b)) > 2:
        return 3
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _notes(tree) -> tuple[str, ...]:
    """What this engine reads differently from the query language (said, not silent)."""
    from search.query import Near, marking_of

    out = []
    if marking_of(tree) is not None:
        out.append(
            "marking: finds cables with such paragraphs; the words may stand in any paragraph"
        )

    def walk(node) -> None:
        if isinstance(node, Near) and len(node.text.split()) > 2:
            out.append(f'"{node.text}"~{node.slop} reads as all of its words')
        for child in getattr(node, "children", ()):
            walk(child)
        if hasattr(node, "child"):
            walk(node.child)

    walk(tree)
    return tuple(dict.fromkeys(out))
