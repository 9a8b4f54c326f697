"""The engine interface: what a search engine must do, and nothing a page needs beyond that.

An engine answers questions about the index; it never builds a page. ``search/pages.py`` (the page
builder) owns every page policy: hydration from the database, facet labels, pinning of chosen
values, year order, the "understood" text, when to offer "did you mean", paging and clamping,
the result cache, snippet selection and HTML escaping. An engine only:

- **matches** a query (``match``, ``count``, ``iter_ids``): the compiled query tree from
  ``search/query.py`` (the one language every engine compiles), facet filters and a date range,
  ordered by an already-decided sort, with facet counts under the disjunctive rule;
- **suggests** the closest indexed word for a word (``suggest``), the policy staying with the
  page builder;
- **highlights**: says where a query's words are in a text (``highlighter``), by the same
  analysis it indexed with; the page builder escapes the text and adds ``<mark>``;
- tells the page builder when its answers may have changed (``generation``);
- keeps the index in step with the database (``prepare``, ``index_cables``, ``delete_cables``,
  ``rebuild``, ``check``, ``repair``, ``clear``, ``close``; ``index_cables_later`` and
  ``wait_for_indexing`` for an import that stores the next group meanwhile).

Shaped like ``django/tasks/backends/base.py``: an abstract class configured from settings
(``CABLESEARCH_SEARCH_BACKEND`` names the class, ``CABLESEARCH_SEARCH_OPTIONS`` is passed to it),
with capability flags that default to False. An engine declares what it can do by setting them
True; what it cannot do is refused at run time with ``Unsupported`` (``require``, ``validate``),
never an AttributeError, and the shared contract tests (tests/search/contract.py) skip it.

Rules every engine keeps (the contract suite checks them):

- Never raise on user input: any tree ``search.query.parse`` makes must match something or
  nothing. A missing or damaged index raises ``search.exceptions.IndexUnavailable`` whose
  message says what to run (``manage.py rebuild_index`` or ``check_index --repair``).
- Only live cables match: one deleted by ``delete_cables`` is gone from every answer at once.
- Thread safe: one engine object serves every thread of a process.
- ``search/backends/<engine>/`` is the only place that imports the engine's library or writes
  its SQL; nothing outside ``search/backends/`` knows which engine runs.
"""

from __future__ import annotations

import logging
import threading
from abc import ABCMeta, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from django.db import connections

from search.exceptions import Unsupported
from search.query import And, DateRange, Node, Not, Or, Phrase, Word
from search.state import FACETS, SORTS

__all__ = [
    "BaseSearchBackend",
    "Criteria",
    "FacetCounts",
    "FacetRequest",
    "Highlighter",
    "IndexDrift",
    "Match",
    "MatchRequest",
    "Progress",
    "Span",
    "TermSuggestion",
    "Unsupported",
]

log = logging.getLogger(__name__)

Progress = Callable[[int], None]  # called with how many more cables were written
Span = tuple[int, int, str]  # (start, end, key) of one match in a text; see Highlighter.spans


# -- what is asked ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criteria:
    """Which cables match: a text query, facet filters and a date range, all ANDed.

    - ``tree``: ``search.query.parse(q).tree``; None matches every cable. Leaves are ``Word``
      (field "any" = subject or text; "subject", "text", "person", "origin", "classification":
      analysed words; "tag", "country", "program", "org", "id": exact upper-case codes;
      "anomaly": exact lower-case codes of ``cables.parsing.record.ANOMALIES``;
      ``prefix=True``: any indexed word or code starting with the text), ``Phrase`` (the words
      in order, in one field), ``DateRange`` (cable date start..end inclusive, either side
      open); inner nodes ``And``, ``Or``, ``Not``. A leaf the engine's analysis leaves nothing
      of ("§", "--") narrows nothing: it is dropped (an ``And`` of only such leaves, or a
      ``Not`` of one, narrows nothing either) and named in ``Match.unsearchable``.
      A plain word of field "any" that looks like a cable id (``search.query.CABLE_ID_RE``)
      also matches that cable's id, and that cable ranks first under relevance.
    - ``include``: (facet, value) pairs; a cable matches a facet when it has ANY of that facet's
      included values (OR within a facet, AND across facets).
    - ``exclude``: (facet, value) pairs; a cable having any of them does not match.
    - ``date_from``/``date_to``: the cable's date (day) within, inclusive; either open.
      Undated cables match only when both are None.
    - ``added_from``/``added_to``: when the cable reached this library (``Cable.first_imported``)
      is after ``added_from`` (exclusive) and at or before ``added_to`` (inclusive); either open.
      Aware datetimes the page builder resolved once from ``SearchState.added`` (a relative
      "7d" counts back from the minute the request was read). Cables never imported (no
      first_imported) match only when both are None. Facet counts narrow with it, like dates.
    - ``all_of``: facets whose included values must ALL hold (AND within that facet), from
      SearchState.all_of; their facet counts keep their own filter (see MatchRequest).

    Facet names are ``search.state.FACETS``; values are what the index holds: codes for tag,
    country, program, org and person; the origin label ("Embassy Moscow"); the classification
    ("CONFIDENTIAL"); the four-digit year. Which tags go to which facet is
    ``search.documents.KIND_TO_FACET`` (the same ``CableDocument.tags`` every engine indexes).
    """

    tree: Node | None = None
    include: tuple[tuple[str, str], ...] = ()
    exclude: tuple[tuple[str, str], ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    all_of: tuple[str, ...] = ()
    added_from: datetime | None = None
    added_to: datetime | None = None

    def values(self, facet: str) -> tuple[str, ...]:
        return tuple(v for f, v in self.include if f == facet)

    def is_all_of(self, facet: str) -> bool:
        return facet in self.all_of

    def excluded_values(self, facet: str) -> tuple[str, ...]:
        return tuple(v for f, v in self.exclude if f == facet)

    def filtered_facets(self) -> tuple[str, ...]:
        """Facets with an include or exclude filter, in FACETS order."""
        chosen = {f for f, _ in (*self.include, *self.exclude)}
        return tuple(f for f in FACETS if f in chosen)


@dataclass(frozen=True, slots=True)
class FacetRequest:
    """Count one facet's values over the matching cables (see ``Match.facets`` for the rule).

    - ``limit``: the ``limit`` most frequent values with a count above 0; None: all of them.
    - ``pinned``: values whose counts are returned whatever their rank (count 0 when no matching
      cable has them, or the index does not know them): the values a user chose or excluded.
    - ``every``: also the values no matching cable has (count 0), i.e. every value at least one
      live cable in the index has; with ``limit=None`` only. The year histogram asks this.
    """

    name: str
    limit: int | None = 15
    pinned: tuple[str, ...] = ()
    every: bool = False


@dataclass(frozen=True, slots=True)
class MatchRequest:
    """One question for ``match``.

    - ``sort``: already decided by the page builder, one of ``search.state.SORTS``:
      "relevance": score descending, equal scores newest first (so a query with nothing to
      score, e.g. only codes, or no searchable word, lists newest first); "newest": cable date
      descending; "oldest": ascending. Undated cables come last in "newest" and "oldest".
      "added": first imported (``Cable.first_imported``) latest first, cables of one import
      newest first; never-imported cables last.
      Ties keep an order the engine holds stable between calls, so pages never overlap.
    - ``offset``/``limit``: the slice of that order to return (``limit=0``: counts only).
    - ``facets``: which facets to count; empty: none.
    """

    criteria: Criteria
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    facets: tuple[FacetRequest, ...] = ()


# -- what is answered ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FacetCounts:
    """One facet's counts: (value, count) most frequent first, then value ascending; pinned
    values outside the top follow, in the order they were asked. ``has_more``: more values with
    a count above 0 exist than the limit let through."""

    name: str
    values: tuple[tuple[str, int], ...]
    has_more: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """What ``match`` found.

    - ``ids``/``scores``: the requested slice in order; ``scores`` is as long as ``ids`` (0.0
      where nothing was scored). Scores compare only within one answer.
    - ``total``: how many cables match the criteria (not the slice).
    - ``facets``: name -> counts for each requested facet, under the disjunctive rule: a facet's
      values are counted over the cables matching the text query, the date range and every
      OTHER facet's filter, its own include/exclude filter left out (choosing Russia leaves the
      other countries' counts as they were). An engine with ``supports_disjunctive_facets``
      False counts over the matching cables instead.
    - ``searched``: the text query narrowed something. False when ``tree`` was None or held
      nothing the engine can match (only "§"): every cable matched the text part, and
      "relevance" listed newest first. The page builder then shows "newest" as the sort and
      offers no suggestion.
    - ``unsearchable``: the query's words (as typed, in order) that the engine's analysis leaves
      nothing of; the page builder says it ignored them.
    - ``notes``: anything else the user should know about how the engine read the query, in
      words for the page, e.g. "th* reads as its 64 most common words". Each note once.
    """

    ids: tuple[str, ...]
    scores: tuple[float, ...]
    total: int
    facets: dict[str, FacetCounts] = field(default_factory=dict)
    searched: bool = False
    unsearchable: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TermSuggestion:
    """For one word: how many cables hold it, and the closest indexed word most cables hold.

    ``frequency``: cables whose subject or text holds the word (as the engine analyses it: the
    same cables a search for the word alone would find). ``closest``: an indexed word one edit
    away (else two) that the most cables hold, as a user would type it (not a stem), never the
    word itself; an engine may draw candidates from the subject lines only (Whoosh does: a
    spelling dictionary of every paragraph word nearly doubled its indexing time).
    ``closest_frequency``: how many cables hold it. Whether to offer it is the page builder's
    decision (search/pages.py).
    """

    word: str
    frequency: int
    closest: str
    closest_frequency: int


@dataclass(frozen=True, slots=True)
class IndexDrift:
    """How the index differs from the database."""

    missing: tuple[str, ...] = ()  # in the database, not in the index
    stale: tuple[str, ...] = ()  # in both, but the index holds an older version (or two copies)
    unknown: tuple[str, ...] = ()  # in the index, no longer in the database
    total_db: int = 0
    total_index: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.unknown)


class Highlighter(Protocol):
    """Where a query's words are in a text, decided by the same analysis the index used, so
    "defenses" is found where the index matched "defense". Needs no index.

    Only positive words and phrases of fields "any", "text" and "subject" are found (not words
    under NOT, not codes or ids). A phrase is one span, only where its words follow each other
    (nothing but spaces or punctuation between); its words alone are not spans. A prefix word
    finds every word starting with it.

    Optional attribute ``starts``: strings (any case) every match begins with. The page builder
    then loads only the paragraphs holding one; an engine without it gets every paragraph.
    """

    def __bool__(self) -> bool:
        """False when the query has no words to find (empty, or filters only)."""
        ...

    def spans(self, text: str, *, subject: bool = False, limit: int | None = None) -> list[Span]:
        """(start, end, key) of each match in ``text``, in order, not overlapping; ``key`` names
        what matched (a word's stem, a phrase's stems joined by spaces: a paragraph matching
        more distinct keys makes a better snippet). ``subject``: the text is a subject line
        (``subject:`` words match there only). At most ``limit`` spans (None: every one)."""
        ...


# -- the engine ---------------------------------------------------------------------------------


class BaseSearchBackend(metaclass=ABCMeta):
    """A search engine. Subclass it, declare the capabilities, implement the abstract methods.

    ``options`` is ``settings.CABLESEARCH_SEARCH_OPTIONS`` (engine-specific keys, e.g. PATH).
    The constructor must not touch the index or the database: the engine is opened lazily.
    """

    # Capability flags. False unless the engine declares otherwise; checked where used.
    supports_phrases = False  # Phrase nodes (and words the analysis splits in several tokens)
    supports_prefix = False  # Word(prefix=True)
    supports_facets = False  # MatchRequest.facets
    supports_disjunctive_facets = False  # facet counts leave the facet's own filter out
    supports_snippets = False  # highlighter()
    supports_suggestions = False  # suggest()
    supports_concurrent_writes = False  # index_cables from several processes at once is safe
    # index_cables may run in a thread of its own (index_cables_later) while the caller goes
    # on writing the database: the engine's writes need nothing from the caller's thread.
    supports_background_indexing = False

    def __init__(self, options: dict | None = None) -> None:
        self.options = dict(options or {})
        self._later: tuple[threading.Thread, list[BaseException]] | None = None
        self._later_lock = threading.Lock()

    @property
    def name(self) -> str:
        return type(self).__name__

    # -- capabilities ---------------------------------------------------------------------

    def require(self, flag: str) -> None:
        """Raise Unsupported unless this engine declares ``flag`` (a ``supports_*`` name)."""
        if not flag.startswith("supports_") or not hasattr(type(self), flag):
            raise ValueError(f"{flag!r} is not a capability flag")
        if not getattr(self, flag):
            feature = flag.removeprefix("supports_").replace("_", " ")
            raise Unsupported(f"The {self.name} search engine does not support {feature}.")

    def validate(self, request: MatchRequest | Criteria) -> None:
        """Raise Unsupported when the request uses a feature this engine does not declare, and
        ValueError for a request no page builder should make (unknown facet or sort). The page
        builder calls it before ``match``/``count``/``iter_ids``; engines need not repeat it."""
        criteria = request.criteria if isinstance(request, MatchRequest) else request
        for facet, _ in (*criteria.include, *criteria.exclude):
            if facet not in FACETS:
                raise ValueError(f"unknown facet {facet!r}")
        for node in _leaves(criteria.tree):
            if isinstance(node, Phrase):
                self.require("supports_phrases")
            elif isinstance(node, Word) and node.prefix:
                self.require("supports_prefix")
        if isinstance(request, MatchRequest):
            if request.sort not in SORTS:
                raise ValueError(f"unknown sort {request.sort!r}")
            if request.offset < 0 or request.limit < 0:
                raise ValueError("offset and limit must not be negative")
            if request.facets:
                self.require("supports_facets")
            for facet in request.facets:
                if facet.name not in FACETS:
                    raise ValueError(f"unknown facet {facet.name!r}")
                if facet.every and facet.limit is not None:
                    raise ValueError("FacetRequest.every needs limit=None")

    # -- searching ------------------------------------------------------------------------

    @abstractmethod
    def match(self, request: MatchRequest) -> Match:
        """The cables matching ``request.criteria``: the requested slice of ids in
        ``request.sort`` order with scores, the total, and the requested facet counts (see
        Match). An offset past the end gives no ids and the true total."""

    @abstractmethod
    def count(self, criteria: Criteria) -> int:
        """How many cables match: ``match(...).total`` without ordering anything."""

    @abstractmethod
    def iter_ids(self, criteria: Criteria, sort: str, limit: int) -> Iterator[str]:
        """The first ``limit`` matching ids in ``sort`` order, the same order ``match`` gives
        (CSV export, feeds, saved-search counts). May be lazy; the first ``next()`` raises
        IndexUnavailable if the index is broken."""

    @abstractmethod
    def generation(self) -> Hashable | None:
        """A value that changes whenever any answer of this engine may change (a commit, a
        deletion, a rebuild, a clear), cheap enough to ask on every request. The page builder
        keys its result cache on it. None: the engine cannot tell, and nothing is cached.
        Raises IndexUnavailable like ``match``."""

    def suggest(self, words: Sequence[str]) -> dict[str, TermSuggestion]:
        """For each word (as typed, single words, letters only), the closest indexed word (see
        TermSuggestion). Words with nothing within two edits, or that the analysis does not read
        as exactly one term, are left out. Keys are the words as given."""
        self.require("supports_suggestions")
        raise NotImplementedError  # an engine declaring the flag overrides this

    def highlighter(self, tree: Node | None) -> Highlighter:
        """What finds the query's words in a cable's texts (snippets, the cable page)."""
        self.require("supports_snippets")
        raise NotImplementedError  # an engine declaring the flag overrides this

    def warm(self) -> None:  # noqa: B027 - optional: an engine may keep nothing in memory
        """Build, in the background if the engine can, what it keeps in memory for later
        requests (a server worker calls it once, after its first search)."""

    # -- keeping the index in step with the database ---------------------------------------

    def prepare(self) -> None:  # noqa: B027 - optional: an engine may have nothing to prepare
        """Make an empty index ready if there is none and the database holds no cables (a first
        import must never leave searches facing stored cables without an index). A missing
        index over a non-empty library raises IndexUnavailable."""

    @abstractmethod
    def index_cables(self, ids: Iterable[str]) -> None:
        """Add or replace these cables, read from the database with
        ``search.documents.iter_documents``; ids no longer in the database are removed.
        Committed (visible to every process) when it returns. A long list may be written in
        several commits: a failure can leave the earlier ones committed (``check`` then
        reports the rest, ``repair`` writes them)."""

    def index_cables_later(self, ids: Iterable[str]) -> None:
        """``index_cables(ids)`` in a thread of its own, so that the caller (an import) stores
        the next cables meanwhile. Returns once the previous call's work is done (one runs at a
        time, in order); ``wait_for_indexing`` waits for this one. A failure is raised by the
        next call or by ``wait_for_indexing``, and the ids of the failed call are then not
        indexed (``check`` reports them). Needs ``supports_background_indexing``."""
        self.require("supports_background_indexing")
        ids = list(ids)
        with self._later_lock:
            self._wait_for_later()
            failures: list[BaseException] = []
            job = threading.Thread(
                target=self._index_later, args=(ids, failures), name="cablesearch-index"
            )
            job.start()
            self._later = (job, failures)

    def wait_for_indexing(self) -> None:
        """Wait until the work ``index_cables_later`` started is committed; raise its failure."""
        with self._later_lock:
            self._wait_for_later()

    def _wait_for_later(self) -> None:
        if self._later is not None:
            job, failures = self._later
            job.join()
            # Forgotten only once joined: a wait interrupted (Ctrl-C) leaves the work and its
            # failure to the next wait.
            self._later = None
            if failures:
                raise failures[0]

    def _index_later(self, ids: list[str], failures: list[BaseException]) -> None:
        try:
            self.index_cables(ids)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            log.error("indexing %d cables in the background failed: %s", len(ids), exc)
            failures.append(exc)
        finally:
            connections.close_all()  # this thread's own connections only

    @abstractmethod
    def delete_cables(self, ids: Iterable[str]) -> None:
        """Remove these cables from the index; unknown ids are ignored."""

    @abstractmethod
    def rebuild(
        self, progress: Progress | None = None, total: Callable[[int], None] | None = None
    ) -> int:
        """Index every cable in the database afresh without interrupting searches (they read
        the old index until the new one is complete), then bring across what imports wrote
        meanwhile. ``total(n)`` is called once with the number of cables, ``progress(k)`` as k
        more are written. Returns how many were written."""

    @abstractmethod
    def check(self) -> IndexDrift:
        """Compare the index with the database by ``search.documents.db_stamps()`` (id ->
        stamp; a cable whose stamp differs from the indexed one is stale)."""

    def repair(self, drift: IndexDrift) -> None:
        """Fix what check() found: index missing and stale cables, drop unknown ones."""
        if drift.unknown:
            self.delete_cables(drift.unknown)
        todo = [*drift.missing, *drift.stale]
        if todo:
            self.index_cables(todo)

    @abstractmethod
    def clear(self) -> None:
        """Empty the index (tests, resets); searches then find nothing."""

    def close(self) -> None:  # noqa: B027 - optional: an engine may hold nothing open
        """Drop open files, connections and caches (settings changed, tests). The engine may be
        used again afterwards and reopens what it needs."""


def _leaves(node: Node | None) -> Iterator[Node]:
    """Every Word, Phrase and DateRange of a tree, negated ones included."""
    if node is None:
        return
    if isinstance(node, (Word, Phrase, DateRange)):
        yield node
        return
    if isinstance(node, Not):
        yield from _leaves(node.child)
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from _leaves(child)
