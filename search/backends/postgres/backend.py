"""The PostgreSQL engine: the app's own database answers searches, no other service.

How a search runs (docs/scaling.md has the measurements behind each choice):
- the query tree compiles to one condition (compile.py): text, codes and ids in one tsquery
  answered by the GIN index, dates on the narrow facet table;
- facet counts and totals come from ``search_pg_facet`` (an ``integer[]`` per cable) joined to
  the matches: tsvectors are never read to count, and they live out of line (TOAST), so
  finding 100,000 matches reads narrow rows;
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

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

from search.backends.base import (
    BaseSearchBackend,
    Criteria,
    FacetCounts,
    FacetRequest,
    IndexDrift,
    Match,
    MatchRequest,
    Progress,
    TermSuggestion,
)
from search.backends.postgres import store
from search.backends.postgres.analysis import quote, terms
from search.backends.postgres.compile import Compiled, compile_query, unsearchable
from search.backends.postgres.highlight import Highlighter
from search.backends.postgres.store import FACET_SLOTS, SLOT_SHIFT, ValueIds
from search.documents import db_stamps, iter_documents
from search.exceptions import IndexUnavailable
from search.query import Node
from search.state import FACETS

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


@dataclass(frozen=True, slots=True)
class Plan:
    """Criteria compiled: the text condition and the filters, as SQL over ``f``/``d``."""

    compiled: Compiled
    filters: dict[str, tuple[str, tuple]]  # facet -> condition on f.vals, with parameters
    dates: tuple[str, tuple] | None  # the criteria's from/to, on f.day
    unsearchable: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()  # facets whose counts keep their own filter (Criteria.all_of)
    added: tuple[str, tuple] | None = None  # the criteria's added_from/to, on f.n

    @property
    def plain(self) -> bool:
        """Every cable: no text condition, no filter."""
        return (
            self.compiled.where is None
            and self.dates is None
            and self.added is None
            and not self.filters
        )

    @property
    def source(self) -> str:
        """FROM clause: the facet table, and the documents only when the text needs them."""
        if self.compiled.needs_doc:
            return "search_pg_facet f JOIN search_pg_doc d ON d.n = f.n"
        return "search_pg_facet f"

    def where(self, skip: str | None = None, *, alias: str = "f", text: bool = True):
        """(SQL, params): the text condition (``text``), the dates and every facet filter but
        ``skip``'s; ``alias`` names the relation holding vals and day."""
        parts: list[str] = []
        params: list = []
        if text and self.compiled.where is not None:
            parts.append(self.compiled.where.text)
            params.extend(self.compiled.where.params)
        conditions = [c for c in (self.dates, self.added) if c is not None]
        conditions += [c for facet, c in self.filters.items() if facet != skip]
        for sql, ps in conditions:
            parts.append(sql.replace("f.", f"{alias}."))
            params.extend(ps)
        return (" AND ".join(f"({p})" for p in parts) or "TRUE"), params


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

    def __init__(self, options: dict | None = None) -> None:
        super().__init__(options)
        self.rank_candidates = int(self.options.get("RANK_CANDIDATES", RANK_CANDIDATES))
        self._values = ValueIds()
        self._lock = threading.Lock()
        self._library: dict = {}  # {generation: facet counts of every cable}

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
    def _meta(cursor) -> tuple[int, bool]:
        try:
            # A savepoint: a missing table must not break the caller's transaction.
            with transaction.atomic():
                cursor.execute(
                    "SELECT max(value) FILTER (WHERE key = 'generation'), "
                    "max(value) FILTER (WHERE key = 'built') FROM search_pg_meta"
                )
                generation, built = cursor.fetchone()
        except DatabaseError as exc:
            raise IndexUnavailable(
                "The PostgreSQL search tables are missing. Run: manage.py migrate"
            ) from exc
        return int(generation or 0), bool(built)

    def _ready(self, cursor) -> int:
        """The generation; IndexUnavailable when the index was never built over stored cables."""
        generation, built = self._meta(cursor)
        if not built:
            from cables.models import Cable

            if Cable.objects.exists():
                raise IndexUnavailable(
                    "The search index has not been built. Run: manage.py rebuild_index"
                )
        return generation

    def generation(self) -> int:
        with self._cursor() as cursor:
            return self._ready(cursor)

    @contextmanager
    def _reading(self):
        """A cursor for one search, in its own transaction with sequential scans off.

        Why: the documents' heap is tiny (the tsvectors live in TOAST), so the planner finds a
        sequential scan with ``tsv @@ query`` cheaper than the GIN index, not knowing that
        every row's tsvector must then be fetched and decompressed (600 ms instead of 35 ms
        for a common word at 20,000 cables). ``SET LOCAL`` ends with the transaction.
        """
        with transaction.atomic(), self._cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            yield cursor

    # -- compiling --------------------------------------------------------------------------

    def plan(self, criteria: Criteria, cursor) -> Plan:
        compiled = compile_query(criteria.tree)
        wanted = [*criteria.include, *criteria.exclude]
        ids = self._values.lookup(cursor, wanted) if wanted else {}
        filters: dict[str, tuple[str, tuple]] = {}
        for facet in FACETS:
            include, exclude = criteria.values(facet), criteria.excluded_values(facet)
            parts, params = [], []
            if include and criteria.is_all_of(facet):
                known = [ids[(facet, v)] for v in include if (facet, v) in ids]
                # Every ticked value; one no cable has: nothing can hold them all.
                parts.append("f.vals @> %s::int[]" if len(known) == len(include) else "FALSE")
                if len(known) == len(include):
                    params.append(known)
            elif include:
                # Values no cable has match nothing: an empty array overlaps nothing.
                parts.append("f.vals && %s::int[]")
                params.append([ids[(facet, v)] for v in include if (facet, v) in ids])
            out = [ids[(facet, v)] for v in exclude if (facet, v) in ids]
            if out:
                parts.append("NOT (f.vals && %s::int[])")
                params.append(out)
            if parts:
                filters[facet] = (" AND ".join(parts), tuple(params))
        dates = None
        if criteria.date_from or criteria.date_to:
            lo = _day(criteria.date_from) if criteria.date_from else 10000101
            hi = _day(criteria.date_to) if criteria.date_to else 99991231
            dates = ("f.day BETWEEN %s AND %s", (lo, hi))
        return Plan(
            compiled,
            filters,
            dates,
            tuple(unsearchable(criteria.tree)),
            criteria.all_of,
            _added_condition(criteria),
        )

    # -- searching --------------------------------------------------------------------------

    def match(self, request: MatchRequest) -> Match:
        with self._reading() as cursor:
            generation = self._ready(cursor)
            plan = self.plan(request.criteria, cursor)
            total, facets = self._counts(cursor, generation, plan, request.facets)
            ranked: list[tuple[str, float]] = []
            if request.limit and request.offset < total:
                ranked = self._ordered(
                    cursor, plan, request.sort, request.offset, request.limit, total
                )
        return Match(
            ids=tuple(i for i, _ in ranked),
            scores=tuple(s for _, s in ranked),
            total=total,
            facets=facets,
            searched=plan.compiled.where is not None,
            unsearchable=plan.unsearchable,
            notes=_notes(request.criteria.tree),
        )

    def count(self, criteria: Criteria) -> int:
        with self._reading() as cursor:
            self._ready(cursor)
            plan = self.plan(criteria, cursor)
            where, params = plan.where()
            cursor.execute(f"SELECT count(*) FROM {plan.source} WHERE {where}", params)
            return int(cursor.fetchone()[0])

    def iter_ids(self, criteria: Criteria, sort: str, limit: int) -> Iterator[str]:
        with self._reading() as cursor:
            self._ready(cursor)
            plan = self.plan(criteria, cursor)
            ranked = self._ordered(cursor, plan, sort, 0, limit, None) if limit > 0 else []
        return iter([i for i, _ in ranked])

    # -- facet counts -----------------------------------------------------------------------

    def _counts(
        self, cursor, generation: int, plan: Plan, requests: tuple[FacetRequest, ...]
    ) -> tuple[int, dict[str, FacetCounts]]:
        """The total and each requested facet's counts, in one statement."""
        raw = self._raw_counts(cursor, generation, plan, [r.name for r in requests])
        total = raw.pop("", {}).get("", 0)
        every = [r.name for r in requests if r.every]
        library = self._raw_counts(cursor, generation, None, every) if every else {}
        out = {}
        for request in requests:
            counts = raw.get(request.name, {})
            if request.every:
                values = sorted(set(counts) | set(library.get(request.name, {})))
                pairs = [(v, counts.get(v, 0)) for v in values]
                has_more = False
            else:
                pairs = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))
                has_more = request.limit is not None and len(pairs) > request.limit
                if request.limit is not None:
                    pairs = pairs[: request.limit]
            seen = {v for v, _ in pairs}
            for value in request.pinned:
                if value not in seen:
                    pairs.append((value, counts.get(value, 0)))
                    seen.add(value)
            out[request.name] = FacetCounts(request.name, tuple(pairs), has_more)
        return total, out

    def _raw_counts(
        self, cursor, generation: int, plan: Plan | None, facets: list[str]
    ) -> dict[str, dict[str, int]]:
        """facet -> value -> count, and "" -> {"": total}. ``plan`` None: the whole library
        (cached per generation). The matches are read once; then one pass counts the facets
        without a filter of their own, and one pass each counts a filtered facet over the
        matches with every other filter (the disjunctive rule)."""
        if plan is None or plan.plain:
            with self._lock:
                cached = self._library.get(generation)
            if cached is None:
                everything = Plan(compile_query(None), {}, None)
                cached = self._query_counts(cursor, everything, list(FACET_SLOTS))
                with self._lock:
                    self._library = {generation: cached}
            return {k: v for k, v in cached.items() if k == "" or k in facets}
        return self._query_counts(cursor, plan, facets)

    def _query_counts(self, cursor, plan: Plan, facets: list[str]) -> dict[str, dict[str, int]]:
        text = plan.compiled.where
        params: list = list(text.params) if text is not None else []
        total_where, ps = plan.where(alias="m", text=False)
        branches = [f"SELECT -1, count(*) FROM m WHERE {total_where}"]
        params += ps
        # An all-of facet counts with its own filter (ticking a value narrows what is chosen).
        filtered = [f for f in facets if f in plan.filters and f not in plan.all_of]
        passes = [(None, [f for f in facets if f not in filtered])]
        passes += [(f, [f]) for f in filtered]
        for skip, wanted in passes:
            if not wanted:
                continue
            where, ps = plan.where(skip, alias="m", text=False)
            # unnest() in the select list (ProjectSet) runs ~2x faster than a lateral join.
            branches.append(
                f"SELECT v, count(*) FROM (SELECT unnest(m.vals) AS v FROM m WHERE {where}) u "
                f"WHERE v >> {SLOT_SHIFT} = ANY(%s::int[]) GROUP BY v"
            )
            params += [*ps, [FACET_SLOTS[f] for f in wanted]]
        sql = (
            f"WITH m AS MATERIALIZED (SELECT f.n, f.vals, f.day FROM {plan.source} "
            f"WHERE {text.text if text is not None else 'TRUE'}) " + " UNION ALL ".join(branches)
        )
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        names = self._values.names(cursor, [v for v, _ in rows if v >= 0])
        out: dict[str, dict[str, int]] = {"": {"": 0}}
        for v, c in rows:
            if v < 0:
                out[""][""] = int(c)
            elif v in names:
                facet, value = names[v]
                out.setdefault(facet, {})[value] = int(c)
        return out

    # -- order ------------------------------------------------------------------------------

    def _ordered(
        self, cursor, plan: Plan, sort: str, offset: int, limit: int, total: int | None
    ) -> list[tuple[str, float]]:
        """(id, score) of matches offset..offset+limit in ``sort`` order."""
        where, params = plan.where()
        if sort == "added":
            # Latest first import first; one import's cables newest first (Criteria docs).
            cursor.execute(
                f"SELECT f.n FROM {plan.source} JOIN search_pg_doc da ON da.n = f.n "
                f"LEFT JOIN {_cables_table()} ca ON ca.id = da.id WHERE {where} "
                "ORDER BY ca.first_imported DESC NULLS LAST, f.newest, f.n LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            ns = [n for (n,) in cursor.fetchall()]
            return [(cable_id, 0.0) for cable_id in self._ids_of(cursor, ns)]
        if sort != "relevance" or plan.compiled.rank is None:
            key = "f.oldest" if sort == "oldest" else "f.newest"
            cursor.execute(
                f"SELECT f.n FROM {plan.source} WHERE {where} ORDER BY {key}, f.n "
                "LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            ns = [n for (n,) in cursor.fetchall()]
            return [(cable_id, 0.0) for cable_id in self._ids_of(cursor, ns)]
        return self._ranked(cursor, plan, where, params, offset, limit)

    def _candidates(self, plan: Plan, where: str, params: list) -> tuple[str, list]:
        """CTEs ``m(n, newest)``, the matches, and ``c(n, newest)``, the cables relevance ranks
        (see the module docstring). ``m`` is materialised: otherwise the planner walks the
        date index and re-checks each cable's tsvector (read from TOAST) until it has enough."""
        n = self.rank_candidates
        parts = ["(SELECT n, newest FROM m ORDER BY newest, n LIMIT %s)"]
        ps: list = [*params, n]
        if plan.compiled.subject_rank is not None:
            # Subject lexemes carry no weight restriction: the GIN index answers them alone.
            parts.append(
                "(SELECT n, newest FROM m WHERE n IN "
                "(SELECT n FROM search_pg_doc WHERE tsv @@ %s::tsquery) "
                "ORDER BY newest, n LIMIT %s)"
            )
            ps += [plan.compiled.subject_rank, n]
        if plan.compiled.ids:
            parts.append(
                "(SELECT n, newest FROM m WHERE n IN "
                "(SELECT n FROM search_pg_doc WHERE id = ANY(%s::text[])))"
            )
            ps.append(list(plan.compiled.ids))
        return (
            f"m AS MATERIALIZED (SELECT f.n, f.newest FROM {plan.source} WHERE {where}), "
            "c AS (" + " UNION ".join(parts) + ")"
        ), ps

    def _ranked(self, cursor, plan: Plan, where: str, params: list, offset: int, limit: int):
        cte, ps = self._candidates(plan, where, params)
        named = list(plan.compiled.ids)
        cover = plan.compiled.cover
        proximity = "+ %s * ts_rank_cd(%s::float4[], d.tsv, %s::tsquery, %s) " if cover else ""
        cursor.execute(
            f"WITH {cte} "
            "SELECT d.id, ts_rank_cd(%s::float4[], d.tsv, %s::tsquery, %s) "
            f"{proximity}"
            "+ CASE WHEN d.id = ANY(%s::text[]) THEN %s ELSE 0 END AS r, "
            "count(*) OVER () "
            "FROM c JOIN search_pg_doc d ON d.n = c.n "
            "ORDER BY r DESC, c.newest, c.n LIMIT %s OFFSET %s",
            [
                *ps,
                RANK_WEIGHTS,
                plan.compiled.rank,
                RANK_NORMALIZATION,
                *((PROXIMITY_BOOST, RANK_WEIGHTS, cover, RANK_NORMALIZATION) if cover else ()),
                named,
                NAMED_BOOST,
                limit,
                offset,
            ],
        )
        rows = cursor.fetchall()
        out = [(cable_id, float(r)) for cable_id, r, _ in rows]
        if len(out) == limit:
            return out
        # Past the ranked candidates: every other match, newest first, unscored.
        if rows:
            ranked = rows[0][2]
        else:
            cursor.execute(f"WITH {cte} SELECT count(*) FROM c", ps)
            ranked = cursor.fetchone()[0]
        cursor.execute(
            f"WITH {cte} SELECT n FROM m WHERE n NOT IN (SELECT n FROM c) "
            "ORDER BY newest, n LIMIT %s OFFSET %s",
            [*ps, limit - len(out), max(0, offset - ranked)],
        )
        ns = [n for (n,) in cursor.fetchall()]
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
            _generation, built = self._meta(cursor)
            if built:
                return
            from cables.models import Cable

            if Cable.objects.exists():
                raise IndexUnavailable(
                    "The search index has not been built. Run: manage.py rebuild_index"
                )
            store.bump_generation(cursor, built=True)

    def index_cables(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with transaction.atomic(), self._cursor() as cursor:
            self._meta(cursor)
            seen: set[str] = set()
            docs = iter_documents(ids, chunk=WRITE_CHUNK)
            while True:
                chunk = [doc for _, doc in zip(range(WRITE_CHUNK), docs, strict=False)]
                if not chunk:
                    break
                written, _ = store.write(cursor, iter(chunk), self._values)
                seen |= written
            store.delete(cursor, sorted(set(ids) - seen))
            store.bump_generation(cursor, built=True)

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
            docs = iter_documents(None, chunk=WRITE_CHUNK)
            while True:
                chunk = [doc for _, doc in zip(range(WRITE_CHUNK), docs, strict=False)]
                if not chunk:
                    break
                _, n = store.write(cursor, iter(chunk), self._values)
                written += n
                if progress:
                    progress(n)
            store.bump_generation(cursor, built=True)
        with self._cursor() as cursor:
            cursor.execute("ANALYZE search_pg_doc")
            cursor.execute("ANALYZE search_pg_facet")
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

    def check(self) -> IndexDrift:
        stamps = db_stamps()
        with self._cursor() as cursor:
            _generation, built = self._meta(cursor)
            if not built:
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
        self._library = {}


def _cables_table() -> str:
    from cables.models import Cable

    return Cable._meta.db_table


def _added_condition(criteria: Criteria) -> tuple[str, tuple] | None:
    """Criteria.added_from/added_to as a condition on ``f.n``: only the library knows when a
    cable was first imported, and its index on first_imported finds a window's cables."""
    if criteria.added_from is None and criteria.added_to is None:
        return None
    parts, params = [], []
    if criteria.added_from is not None:
        parts.append("c2.first_imported > %s")
        params.append(criteria.added_from)
    if criteria.added_to is not None:
        parts.append("c2.first_imported <= %s")
        params.append(criteria.added_to)
    # Aliases d2/c2: Plan.where renames "f." for the counting CTE, so none may end in "f".
    return (
        f"f.n IN (SELECT d2.n FROM search_pg_doc d2 JOIN {_cables_table()} c2 "
        f"ON c2.id = d2.id WHERE {' AND '.join(parts)})",
        tuple(params),
    )


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
