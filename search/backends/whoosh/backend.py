"""The Whoosh engine: the primitives of search/backends/base.py over one Whoosh index.

One document per cable; matching, facet counts and ranking run in numpy over arrays read from
the index (the speed layer: blocks.py, docsets.py, arrays.py, ranking.py; its reliance on
whoosh3 internals is listed in fixes.py). Pages are built by search/pages.py, not here.

Index folder layout (settings.SEARCH_INDEX_DIR)::

    current -> ix-20261125T210000-1234   symlink, swapped atomically by rebuild
    ix-...                               a complete Whoosh index

Searchers: one per thread, refreshed per request; facet arrays are cached per index generation
and shared between threads.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import shutil
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from whoosh import index as windex
from whoosh import query as wq
from whoosh.index import LockError

from search import hydrate
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
from search.backends.pairs import facet_counts, facet_masks
from search.backends.whoosh import fixes, ranking
from search.backends.whoosh.arrays import IndexArrays, SegmentArrays
from search.backends.whoosh.blocks import PackedCodec
from search.backends.whoosh.compile import analyse, compile_tree, proximity, unsearchable
from search.backends.whoosh.docsets import DocSets, PostingsCache, segment_key
from search.backends.whoosh.highlight import Matcher
from search.backends.whoosh.marking import marking_fields
from search.backends.whoosh.merging import MERGE_AT, SMALL_SEGMENT, merge_policy
from search.backends.whoosh.schema import FACET_FIELDS, MULTI_VALUED, TEXT_ANALYZER, make_schema
from search.backends.whoosh.vocabulary import Vocabulary
from search.backends.whoosh.writer import open_writer
from search.documents import CableDocument, db_stamps, iter_documents
from search.exceptions import IndexUnavailable
from search.query import Node, positive_words

log = logging.getLogger(__name__)
fixes.apply()

CURRENT = "current"
EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
WRITE_TIMEOUT = 600.0  # seconds a writer waits for the lock: concurrent writers queue
WRITE_DELAY = 0.2
MULTIPROCESS_ABOVE = 20_000  # rebuilds larger than this use procs=2, multisegment
# Groups this large (import_cables announces 20,000 cables at a time) are analysed by two
# processes, each writing its own segment: indexing is ~2/3 of an import's CPU and runs on
# one core otherwise.
MULTIPROCESS_GROUP = 4_000
# Cables one writer takes (import_cables announces 20,000 at a time): a writer's processes
# hold their postings in memory until it commits (writer.py: ~600 postings a cable, ~47 bytes
# each, 283 MB for 10,000 cables in one process), so a larger request (a repair of a whole
# library) is written a group at a time.
GROUP_LIMIT = 20_000
# Postings whoosh3's pool sorts in memory before spilling runs to disk (~600 postings, ~110 KB,
# per cable): what a rebuild and a merge of older segments use. Added cables do not go through
# it (writer.TermPool).
WRITE_LIMITMB = 256
# Postings per on-disk block (Whoosh's default is 128): a common word at 251,287 cables spans
# ~800 default blocks, and each block costs a seek, a pickled header and a decompression.
# 512 read a common word's postings ~18 % faster (bench, 20,000 cables) at the same size.
BLOCK_POSTINGS = 512
# zlib level for postings blocks (whoosh3's default is 3). Uncompressed, the index is ~2.4x
# larger (120 -> 283 MB at 20,000 cables) and reads ~2x faster: decompression was the largest
# single cost of a phrase search at 251,287 cables (23 % of its CPU).
BLOCK_COMPRESSION = 0
MAX_EXPANSION = 64  # words a prefix* stands for, most common first
POSTINGS_CACHE = 4_000_000  # postings kept in memory (~50 MB), shared by threads
SCORED_EXPANSION = 6  # of those, the ones relevance ranking scores


def _day(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def _minute(when: datetime) -> int:
    return int((when - EPOCH).total_seconds() // 60) + 1


def to_fields(doc: CableDocument) -> dict:
    """The Whoosh document for one cable."""
    fields = {
        "id": doc.id,
        "stamp": doc.stamp,
        "subject": doc.subject,
        "body": "\n\n".join(doc.paragraphs),
        "tags": "\n".join(code for codes in doc.tags.values() for code in codes),
        "person_text": " ".join(doc.tags.get("person", ())),
        "origin_text": doc.origin,
        "class_text": doc.classification,
        "year": doc.date.year if doc.date else 0,
        "day": _day(doc.date) if doc.date else 0,
        "minute": _minute(doc.date) if doc.date else 0,
        FACET_FIELDS["origin"]: doc.origin,
        FACET_FIELDS["class"]: doc.classification,
        FACET_FIELDS["addressee"]: "\n".join(doc.addressees),
        FACET_FIELDS["signer"]: doc.signer,
        "addressee_text": " ".join([*doc.addressees, *doc.addressee_codes]),
        "signer_text": doc.signer,
        **marking_fields(doc.paragraphs, doc.markings),
    }
    for facet in MULTI_VALUED:
        fields[FACET_FIELDS[facet]] = "\n".join(doc.tags.get(facet, ()))
    if doc.anomalies:
        fields["anomaly"] = "\n".join(doc.anomalies)
    return fields


@dataclass
class _Context:
    """What one request reads: a searcher and the arrays of its generation."""

    searcher: object
    arrays: IndexArrays
    docsets: DocSets


@dataclass
class _Selection:
    query: wq.Query | None
    base: np.ndarray  # matches the text query (all live docs when there is none)
    dates: np.ndarray | None  # from/to filter of the state
    masks: dict[str, np.ndarray]  # facet -> its include/exclude mask
    final: np.ndarray
    notes: tuple[str, ...] = ()
    scoring: wq.Query | None = None  # what ranks hits: the query with prefixes cut shorter
    pairs: tuple = ()  # compile.proximity: word pairs whose standing together ranks higher


class WhooshBackend(BaseSearchBackend):
    supports_phrases = True
    supports_prefix = True
    supports_facets = True
    supports_disjunctive_facets = True
    supports_snippets = True
    supports_suggestions = True
    supports_concurrent_writes = True  # writers queue on Whoosh's lock (WRITE_TIMEOUT)
    supports_background_indexing = True  # its own writer, lock and database connection

    def __init__(self, options: dict | None = None) -> None:
        super().__init__(options)
        from django.conf import settings

        self.path = Path(self.options.get("PATH") or settings.SEARCH_INDEX_DIR)
        self._local = threading.local()
        self._arrays: dict[tuple[str, int], IndexArrays] = {}
        self._arrays_lock = threading.Lock()
        self._segments: dict[str, dict[str, SegmentArrays]] = {}  # index dir -> segment id -> …
        self._searchers: weakref.WeakSet = weakref.WeakSet()  # open searchers, to close
        self._postings = PostingsCache(int(self.options.get("POSTINGS_CACHE", POSTINGS_CACHE)))
        self._vocabulary = Vocabulary()
        self._searchers_lock = threading.Lock()
        self._added_lock = threading.Lock()
        self._added_by_id: dict[str, int] = {}  # cable id -> first import (µs), see _added
        self._added_high = None  # the latest first import read so far

    # -- the folder -------------------------------------------------------------------------

    def live_dir(self) -> Path | None:
        link = self.path / CURRENT
        try:
            target = os.readlink(link)
        except OSError:
            return None
        return (self.path / target).resolve()

    def _new_dir(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        new = self.path / f"ix-{stamp}-{uuid.uuid4().hex[:8]}"
        new.mkdir()
        windex.create_in(str(new), make_schema())
        return new

    def _swap(self, new: Path) -> None:
        """Point `current` at `new` in one rename, then drop all but the previous index."""
        previous = self.live_dir()
        tmp = self.path / f".{CURRENT}-{os.getpid()}-{threading.get_ident()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(new.name, tmp)
        os.replace(tmp, self.path / CURRENT)
        keep = {new.resolve(), previous.resolve() if previous else None}
        for old in self.path.glob("ix-*"):
            if old.resolve() not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def _index(self, *, create: bool) -> windex.Index:
        live = self.live_dir()
        if live is None:
            if not create and self._database_has_cables():
                raise IndexUnavailable(
                    "The search index has not been built. Run: manage.py rebuild_index"
                )
            new = self._new_dir()
            try:
                # symlink() fails if another process created the index meanwhile: use theirs
                # (a replace here could throw away what they already wrote).
                os.symlink(new.name, self.path / CURRENT)
            except FileExistsError:
                shutil.rmtree(new, ignore_errors=True)
            live = self.live_dir()
        try:
            return windex.open_dir(str(live))
        except Exception as exc:  # any damage: missing TOC, truncated segment files...
            raise IndexUnavailable(
                f"The search index at {live} cannot be opened ({exc.__class__.__name__}). "
                "Run: manage.py rebuild_index"
            ) from exc

    def prepare(self) -> None:
        self._index(create=False).close()

    @staticmethod
    def _database_has_cables() -> bool:
        from cables.models import Cable

        return Cable.objects.exists()

    # -- reading ----------------------------------------------------------------------------

    def _context(self) -> _Context:
        local = self._local
        live = self.live_dir()
        searcher = getattr(local, "searcher", None)
        try:
            moved = searcher is None or local.dir != live  # first use, or rebuilt elsewhere
            if moved:
                ix = self._index(create=False)
                local.ix, local.dir = ix, self.live_dir()
            else:
                ix = local.ix
            # Not searcher.refresh(): in whoosh3 3.54 it reuses the old segment reader when a
            # commit only deleted documents, so deleted cables stayed visible. A new
            # generation gets a new searcher instead.
            if moved or ix.latest_generation() != local.gen:
                if searcher is not None:
                    self._searchers.discard(searcher)
                    searcher.close()
                searcher = ix.searcher()
                local.gen = searcher.reader().generation()
                with self._searchers_lock:
                    self._searchers.add(searcher)
        except IndexUnavailable:
            raise
        except Exception as exc:
            local.searcher = None
            raise IndexUnavailable(
                f"The search index cannot be read ({exc.__class__.__name__}). "
                "Run: manage.py check_index --repair"
            ) from exc
        local.searcher = searcher
        reader = searcher.reader()
        key = (str(local.dir), reader.generation() or 0)
        arrays = self._arrays.get(key)
        if arrays is None:
            with self._arrays_lock:
                arrays = self._arrays.get(key)
                if arrays is None:
                    segments = self._segments.setdefault(key[0], {})
                    self._segments = {key[0]: segments}  # an older folder's are of no use
                    arrays = IndexArrays(reader, segments)
                    current = {segment_key(leaf) for leaf, _ in reader.leaf_readers()}
                    for gone in set(segments) - current:  # merged away
                        segments.pop(gone, None)
                    # Keep the newest few generations: other threads may still read older ones.
                    while len(self._arrays) >= 3:
                        self._arrays.pop(next(iter(self._arrays)))
                    self._arrays[key] = arrays
        docsets = getattr(local, "docsets", None)
        if docsets is None or docsets.reader is not reader:
            # Per thread, like the searcher: its term cache reads through this reader.
            docsets = local.docsets = DocSets(reader, arrays.size, self._postings)
        return _Context(searcher, arrays, docsets)

    def close(self) -> None:
        with self._searchers_lock:
            for searcher in self._searchers:
                # Already closed, or its files gone: nothing left to release.
                with contextlib.suppress(Exception):
                    searcher.close()
            self._searchers.clear()
        self._arrays.clear()
        self._segments.clear()
        self._postings.clear()
        with self._added_lock:
            self._added_by_id, self._added_high = {}, None
        self._local = threading.local()

    def _select(self, ctx: _Context, criteria: Criteria) -> _Selection:
        arrays = ctx.arrays
        query = compile_tree(criteria.tree) if criteria.tree is not None else None
        notes: list[str] = []
        if query is not None:
            reader = ctx.searcher.reader()
            scoring = _bound_prefixes(query, reader, [], SCORED_EXPANSION)
            query = _bound_prefixes(query, reader, notes, MAX_EXPANSION)
            # For the Whoosh ranking fallback only: Whoosh scores a many-word OR by preloading
            # every posting in Python (0.4 s for "th*" on 3,000 cables), so there a prefix is
            # ranked by its few most common words.
            if _render(scoring) == _render(query):
                scoring = query
        else:
            scoring = None
        if query is None:
            base = arrays.live.copy()
        else:
            base = ctx.docsets.mask(query, ctx.searcher, arrays) & arrays.live
        dates = None
        if criteria.date_from or criteria.date_to:
            lo = _day(criteria.date_from) if criteria.date_from else 0
            hi = _day(criteria.date_to) if criteria.date_to else 99991231
            dates = (arrays.day >= lo) & (arrays.day <= hi)
        if criteria.added_from or criteria.added_to:
            # Folded into the date filter: facet counts and the histogram narrow with it.
            added = self._added_mask(arrays, criteria)
            dates = added if dates is None else dates & added
        masks = facet_masks(arrays.facets, criteria, arrays.size)
        final = base if dates is None else base & dates
        for mask in masks.values():
            final = final & mask
        pairs = tuple(proximity(criteria.tree)) if query is not None else ()
        return _Selection(query, base, dates, masks, final, tuple(notes), scoring, pairs)

    def _ordered_docs(
        self, ctx: _Context, sel: _Selection, sort: str, limit: int
    ) -> tuple[list[int], list[float]]:
        """The first `limit` matching docnums in the requested order, with scores."""
        if limit <= 0:
            return [], []
        if not sel.final.any():
            return [], []
        if sort == "relevance" and sel.query is not None:
            if self.options.get("RANKING", "numpy") == "numpy":
                try:
                    reader = ctx.searcher.reader()
                    score = ranking.scores(sel.query, ctx.docsets, ctx.arrays, reader)
                    ranking.add_proximity(
                        list(sel.pairs), ctx.docsets, ctx.arrays, reader, score, sel.final
                    )
                    return ranking.top(sel.final, score, ctx.arrays.newest_rank, limit)
                except Exception:  # an index layout this code does not know: Whoosh ranks
                    log.exception("numpy ranking failed; ranking with Whoosh")
            exact = sel.scoring is sel.query
            narrowed = not exact or int(sel.final.sum()) != int(sel.base.sum())
            allow = set(np.flatnonzero(sel.final).tolist()) if narrowed else None
            wanted = max(limit, ranking.RESCORE_TOP) if sel.pairs else limit
            results = ctx.searcher.search(sel.scoring, limit=wanted, filter=allow)
            docnums = [hit.docnum for hit in results]
            scores = [float(hit.score or 0) for hit in results]
            if sel.pairs:
                docnums, scores = self._rescored(ctx, sel, docnums, scores, limit)
            if len(docnums) < limit and not exact:
                # Cables matched only through a prefix's rarer completions (not scored): after
                # the scored ones, newest first.
                rest = sel.final.copy()
                rest[docnums] = False
                more, _ = self._by_date(ctx, rest, "newest", limit - len(docnums))
                docnums += more
                scores += [0.0] * len(more)
            return docnums, scores
        if sort == "added":
            return self._by_added(ctx, sel.final, limit)
        return self._by_date(ctx, sel.final, sort, limit)

    def _added(self, arrays: IndexArrays) -> np.ndarray:
        """Per document, when its cable was first imported (µs since 1970; 0 unknown).

        Only the database knows. The first request that needs it reads every cable's first
        import once per process; each later index generation reads only the cables first
        imported since (an indexed range), then maps the generation's ids."""
        added = arrays.added
        if added is None:
            with self._added_lock:
                added = arrays.added
                if added is None:
                    fresh, self._added_high = hydrate.added_since(self._added_high)
                    self._added_by_id.update(fresh)
                    get = self._added_by_id.get
                    added = np.fromiter(
                        (get(i, 0) for i in arrays.ids), dtype=np.int64, count=len(arrays.ids)
                    )
                    arrays.added = added
        return added

    def _added_mask(self, arrays: IndexArrays, criteria: Criteria) -> np.ndarray:
        added = self._added(arrays)
        after, until = criteria.added_from, criteria.added_to
        mask = added > (hydrate.micros(after) if after else 0)
        if until is not None:
            mask &= added <= hydrate.micros(until)
        return mask

    def _by_added(
        self, ctx: _Context, final: np.ndarray, limit: int
    ) -> tuple[list[int], list[float]]:
        """Recently added first; among cables of one import, newest first."""
        docs = np.flatnonzero(final)
        if not len(docs) or limit <= 0:
            return [], []
        added = self._added(ctx.arrays)[docs]
        order = np.lexsort((ctx.arrays.newest_rank[docs], -added))[:limit]
        return docs[order].tolist(), [0.0] * len(order)

    @staticmethod
    def _rescored(
        ctx: _Context, sel: _Selection, docnums: list[int], scores: list[float], limit: int
    ) -> tuple[list[int], list[float]]:
        """Whoosh's best matches with the typed word pairs' proximity added, as the numpy
        ranking adds it (same BM25, same rescoring), so both rank alike."""
        try:
            score = np.zeros(ctx.arrays.size, dtype=np.float32)
            score[docnums] = scores
            among = np.zeros(ctx.arrays.size, dtype=bool)
            among[docnums] = True
            reader = ctx.searcher.reader()
            ranking.add_proximity(list(sel.pairs), ctx.docsets, ctx.arrays, reader, score, among)
            return ranking.top(among, score, ctx.arrays.newest_rank, limit)
        except Exception:  # the same layout problem that sent us here: Whoosh's order
            log.exception("proximity rescoring failed; Whoosh's order")
            return docnums[:limit], scores[:limit]

    @staticmethod
    def _by_date(
        ctx: _Context, final: np.ndarray, sort: str, limit: int
    ) -> tuple[list[int], list[float]]:
        docs = np.flatnonzero(final)
        if not len(docs) or limit <= 0:
            return [], []
        if sort == "oldest":
            minute = ctx.arrays.minute[docs].astype(np.int64)
            key = np.where(minute == 0, 1 << 31, minute) * (1 << 32) + docs
        else:
            key = ctx.arrays.newest_rank[docs]
        if len(docs) > limit:
            part = np.argpartition(key, limit - 1)[:limit]
            docs, key = docs[part], key[part]
        order = np.argsort(key, kind="stable")
        return docs[order].tolist(), [0.0] * len(order)

    def _count(self, ctx: _Context, criteria: Criteria) -> int:
        return int(self._select(ctx, criteria).final.sum())

    # -- the engine primitives (search.backends.base) ---------------------------------------

    def iter_ids(self, criteria: Criteria, sort: str, limit: int) -> Iterator[str]:
        ctx = self._context()
        sel = self._select(ctx, criteria)
        docnums, _ = self._ordered_docs(ctx, sel, sort, min(limit, int(sel.final.sum())))
        ids = ctx.arrays.ids
        return iter([ids[d] for d in docnums])

    def highlighter(self, tree: Node | None) -> Matcher:
        # Needs no index: the analyzer alone decides what matches.
        return Matcher(positive_words(tree))

    def match(self, request: MatchRequest) -> Match:
        ctx = self._context()
        criteria = request.criteria
        sel = self._select(ctx, criteria)
        total = int(sel.final.sum())
        end = request.offset + request.limit
        docnums, scores = self._ordered_docs(ctx, sel, request.sort, min(end, total))
        docnums, scores = docnums[request.offset : end], scores[request.offset : end]
        ids = ctx.arrays.ids
        return Match(
            ids=tuple(ids[d] for d in docnums),
            scores=tuple(float(s) for s in scores),
            total=total,
            facets={f.name: self._counts(ctx, sel, f, criteria) for f in request.facets},
            searched=sel.query is not None,
            unsearchable=tuple(unsearchable(criteria.tree)),
            notes=sel.notes,
        )

    @staticmethod
    def _counts(
        ctx: _Context, sel: _Selection, request: FacetRequest, criteria: Criteria
    ) -> FacetCounts:
        """One facet's counts with its own filter left out (the disjunctive rule), or kept
        for an all-of facet (ticking a value narrows the cables already chosen)."""
        facet = request.name
        mask = sel.base if sel.dates is None else sel.base & sel.dates
        for other, m in sel.masks.items():
            if other != facet or criteria.is_all_of(facet):
                mask = mask & m
        fa = ctx.arrays.facets[facet]
        return facet_counts(fa, fa.counts(mask), request)

    def count(self, criteria: Criteria) -> int:
        return self._count(self._context(), criteria)

    def generation(self) -> tuple[str, int]:
        # The folder (a rebuild swaps it) and the commit generation this thread reads.
        ctx = self._context()
        return (str(self._local.dir), ctx.searcher.reader().generation() or 0)

    def suggest(self, words) -> dict[str, TermSuggestion]:
        reader = self._context().searcher.reader()
        out: dict[str, TermSuggestion] = {}
        for word in words:
            stems = analyse(TEXT_ANALYZER, word)
            if len(stems) != 1:
                continue
            freq = reader.doc_frequency("body", stems[0]) + reader.doc_frequency(
                "subject", stems[0]
            )
            found = _closest_word(reader, self._vocabulary, word.lower())
            if found is not None:
                out[word] = TermSuggestion(word, freq, found[0], found[1])
        return out

    def warm(self) -> None:
        """Read the spelling vocabulary in a thread of its own (with its own searcher: a
        Whoosh reader is not shared between threads), ~3 s of CPU at 251,287 cables."""
        threading.Thread(target=self._warm_vocabulary, name="vocabulary", daemon=True).start()

    def _warm_vocabulary(self) -> None:
        try:
            reader = self._context().searcher.reader()
            self._vocabulary.load(reader, "body")
            self._vocabulary.load(reader, reader.schema["subject"].spelling_fieldname("subject"))
        except Exception:  # a warm-up never takes a worker down: suggestions read lazily
            log.exception("reading the spelling vocabulary failed")

    # -- writing ----------------------------------------------------------------------------

    def _writer(self, ix: windex.Index, **kwargs):
        """A writer that waits its turn: concurrent writers queue instead of failing."""
        deadline = time.monotonic() + WRITE_TIMEOUT
        while True:
            try:
                return open_writer(
                    ix, timeout=min(60.0, WRITE_TIMEOUT), delay=WRITE_DELAY, **kwargs
                )
            except LockError:
                if time.monotonic() > deadline:
                    raise
                log.info("search index busy; waiting for the other writer")

    def index_cables(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        limit = max(1, int(self.options.get("GROUP_LIMIT", GROUP_LIMIT)))
        for start in range(0, len(ids), limit):
            self._index_group(ids[start : start + limit])

    def _index_group(self, ids: list[str]) -> None:
        ix = self._index(create=True)
        parallel = len(ids) >= self.options.get("MULTIPROCESS_GROUP", MULTIPROCESS_GROUP)
        writer = self._writer(ix, **self._write_options(parallel=parallel))
        try:
            seen = set()
            # An index built before the anomaly field has none: rebuild_index adds it.
            old_schema = "anomaly" not in ix.schema
            for doc in iter_documents(ids):
                fields = to_fields(doc)
                if old_schema:
                    fields.pop("anomaly", None)
                writer.update_document(**fields)
                seen.add(doc.id)
            for gone in set(ids) - seen:
                writer.delete_by_term("id", gone)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=self._merge_policy())

    def delete_cables(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids or self.live_dir() is None:
            return
        ix = self._index(create=True)
        writer = self._writer(ix)
        try:
            for cable_id in ids:
                writer.delete_by_term("id", cable_id)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=self._merge_policy())

    def _write_options(self, *, parallel: bool) -> dict:
        """Writer options for adding documents; ``parallel``: two sub-writer processes, each
        writing its own segment."""
        codec = PackedCodec(
            blocklimit=int(self.options.get("BLOCK_POSTINGS", BLOCK_POSTINGS)),
            compression=int(self.options.get("BLOCK_COMPRESSION", BLOCK_COMPRESSION)),
        )
        options: dict = {"limitmb": WRITE_LIMITMB, "codec": codec}
        if parallel:
            # spawn, not fork: the importer may run threads (progress bar, task worker), and
            # the sub-writers need only Whoosh and the schema, not Django.
            options.update(procs=2, multisegment=True, start_method="spawn")
        return options

    def _merge_policy(self):
        return merge_policy(
            small=int(self.options.get("SMALL_SEGMENT", SMALL_SEGMENT)),
            merge_at=int(self.options.get("MERGE_AT", MERGE_AT)),
        )

    def rebuild(
        self, progress: Progress | None = None, total: Callable[[int], None] | None = None
    ) -> int:
        from cables.models import Cable

        count = Cable.objects.count()
        if total:
            total(count)
        new = self._new_dir()
        try:
            ix = windex.open_dir(str(new))
            parallel = count > self.options.get("MULTIPROCESS_ABOVE", MULTIPROCESS_ABOVE)
            writer = ix.writer(**self._write_options(parallel=parallel))
            written = 0
            for doc in iter_documents(None):
                writer.add_document(**to_fields(doc))
                written += 1
                if progress and written % 100 == 0:
                    progress(100)
            writer.commit()
            if progress and written % 100:
                progress(written % 100)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        self._swap(new)
        # Imports that wrote to the old index while this one was built: bring them across.
        drift = self.check()
        if not drift.ok:
            self.repair(drift)
        return written

    def clear(self) -> None:
        self._swap(self._new_dir())

    def check(self) -> IndexDrift:
        stamps = db_stamps()
        live = self.live_dir()
        if live is None:
            return IndexDrift(
                missing=tuple(sorted(stamps)),
                total_db=len(stamps),
                notes=("the index has not been built",),
            )
        ix = self._index(create=False)
        indexed: dict[str, str] = {}
        doubled: set[str] = set()
        with ix.searcher() as searcher:
            for fields in searcher.reader().all_stored_fields():
                cable_id = fields.get("id")
                if cable_id in indexed:
                    doubled.add(cable_id)
                indexed[cable_id] = fields.get("stamp", "")
        missing = sorted(set(stamps) - set(indexed))
        unknown = sorted(set(indexed) - set(stamps))
        stale = sorted(
            i for i in set(stamps) & set(indexed) if stamps[i] != indexed[i] or i in doubled
        )
        return IndexDrift(
            missing=tuple(missing),
            stale=tuple(stale),
            unknown=tuple(unknown),
            total_db=len(stamps),
            total_index=len(indexed),
        )


def _render(query: wq.Query) -> str:
    return repr(query)


def _bound_prefixes(query: wq.Query, reader, notes: list[str], limit: int) -> wq.Query:
    """Replace each prefix query by its most common completions (at most `limit`):
    "th*" would otherwise stand for thousands of words over most of the library."""
    if isinstance(query, wq.Prefix):
        terms = list(itertools.islice(reader.expand_prefix(query.fieldname, query.text), 20_000))
        if len(terms) > limit:
            terms.sort(key=lambda t: -reader.doc_frequency(query.fieldname, t))
            terms = terms[:limit]
            note = f"{query.text}* reads as its {limit} most common words"
            if note not in notes:  # the same prefix in subject and text: say it once
                notes.append(note)
        words = [t.decode("utf-8") if isinstance(t, bytes) else t for t in terms]
        if not words:
            return wq.NullQuery
        return wq.Or([wq.Term(query.fieldname, w) for w in words])
    return query.apply(lambda sub: _bound_prefixes(sub, reader, notes, limit))


def _closest_word(reader, vocabulary: Vocabulary, word: str) -> tuple[str, int] | None:
    """The word one edit away (else two) that most cables use, with its frequency: a word of
    the subject lines (their spelling field), or a form of a paragraph word. Whoosh's own
    Corrector ranks every candidate at the same distance, so rank here."""
    spell_field = reader.schema["subject"].spelling_fieldname("subject")
    typed = analyse(TEXT_ANALYZER, word)
    stem = typed[0] if len(typed) == 1 else word
    for distance in (1, 2):
        best: tuple[str, int] | None = None
        for candidate in _body_forms(reader, vocabulary, word, stem, distance):
            freq = reader.doc_frequency("body", analyse(TEXT_ANALYZER, candidate)[0])
            if best is None or freq > best[1]:
                best = (candidate, freq)
        for candidate in vocabulary.within(reader, spell_field, word, distance):
            if candidate == word:
                continue
            stems = analyse(TEXT_ANALYZER, candidate)
            freq = reader.doc_frequency("body", stems[0]) if len(stems) == 1 else 0
            if best is None or freq > best[1]:
                best = (candidate, freq)
        if best is not None:
            return best
    return None


def _body_forms(
    reader, vocabulary: Vocabulary, word: str, stem: str, distance: int
) -> Iterator[str]:
    """Words spelt like ``word`` whose stem the paragraphs hold, ``distance`` edits from its
    stem. The body's lexicon holds stems ("missil"): the typed ending goes back on ("misile"
    -> "missile"), and a form is kept only if it analyses to that stem. No second spelling
    field: one over the paragraphs nearly doubled the indexing time."""
    ending = word[len(stem) :] if word.startswith(stem) else ""
    for candidate in vocabulary.within(reader, "body", stem, distance):
        if candidate == stem:
            continue
        form = candidate + ending
        if form != word and analyse(TEXT_ANALYZER, form) == [candidate]:
            yield form
