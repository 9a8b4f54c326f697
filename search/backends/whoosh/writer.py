"""Index writers that keep each term's postings together instead of sorting one big list.

whoosh3's ``SegmentWriter`` puts every posting of every document into a ``PostingPool``: a
tuple per posting (field, term, docnum, weight, value), sized in Python, sorted as a whole at
the end, and pickled to disk and merged back once the pool passes ``limitmb``. At ~600
postings a cable that was most of the import's CPU (7.7 ms a cable written, cProfile: the
pool, the spill and the merge before any block is written).

Documents are added in docnum order and a document gives each term once per field, so a
term's postings arrive already in order: ``TermPool`` keeps them per field and term in
compact arrays, and ``GroupedSegmentWriter`` writes each term's postings to its block writer
in bulk (``PackedPostingsWriter.add_many``). Only the term names are sorted. The segment's
files are the same as whoosh3's writer makes, byte for byte (tests/search/
test_whoosh_writer.py).

Postings that do not come from ``add_document`` (a merge of older segments through
``add_reader``) still go through whoosh3's own pool, so a merge's memory stays bounded by
``limitmb``; a segment with both is written from the two streams merged in order.

``GroupedMpWriter`` is whoosh3's ``MpWriter`` (two processes, one segment each) whose
sub-writers are ``GroupedSegmentWriter``s. The whoosh3 internals this relies on are listed in
fixes.py.
"""

from __future__ import annotations

import heapq
import pickle
import queue
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.writing import IndexingError, PostingPool, SegmentWriter

from search.backends.whoosh.blocks import PackedCodec

# A term's postings: docnums, weights (doubles, as whoosh3 compares them before storing
# float32) and values (mostly the same few byte strings, shared).
_Entry = tuple[array, array | list, list]


class TermPool:
    """Postings grouped by field and term, for a writer that adds documents in docnum order.

    ``add`` (whoosh3's pool interface, used by merges) goes to an ordinary ``PostingPool``.
    """

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128) -> None:
        self.fields: dict[str, dict[bytes, _Entry]] = {}
        # Fields whose postings may repeat a docnum (whoosh3 adds a spelling word with docnum
        # 0 for each document that has it): sorted as whole tuples when written.
        self.unordered: set[str] = set()
        self.other = PostingPool(tempstore, segment, limitmb=limitmb)

    @property
    def fieldnames(self) -> set[str]:
        return {name for name, terms in self.fields.items() if terms} | self.other.fieldnames

    def add_terms(
        self,
        fieldname: str,
        docnum: int,
        items: Iterable[tuple[bytes, int, float, bytes]],
        boost: float,
        scorable: bool,
    ) -> int:
        """Add one document's postings for one field; returns the field's length."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        length = 0
        get = terms.get
        for tbytes, freq, weight, vbytes in items:
            entry = get(tbytes)
            if entry is None:
                entry = terms[tbytes] = (array("I"), array("d"), [])
            entry[0].append(docnum)
            entry[1].append(weight * boost)
            entry[2].append(vbytes)
            if scorable:
                length += freq
        return length

    def add_unordered(self, fieldname: str, tbytes: bytes, docnum: int, weight, vbytes) -> None:
        self.unordered.add(fieldname)
        terms = self.fields.setdefault(fieldname, {})
        entry = terms.get(tbytes)
        if entry is None:
            # Weights as given (whoosh3 passes an int here, and pickles the block's largest
            # weight as it was given).
            entry = terms[tbytes] = (array("I"), [], [])
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(vbytes)

    def add(self, item: tuple) -> None:
        self.other.add(item)

    def has_other(self) -> bool:
        return bool(self.other.current or self.other.runs)

    def grouped(self) -> Iterator[tuple[str, Iterator[tuple[bytes, _Entry]]]]:
        """(field, (term, postings) in term order), fields in name order."""
        for fieldname in sorted(self.fields):
            if self.fields[fieldname]:  # an empty value gave no terms: no field, as whoosh3
                yield fieldname, self._terms(fieldname)

    def _terms(self, fieldname: str) -> Iterator[tuple[bytes, _Entry]]:
        terms = self.fields[fieldname]
        unordered = fieldname in self.unordered
        for tbytes in sorted(terms):
            ids, weights, values = terms[tbytes]
            if unordered:
                rows = sorted(zip(ids, weights, values, strict=True))
                ids = array("I", (r[0] for r in rows))
                weights = [r[1] for r in rows]
                values = [r[2] for r in rows]
            yield tbytes, (ids, weights, values)

    def iter_postings(self) -> Iterator[tuple]:
        """Every posting as whoosh3's pool gives it: (field, term, docnum, weight, value) in
        order."""
        mine = (
            (fieldname, tbytes, docnum, weight, value)
            for fieldname, terms in self.grouped()
            for tbytes, (ids, weights, values) in terms
            for docnum, weight, value in zip(ids, weights, values, strict=True)
        )
        if not self.has_other():
            return mine
        return heapq.merge(mine, self.other.iter_postings())

    def cleanup(self) -> None:
        self.other.cleanup()


class GroupedSegmentWriter(SegmentWriter):
    """whoosh3's SegmentWriter with a ``TermPool``: same segment, a fraction of the work."""

    def __init__(self, ix: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        if any(field.vector for _, field in self.schema.items()):
            self.cancel()
            raise NotImplementedError("GroupedSegmentWriter does not write term vectors")
        self.pool = TermPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def add_document(self, **fields: Any) -> None:
        # whoosh3's add_document (writing.py), each field's postings handed over together.
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                vbytes = None
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    items = field.index(value)
                    if not isinstance(items, list):  # StemmedText gives a list already
                        items = list(items)
                    length = pool.add_terms(fieldname, docnum, items, boost, field.scorable)
                    if items:
                        vbytes = items[-1][3]
                if field.separate_spelling():
                    # whoosh3 gives each spelling word the last posting's value: kept, so the
                    # segment is the same as its writer's.
                    spellfield = field.spelling_fieldname(fieldname)
                    for word in field.spellable_words(value):
                        pool.add_unordered(spellfield, word.encode("utf-8"), 0, 1, vbytes)
                customval = fields.get(f"_stored_{fieldname}", value)
                stored = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, stored, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(customval)
                    )
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        pool = self.pool
        if pool.has_other() or not isinstance(self.codec, PackedCodec) or self.codec.length_stats:
            super()._flush_segment()
            return
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        for fieldname, terms in pool.grouped():
            fieldwriter.start_field(fieldname, self.schema[fieldname])
            for tbytes, (ids, weights, values) in terms:
                fieldwriter.start_term(tbytes)
                fieldwriter._postwriter.add_many(ids, weights, values)
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()


class _GroupedSubWriter(SubWriterTask):
    """whoosh3's sub-writer process loop (multiproc.SubWriterTask.run, multisegment only)
    with a GroupedSegmentWriter."""

    def run(self) -> None:
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = GroupedSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
        if not self.running:
            writer.cancel()
            return
        fieldnames = writer.pool.fieldnames
        segment = writer._finalize_segment()
        self.resultqueue.put((None, fieldnames, segment), timeout=5)


def _run_grouped_subwriter(storage, indexname, jobqueue, resultqueue, kwargs, multisegment):
    _GroupedSubWriter(storage, indexname, jobqueue, resultqueue, kwargs, multisegment).run()


class GroupedMpWriter(MpWriter):
    """whoosh3's MpWriter, each sub-writer process a GroupedSegmentWriter writing its own
    segment (``multisegment``)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs["multisegment"] = True
        super().__init__(ix, **kwargs)

    def _commit(self, mergetype, optimize, merge) -> None:
        # whoosh3's MpWriter._commit (multisegment), except that a sub-writer that died (its
        # segment missing from the results) fails the commit instead of being left out of
        # it, and that a failure anywhere releases the lock (whoosh3's left it held).
        try:
            if self.docbuffer:
                self._enqueue()
            for _task in self.tasks:
                self._put(None)
            finalsegments = self._merge_segments(mergetype, optimize, merge)
            for task in self.tasks:
                task.join()
            results = []
            for _task in self.tasks:
                try:
                    results.append(self.resultqueue.get(timeout=1))
                except queue.Empty:
                    break
            if len(results) < len(self.tasks):
                codes = [task.exitcode for task in self.tasks]
                raise IndexingError(
                    f"{len(self.tasks) - len(results)} of {len(self.tasks)} index writer "
                    f"processes failed (exit codes {codes}); nothing was committed"
                )
            finalsegments += [segment for _, _, segment in results]
            if self._added:
                finalsegments.append(self._finalize_segment())
            else:
                self._close_segment()
            self._commit_toc(finalsegments)
            self._finish()
        except BaseException:
            self._abandon()
            raise

    def _enqueue(self) -> None:
        # whoosh3's MpWriter._enqueue, with a put that notices dead sub-writers.
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []

    def _put(self, job) -> None:
        """Queue a job; whoosh3 waited forever once every sub-writer had died."""
        while True:
            try:
                self.jobqueue.put(job, timeout=1.0)
                return
            except queue.Full:
                if not any(task.is_alive() for task in self.tasks):
                    codes = [task.exitcode for task in self.tasks]
                    raise IndexingError(
                        f"every index writer process stopped (exit codes {codes})"
                    ) from None

    def _abandon(self) -> None:
        """Drop this writer's work and release the index's lock (after a failure)."""
        if self.is_closed:
            return
        try:
            SegmentWriter.cancel(self)
        except Exception:
            self._cleanup_on_error()

    def _new_task(self):
        args = (
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        task = self._mpctx.Process(target=_run_grouped_subwriter, args=args)
        self.tasks.append(task)
        task.start()
        return task


def open_writer(ix: Any, procs: int = 1, **kwargs: Any) -> SegmentWriter:
    """``ix.writer(...)`` with grouped pools: a GroupedMpWriter for ``procs`` > 1."""
    if procs > 1:
        return GroupedMpWriter(ix, procs=procs, **kwargs)
    return GroupedSegmentWriter(ix, **kwargs)
