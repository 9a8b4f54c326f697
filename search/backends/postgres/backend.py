"""The PostgreSQL engine: the app's own database answers searches, no other service.

How a search runs (docs/scaling.md has the measurements behind each choice):
- the query tree compiles to one condition (compile.py): text, codes and ids in one tsquery
  answered by the GIN index, dates on the narrow facet table;
- facet counts and totals come from ``search_pg_facet`` (an ``integer[]`` per cable) joined to
  the matches: the tsvectors are never read to count, and they live out of line (TOAST), so
  finding 100,000 matches reads narrow rows;
- relevance ranks at most RANK_CANDIDATES matches (the newest) with ``ts_rank_cd``, subject
  words weighted above paragraph words; a cable the query names by id comes first;
- the page's text (snippets, subjects) comes from the cables tables, as for every engine.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

from search.backends.base import BaseSearchBackend, IndexDrift, Progress
from search.backends.postgres import store
from search.backends.postgres.analysis import terms
from search.backends.postgres.compile import Compiled, compile_query, unsearchable
from search.backends.postgres.store import FACET_SLOTS, SLOT_SHIFT, ValueIds
from search.documents import db_stamps, iter_documents
from search.exceptions import IndexUnavailable
from search.query import parse
from search.state import FACETS, SearchState

log = logging.getLogger(__name__)

RANK_CANDIDATES = 1000  # matches ts_rank_cd reads (newest first) when a query finds more
# ts_rank_cd weights for {D, C, B, A}: subject words (A) count ten times paragraph words (D).
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
WRITE_CHUNK = 500  # cables per COPY


@dataclass(frozen=True, slots=True)
class Match:
    """A compiled search: the text query and the state's filters, ready to run."""

    compiled: Compiled
    filters: dict[str, tuple[str, tuple]]  # facet -> SQL condition on f, with parameters
    dates: tuple[str, tuple] | None  # the state's from/to, on f.day
    notes: tuple[str, ...] = ()

    def where(self, skip: str | None = None, *, text: bool = True) -> tuple[str, list]:
        parts: list[str] = []
        params: list = []
        if text and self.compiled.where is not None:
            parts.append(self.compiled.where.text)
            params.extend(self.compiled.where.params)
        if self.dates is not None:
            parts.append(self.dates[0])
            params.extend(self.dates[1])
        for facet, (sql, ps) in self.filters.items():
            if facet != skip:
                parts.append(sql)
                params.extend(ps)
        return (" AND ".join(f"({p})" for p in parts) or "TRUE"), params


class PostgresBackend(BaseSearchBackend):
    supports_phrases = True
    supports_prefix = True
    supports_facets = True
    supports_disjunctive_facets = True
    supports_snippets = True
    supports_suggestions = True
    supports_concurrent_writes = True

    def __init__(self, options: dict | None = None) -> None:
        super().__init__(options)
        self.rank_candidates = int(self.options.get("RANK_CANDIDATES", RANK_CANDIDATES))
        self._values = ValueIds()
        self._lock = threading.Lock()
        self._browse: dict[int, dict] = {}  # generation -> facet counts of the whole library

    # -- the database -----------------------------------------------------------------------

    @staticmethod
    def _cursor():
        if connection.vendor != "postgresql":
            raise IndexUnavailable(
                "The PostgreSQL search engine needs a PostgreSQL database (DATABASE_URL); "
                "set CABLESEARCH_SEARCH_BACKEND to the Whoosh engine otherwise."
            )
        return connection.cursor()

    def generation(self) -> int:
        """Changes whenever the index does (any write, a rebuild): keys result caches."""
        with self._cursor() as cursor:
            return self._meta(cursor)[0]

    @staticmethod
    def _meta(cursor) -> tuple[int, bool]:
        try:
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
        generation, built = self._meta(cursor)
        if not built:
            from cables.models import Cable

            if Cable.objects.exists():
                raise IndexUnavailable(
                    "The search index has not been built. Run: manage.py rebuild_index"
                )
        return generation

    # -- compiling a state ------------------------------------------------------------------

    def compile(self, state: SearchState, cursor=None) -> Match:
        parsed = parse(state.q)
        compiled = compile_query(parsed.tree)
        notes = []
        ignored = unsearchable(parsed.tree)
        if ignored:
            notes.append(f"ignored {', '.join(repr(w) for w in ignored)}: no searchable word")
        filters: dict[str, tuple[str, tuple]] = {}
        wanted = [
            (facet, value)
            for facet in FACETS
            for value in (*state.values(facet), *state.excluded_values(facet))
        ]
        if wanted:
            if cursor is None:
                with self._cursor() as c:
                    ids = self._values.lookup(c, wanted)
            else:
                ids = self._values.lookup(cursor, wanted)
        else:
            ids = {}
        for facet in FACETS:
            include, exclude = state.values(facet), state.excluded_values(facet)
            if not include and not exclude:
                continue
            parts, params = [], []
            if include:
                # A value no cable has matches nothing; its facet still narrows to nothing.
                parts.append("f.vals && %s::int[]")
                params.append([ids[(facet, v)] for v in include if (facet, v) in ids])
            out = [ids[(facet, v)] for v in exclude if (facet, v) in ids]
            if out:
                parts.append("NOT (f.vals && %s::int[])")
                params.append(out)
            if parts:
                filters[facet] = (" AND ".join(parts), tuple(params))
        dates = None
        if state.date_from or state.date_to:
            lo = _day(state.date_from) if state.date_from else 10000101
            hi = _day(state.date_to) if state.date_to else 99991231
            dates = ("f.day BETWEEN %s AND %s", (lo, hi))
        return Match(compiled, filters, dates, tuple(notes))

    @staticmethod
    def _source(match: Match) -> str:
        """FROM clause: the facet table, and the documents only when the text needs them."""
        if match.compiled.needs_doc:
            return "search_pg_facet f JOIN search_pg_doc d ON d.n = f.n"
        return "search_pg_facet f"

    # -- searching primitives ---------------------------------------------------------------

    def count(self, match: Match) -> int:
        with self._cursor() as cursor:
            self._ready(cursor)
            where, params = match.where()
            cursor.execute(f"SELECT count(*) FROM {self._source(match)} WHERE {where}", params)
            return int(cursor.fetchone()[0])

    def facet_counts(
        self, match: Match, facets: Iterable[str] = FACETS
    ) -> tuple[int, dict[str, dict[str, int]]]:
        """(total, facet -> value -> count) under disjunctive rules: each facet's counts
        apply every filter but its own. One statement: one pass over the matches for the
        facets without a selection, one more per facet with one."""
        facets = [f for f in facets if f in FACET_SLOTS]
        with self._cursor() as cursor:
            generation = self._ready(cursor)
            plain = match.compiled.where is None and match.dates is None and not match.filters
            if plain:
                cached = self._browse.get(generation)
                if cached is not None:
                    return cached["total"], {f: dict(cached["facets"][f]) for f in facets}
            # The matches once (text query only), then each pass filters them.
            base_where = match.compiled.where
            cte_where = base_where.text if base_where is not None else "TRUE"
            cte_params = list(base_where.params) if base_where is not None else []
            branches: list[str] = []
            params: list = [*cte_params]
            selected = [f for f in facets if f in match.filters]
            passes: list[tuple[str | None, list[str]]] = [
                (None, [f for f in facets if f not in match.filters])
            ]
            passes += [(f, [f]) for f in selected]
            total_where, total_params = self._pass_where(match, None)
            branches.append(f"SELECT -1 AS v, count(*) AS c FROM m WHERE {total_where}")
            params.extend(total_params)
            for skip, wanted in passes:
                if not wanted:
                    continue
                where, ps = self._pass_where(match, skip)
                slots = [FACET_SLOTS[f] for f in wanted]
                branches.append(
                    f"SELECT v, count(*) FROM m, unnest(m.vals) AS v WHERE {where} "
                    f"AND (v >> {SLOT_SHIFT}) = ANY(%s::int[]) GROUP BY v"
                )
                params.extend([*ps, slots])
            source = self._source(match)
            sql = (
                f"WITH m AS MATERIALIZED (SELECT f.vals, f.day FROM {source} WHERE {cte_where}) "
                + " UNION ALL ".join(branches)
            )
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            names = self._values.names(cursor, [v for v, _ in rows if v >= 0])
        total = 0
        out: dict[str, dict[str, int]] = {f: {} for f in facets}
        for v, c in rows:
            if v < 0:
                total = int(c)
                continue
            facet, value = names[v]
            out[facet][value] = int(c)
        if plain:
            with self._lock:
                self._browse = {generation: {"total": total, "facets": out}}
            out = {f: dict(out[f]) for f in facets}
        return total, out

    def library_years(self) -> list[str]:
        _, counts = self.facet_counts(self.compile(SearchState()), ["year"])
        return sorted(counts["year"])

    @staticmethod
    def _pass_where(match: Match, skip: str | None) -> tuple[str, list]:
        """Conditions on the materialised matches ``m`` (columns vals, day) for one pass."""
        parts: list[str] = []
        params: list = []
        if match.dates is not None:
            parts.append(match.dates[0].replace("f.", "m."))
            params.extend(match.dates[1])
        for facet, (sql, ps) in match.filters.items():
            if facet != skip:
                parts.append(sql.replace("f.", "m."))
                params.extend(ps)
        return (" AND ".join(f"({p})" for p in parts) or "TRUE"), params

    def ordered_ids(
        self, match: Match, sort: str, offset: int, limit: int
    ) -> list[tuple[str, float]]:
        """(id, score) of matches offset..offset+limit in ``sort`` order. Relevance needs
        words to rank by (callers fall back to newest without them)."""
        if limit <= 0:
            return []
        where, params = match.where()
        source = self._source(match)
        with self._cursor() as cursor:
            self._ready(cursor)
            if sort == "relevance" and match.compiled.rank is not None:
                return self._ranked(cursor, match, source, where, params, offset, limit)
            key = "f.oldest" if sort == "oldest" else "f.newest"
            cursor.execute(
                f"SELECT f.n FROM {source} WHERE {where} ORDER BY {key}, f.n "
                "LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            ns = [n for (n,) in cursor.fetchall()]
            return [(cable_id, 0.0) for cable_id in self._ids_of(cursor, ns)]

    def _ranked(self, cursor, match, source, where, params, offset, limit):
        candidates = max(self.rank_candidates, offset + limit)
        named = list(match.compiled.ids)
        # The newest matches are the candidates; a cable named by id joins them wherever it is.
        sql = (
            f"WITH c AS (SELECT f.n, f.newest FROM {source} WHERE {where} "
            "ORDER BY f.newest, f.n LIMIT %s) "
        )
        ps: list = [*params, candidates]
        if named:
            sql += (
                f", x AS (SELECT f.n, f.newest FROM {source} WHERE ({where}) "
                "AND f.n IN (SELECT n FROM search_pg_doc WHERE id = ANY(%s::text[]))) "
                ", u AS (SELECT * FROM c UNION SELECT * FROM x) "
            )
            ps += [*params, named]
        else:
            sql += ", u AS (SELECT * FROM c) "
        sql += (
            "SELECT d.id, ts_rank_cd(%s::float4[], d.tsv, %s::tsquery) AS r "
            "FROM u JOIN search_pg_doc d ON d.n = u.n "
            "ORDER BY (d.id = ANY(%s::text[])) DESC, r DESC, u.newest, u.n LIMIT %s OFFSET %s"
        )
        ps += [RANK_WEIGHTS, match.compiled.rank, named, limit, offset]
        cursor.execute(sql, ps)
        return [(cable_id, float(r)) for cable_id, r in cursor.fetchall()]

    @staticmethod
    def _ids_of(cursor, ns: list[int]) -> list[str]:
        if not ns:
            return []
        cursor.execute("SELECT n, id FROM search_pg_doc WHERE n = ANY(%s::int[])", [ns])
        by_n = dict(cursor.fetchall())
        return [by_n[n] for n in ns if n in by_n]

    def doc_frequency(self, text: str) -> int:
        """Cables whose subject or paragraphs hold this word (stemmed as the index is)."""
        stems = terms(text)
        if len(stems) != 1:
            return 0
        from search.backends.postgres.analysis import quote

        with self._cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM search_pg_doc WHERE tsv @@ %s::tsquery", [quote(stems[0])]
            )
            return int(cursor.fetchone()[0])

    def closest_word(self, word: str) -> tuple[str, int] | None:
        """The vocabulary word one edit away (else two) that most cables hold, with how many;
        the first letter is kept (as the Whoosh engine's corrector does)."""
        from search.backends.postgres.schema import has_trigrams

        word = word.lower()
        with self._cursor() as cursor:
            if has_trigrams(cursor):
                cursor.execute(
                    "SELECT word FROM search_pg_word WHERE word %% %s AND left(word, 1) = %s "
                    "AND abs(length(word) - %s) <= 2 ORDER BY similarity(word, %s) DESC LIMIT 200",
                    [word, word[:1], len(word), word],
                )
            else:
                cursor.execute(
                    "SELECT word FROM search_pg_word WHERE left(word, 1) = %s "
                    "AND abs(length(word) - %s) <= 2",
                    [word[:1], len(word)],
                )
            candidates = [w for (w,) in cursor.fetchall() if w != word]
        for distance in (1, 2):
            near = [w for w in candidates if _edits(word, w) == distance]
            if near:
                scored = [(w, self.doc_frequency(w)) for w in near[:20]]
                return max(scored, key=lambda wf: (wf[1], -ord(wf[0][-1])))
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
        self._browse = {}


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


# -- provisional page assembly: replaced by search/pages.py when the engine interface lands -----


def _provisional_search(backend: PostgresBackend, state: SearchState, page_size: int):
    import math
    import time

    from search import hydrate
    from search.backends.whoosh.highlight import Matcher, snippets
    from search.query import positive_words
    from search.results import Facet, FacetValue, Hit, SearchResults
    from search.state import FACET_LABELS

    started = time.perf_counter()
    match = backend.compile(state)
    total, counts = backend.facet_counts(match)
    pages = max(1, math.ceil(total / page_size))
    page = min(state.page, pages)
    sort = state.sort if match.compiled.rank is not None or state.sort != "relevance" else "newest"
    ranked = backend.ordered_ids(match, sort, (page - 1) * page_size, page_size)
    ids = [i for i, _ in ranked]
    rows = hydrate.cable_rows(ids)
    parsed = parse(state.q)
    matcher = Matcher(positive_words(parsed.tree))
    paras = hydrate.paragraphs_of(ids) if matcher else {}
    hits = tuple(
        Hit(
            id=i,
            subject=rows[i]["subject"],
            date=rows[i]["date"],
            origin=rows[i]["origin"],
            classification=rows[i]["classification"],
            tags=tuple(rows[i]["tags"]),
            snippets=snippets(matcher, rows[i]["subject"], paras.get(i, [])),
            score=score,
        )
        for i, score in ranked
        if i in rows
    )
    facets = {}
    for facet in FACETS:
        facets[facet] = _facet(backend, state, facet, counts[facet], 15, "")
    understood = parsed.understood
    for note in match.notes:
        understood += f" ({note})"
    if parsed.tree is not None and match.compiled.where is None:
        understood += " (nothing to search for: showing every cable)"
    suggestion = None
    if match.compiled.where is not None and total < 5:
        suggestion = _suggest(backend, state, parsed, total)
    del Facet, FacetValue, FACET_LABELS
    return SearchResults(
        state=state.with_page(page),
        hits=hits,
        total=total,
        page=page,
        pages=pages,
        facets=facets,
        understood=understood.strip(),
        suggestion=suggestion,
        took_ms=(time.perf_counter() - started) * 1000,
    )


def _facet(backend, state, facet, counts, limit, prefix):
    from search import hydrate
    from search.results import Facet, FacetValue
    from search.state import FACET_LABELS

    selected, excluded = state.values(facet), state.excluded_values(facet)
    pinned = [*selected, *excluded]
    if facet == "year":
        # Every year of the library, in order, even those this search does not reach.
        values = sorted(set(counts) | set(backend.library_years()))
    else:
        values = sorted(counts, key=lambda v: (-counts[v], v.encode()))
        if not prefix:
            values = values[: limit + 1]
    label_of = hydrate.labels(facet, [*values, *pinned])
    if prefix:
        needle = prefix.strip().lower()
        values = [
            v for v in values if v.lower().startswith(needle) or needle in label_of[v].lower()
        ]
    has_more = facet != "year" and len(values) > limit
    if facet != "year":
        values = values[:limit]
    for v in pinned:
        if v not in values:
            values.append(v)
    if facet == "year":
        values.sort()
    return Facet(
        name=facet,
        label=FACET_LABELS[facet],
        values=tuple(
            FacetValue(v, label_of.get(v, v), counts.get(v, 0), v in selected, v in excluded)
            for v in values
        ),
        has_more=has_more,
    )


def _suggest(backend, state, parsed, total):
    import re

    from search.query import Phrase, Word, positive_words

    q = state.q
    changed = False
    for node in positive_words(parsed.tree):
        if node.field not in ("any", "text", "subject"):
            continue
        if isinstance(node, Word) and node.prefix:
            continue
        for word in node.text.split() if isinstance(node, Phrase) else [node.text]:
            if len(terms(word)) != 1 or len(word) < 3 or not word.isalpha():
                continue
            freq = backend.doc_frequency(word)
            found = backend.closest_word(word)
            if found and found[1] > max(3, 10 * freq):
                q = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", found[0], q, count=1, flags=re.I)
                changed = True
    if not changed:
        return None
    better = backend.count(backend.compile(state.with_query(q)))
    return q if better > total else None


def _install_provisional() -> None:
    def search(self, state, *, page_size):
        return _provisional_search(self, state, page_size)

    def facet_values(self, state, facet, prefix="", limit=300):
        from search.results import Facet

        if facet not in FACETS:
            return Facet(name=facet, label=facet, values=())
        _, counts = self.facet_counts(self.compile(state), [facet])
        return _facet(self, state, facet, counts[facet], max(1, min(limit, 5000)), prefix)

    def total_for(self, state):
        return self.count(self.compile(state))

    def iter_ids(self, state, limit):
        match = self.compile(state)
        sort = (
            state.sort if match.compiled.rank is not None or state.sort != "relevance" else "newest"
        )
        return iter([i for i, _ in self.ordered_ids(match, sort, 0, limit)])

    def highlighter(self, q):
        from search.backends.whoosh.highlight import Matcher
        from search.query import positive_words

        return Matcher(positive_words(parse(q).tree))

    for f in (search, facet_values, total_for, iter_ids, highlighter):
        setattr(PostgresBackend, f.__name__, f)


_install_provisional()
