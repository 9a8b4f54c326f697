"""Writing the engine's tables: cables in and out, the vocabulary, the generation."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from search.backends.postgres.analysis import Folded, document_vector, fold
from search.documents import CableDocument
from search.query import marking_codes

# Facet name -> its slot; a value's integer is slot << 24 | serial, so one facet's values are
# one integer range (the count query splits facets with a shift, not a join).
FACET_SLOTS = {
    "tag": 0, "country": 1, "program": 2, "org": 3, "person": 4, "origin": 5, "class": 6,
    "year": 7, "addressee": 8, "signer": 9,
}  # fmt: skip
SLOT_SHIFT = 24
_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
_NO_DATE = 1 << 40  # after every dated cable in both orders
_VOCABULARY_WORD = re.compile(r"[^\W\d_]{3,}")
_ACCEPTED: set[str] = set()  # words judged before: vocabulary() or not
_REJECTED: set[str] = set()
_JUDGED_MAX = 500_000


def facet_values(doc: CableDocument) -> list[tuple[str, str]]:
    out = [(facet, code) for facet, codes in doc.tags.items() for code in codes]
    if doc.origin:
        out.append(("origin", doc.origin))
    if doc.classification:
        out.append(("class", doc.classification))
    if doc.date:
        out.append(("year", str(doc.date.year)))
    out.extend(("addressee", label) for label in doc.addressees)
    if doc.signer:
        out.append(("signer", doc.signer))
    return list(dict.fromkeys(out))


def day_of(doc: CableDocument) -> int:
    d = doc.date
    return d.year * 10000 + d.month * 100 + d.day if d else 0


def order_keys(doc: CableDocument) -> tuple[int, int]:
    """(newest, oldest) sort keys: ascending order of each is that sort."""
    if doc.date is None:
        return _NO_DATE, _NO_DATE
    when = doc.date if doc.date.tzinfo else doc.date.replace(tzinfo=UTC)
    minute = int((when - _EPOCH).total_seconds() // 60)
    return -minute, minute


class ValueIds:
    """(facet, value) <-> integer, cached per process; new values are inserted as met."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self.values: dict[int, tuple[str, str]] = {}

    def clear(self) -> None:
        self.ids.clear()
        self.values.clear()

    def _remember(self, rows) -> None:
        for v, facet, value in rows:
            self.ids[(facet, value)] = v
            self.values[v] = (facet, value)

    def lookup(self, cursor, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Ids of values already known (unknown ones are left out: they match nothing)."""
        pairs = list(dict.fromkeys(pairs))
        missing = [p for p in pairs if p not in self.ids]
        if missing:
            cursor.execute(
                "SELECT v, facet, value FROM search_pg_value "
                "WHERE (facet, value) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
                [[f for f, _ in missing], [v for _, v in missing]],
            )
            self._remember(cursor.fetchall())
        return {p: self.ids[p] for p in pairs if p in self.ids}

    def ensure(self, cursor, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        pairs = list(dict.fromkeys(pairs))
        known = self.lookup(cursor, pairs)
        new = sorted(p for p in pairs if p not in known)
        if new:
            cursor.execute(
                "INSERT INTO search_pg_value (v, facet, value) "
                "SELECT (s.slot << %s) | nextval('search_pg_value_v_seq'), s.facet, s.value "
                "FROM unnest(%s::int[], %s::text[], %s::text[]) AS s(slot, facet, value) "
                "ON CONFLICT (facet, value) DO NOTHING",
                [
                    SLOT_SHIFT,
                    [FACET_SLOTS[f] for f, _ in new],
                    [f for f, _ in new],
                    [v for _, v in new],
                ],
            )
            known.update(self.lookup(cursor, new))
        return known

    def name(self, cursor, v: int) -> tuple[str, str] | None:
        if v not in self.values:
            cursor.execute("SELECT v, facet, value FROM search_pg_value WHERE v = %s", [v])
            self._remember(cursor.fetchall())
        return self.values.get(v)

    def names(self, cursor, vs: Iterable[int]) -> dict[int, tuple[str, str]]:
        missing = [v for v in set(vs) if v not in self.values]
        if missing:
            cursor.execute(
                "SELECT v, facet, value FROM search_pg_value WHERE v = ANY(%s::int[])", [missing]
            )
            self._remember(cursor.fetchall())
        return {v: self.values[v] for v in vs if v in self.values}


def vocabulary(folded: Folded) -> set[str]:
    """Words a spelling suggestion may offer: the subject's and the paragraphs' (the Whoosh
    engine offers paragraph words too, from its body lexicon), letters only, 3 or more."""
    found = set(folded.subject)
    found.update(folded.body)
    # Most of a cable's words were judged in earlier cables: set operations, not a regex each.
    if len(_ACCEPTED) + len(_REJECTED) > _JUDGED_MAX:
        _ACCEPTED.clear()
        _REJECTED.clear()
    for w in found - _ACCEPTED - _REJECTED:
        (_ACCEPTED if _VOCABULARY_WORD.fullmatch(w) else _REJECTED).add(w)
    return found & _ACCEPTED


@dataclass(frozen=True, slots=True)
class Prepared:
    """Documents read into what the tables take: all the Python work of a write, no I/O."""

    docs: list[CableDocument]
    vectors: list[str]  # tsvector literals, in the order of docs
    vocab: Counter


def prepare(docs: Iterable[CableDocument]) -> Prepared:
    """Pure computation (thread-safe): the pipelined writer runs it beside the database's work."""
    kept: list[CableDocument] = []
    vectors: list[str] = []
    vocab: Counter = Counter()
    for doc in docs:
        folded = fold(doc.subject, doc.paragraphs)
        vocab.update(vocabulary(folded))
        kept.append(doc)
        vectors.append(
            document_vector(
                folded,
                doc.tags,
                doc.origin,
                doc.classification,
                doc.id,
                addressees=" ".join([*doc.addressees, *doc.addressee_codes]),
                signer=doc.signer,
                markings=marking_codes(doc.markings),
                anomalies=doc.anomalies,
            )
        )
    return Prepared(kept, vectors, vocab)


def write_chunks(
    cursor, chunks: Iterator[list[CableDocument]], value_ids: ValueIds
) -> Iterator[tuple[set[str], int]]:
    """Upsert each chunk (``prepare`` then ``put``), yielding (ids written, count) as each
    lands; the next chunk's literals are built in a thread while the server parses and
    indexes this one's (the socket wait frees the GIL), which overlaps most of the client's
    and the server's work."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-prepare") as pool:
        pending: Future | None = None
        for chunk in chunks:
            ready = pool.submit(prepare, chunk)
            if pending is not None:
                yield put(cursor, pending.result(), value_ids)
            pending = ready
        if pending is not None:
            yield put(cursor, pending.result(), value_ids)


def put(cursor, prepared: Prepared, value_ids: ValueIds) -> tuple[set[str], int]:
    """Write prepared documents (one COPY and three statements)."""
    rows = prepared.docs
    written = {doc.id for doc in rows}
    if not rows:
        return written, 0
    ids = value_ids.ensure(cursor, (p for doc in rows for p in facet_values(doc)))
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS search_pg_incoming (id text, stamp text, tsv text, "
        "vals int[], day int, newest bigint, oldest bigint) ON COMMIT DELETE ROWS"
    )
    cursor.execute("TRUNCATE search_pg_incoming")
    raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
    with raw.copy(
        "COPY search_pg_incoming (id, stamp, tsv, vals, day, newest, oldest) FROM STDIN"
    ) as copy:
        for doc, vector in zip(rows, prepared.vectors, strict=True):
            newest, oldest = order_keys(doc)
            vals = sorted(ids[p] for p in facet_values(doc))
            copy.write_row(
                (
                    doc.id,
                    doc.stamp,
                    vector,
                    "{" + ",".join(map(str, vals)) + "}",
                    day_of(doc),
                    newest,
                    oldest,
                )
            )
    cursor.execute(
        "INSERT INTO search_pg_doc (id, stamp, tsv) "
        "SELECT id, stamp, tsv::tsvector FROM search_pg_incoming ORDER BY id "
        "ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp, tsv = excluded.tsv"
    )
    cursor.execute(
        "INSERT INTO search_pg_facet (n, vals, day, newest, oldest) "
        "SELECT d.n, i.vals, i.day, i.newest, i.oldest "
        "FROM search_pg_incoming i JOIN search_pg_doc d ON d.id = i.id ORDER BY d.n "
        "ON CONFLICT (n) DO UPDATE SET vals = excluded.vals, day = excluded.day, "
        "newest = excluded.newest, oldest = excluded.oldest"
    )
    if prepared.vocab:
        items = sorted(prepared.vocab.items())
        cursor.execute(
            "INSERT INTO search_pg_word (word, docs) "
            "SELECT * FROM unnest(%s::text[], %s::int[]) "
            "ON CONFLICT (word) DO UPDATE SET docs = search_pg_word.docs + excluded.docs",
            [[w for w, _ in items], [c for _, c in items]],
        )
    return written, len(rows)


def delete(cursor, ids: list[str]) -> None:
    if ids:
        cursor.execute("DELETE FROM search_pg_doc WHERE id = ANY(%s::text[])", [ids])


def mark_paired(cursor) -> None:
    """Every vector of the index now holds pair lexemes (analysis.PAIR_PREFIX)."""
    cursor.execute(
        "INSERT INTO search_pg_meta VALUES ('pairs', 1) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )


def bump_generation(cursor, *, built: bool = False) -> None:
    cursor.execute(
        "UPDATE search_pg_meta SET value = CASE key WHEN 'generation' THEN value + 1 "
        "ELSE %s END WHERE key = 'generation' OR (key = 'built' AND %s)",
        [1, built],
    )
