"""The fence around the Whoosh engine's speed layer: the whoosh3 versions it was tested against,
the private whoosh3 internals it relies on, and the one patch it applies.

``apply()`` runs when search/backends/whoosh/backend.py is imported. On a whoosh3 version not in
TESTED_VERSIONS it refuses (UntestedWhoosh) instead of patching blindly: the layer below reads
whoosh3's private attributes, and a release that renames one would give wrong answers or slow
ones, not an error. To move to a new whoosh3: run tests/search (test_whoosh_*.py test every item
below against the real library) and the benchmark, then add the version here and pin it in
requirements.txt.

The patch: Whoosh writes each segment as one compound file, memory-maps it, and opens the files
inside through ``BufferFile(memoryview)``, which wraps the view in ``io.BytesIO``: BytesIO copies
a memoryview. Every reader therefore held a private copy of every segment's postings: at 220,000
cables the importer's index writer reached 5 GB, and each search thread of a server would copy
the whole index when it opened a searcher. Here the view is read in place (``ViewFile``).

Private whoosh3 internals relied on (module: what, and where we use it)

- ``whoosh.filedb.structfile.BufferFile.__init__`` and its attributes ``_buf``, ``_name``,
  ``file``, ``onclose``, ``is_real``, ``is_closed``: replaced here.
- ``whoosh.codec.whoosh3.W3PostingsWriter``: ``_ids``, ``_weights``, ``_values``, ``_byteids``,
  ``_format``, ``_mini_ids/_mini_weights/_mini_values`` (blocks.PackedPostingsWriter overrides
  how a block is written).
- ``whoosh.writing.SegmentWriter`` (writer.GroupedSegmentWriter: its ``add_document`` and
  ``_flush_segment`` rewritten): ``pool``, ``perdocwriter``, ``fieldwriter``, ``schema``,
  ``docnum``, ``codec``, ``_tempstorage``, ``newsegment``, ``_added``, ``_check_state``,
  ``_check_fields``, ``_doc_boost``, ``_field_boost``; ``whoosh.writing.PostingPool``
  (``current``, ``runs``, ``fieldnames``); the field writer's ``start_field``/``start_term``/
  ``finish_term``/``finish_field`` and ``_postwriter``; ``W3PostingsWriter._blocklimit``,
  ``_maxweight`` and ``_write_block()`` (blocks.PackedPostingsWriter.add_many).
- ``whoosh.multiproc``: ``MpWriter._new_task``, ``_enqueue`` and ``_commit`` (replaced) and
  its ``tasks``, ``jobqueue``, ``resultqueue``, ``docbuffer``, ``procs``, ``subargs``,
  ``multisegment``, ``_mpctx``; ``SubWriterTask``'s ``running``, ``writer`` and
  ``_process_file`` (writer.GroupedMpWriter runs its own sub-writer loop); the writer's
  ``_merge_segments``, ``_finalize_segment``, ``_close_segment``, ``_commit_toc``,
  ``_finish``, ``_cleanup_on_error`` and ``is_closed``; ``whoosh.util.random_name``.
- ``whoosh.codec.whoosh3.W3LeafMatcher``: ``_data`` (the unpickled block: ids, weights, values),
  ``_i``, ``_read_data()``, ``_next_block()``, ``_read_ids/_read_weights/_read_values``,
  ``_byteids`` (blocks.PackedLeafMatcher; docsets reads whole blocks through them);
  ``_baseoffset``, ``_nextoffset`` and ``_goto(offset)`` (docsets.BlockMap notes where each
  block starts while reading a term's postings, and later reads chosen blocks directly).
- ``whoosh.codec.whoosh3.W3Codec`` (subclassed by blocks.PackedCodec) and ``LENGTHS_COLUMN``.
- Column readers (``leaf.column_reader(..., translate=False)``): ``_count``, ``_fixedlen``,
  ``_dbfile.get()``, ``_basepos``, ``_typecode``; the per-document store ``leaf._perdoc.
  _cached_reader(name, column)`` for field lengths (arrays.py reads columns with numpy and
  checks the result against the public API on a sample).
- ``whoosh.util.numeric.byte_to_length`` (arrays.py), ``whoosh.reading.SegmentReader``
  (merging.py), ``segment.segment_id()`` (docsets.segment_key), ``reader.leaf_readers()``.
- ``whoosh.matching.FilterMatcher`` by class name, its ``_exclude`` and ``child`` (docsets reads
  the raw postings under a deletion filter, then masks the deleted documents itself).
- Query attributes ranking.py and docsets.py evaluate themselves: ``wq.Term``/``wq.Prefix``
  (``fieldname``, ``text``), ``wq.Phrase`` (``words``, ``slop``), ``wq.And``/``wq.Or``
  (``subqueries``), ``wq.AndNot`` (``a``, ``b``), ``wq.NumericRange`` (``start``, ``end``),
  ``wq.Every``.

Classes pickled into the index keep their import paths: an index written today is opened by
unpickling these by module and name, so moving or renaming one makes every existing index
unreadable (``manage.py rebuild_index`` would be the only way back):

- ``search.backends.whoosh.schema.StemmedText``, ``search.backends.whoosh.schema.
  CompactPositions`` (pickled with the schema in the table of contents);
- ``search.backends.whoosh.blocks.PackedCodec`` (pickled into each segment it writes) and the
  classes it names, ``PackedPostingsWriter`` and ``PackedLeafMatcher``, in the same module;
- the analyzers of search/backends/whoosh/schema.py are whoosh3's own classes (pickled too).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from whoosh.filedb import structfile

TESTED_VERSIONS = ("3.54.0",)


class UntestedWhoosh(RuntimeError):
    """The installed whoosh3 is not a version the speed layer was tested against."""


PEEK = 512  # bytes a peek() returns at most


class ViewFile:
    """A read-only, seekable file over a memoryview: reads copy only what they return."""

    __slots__ = ("_view", "_pos")

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def peek(self, size: int = 0) -> bytes:
        # pickle.load() reads a postings block header (~60 bytes) with ~20 small read() calls,
        # or, when the file can peek, one peek() and one read() of what it used. A short peek
        # is allowed (io.BufferedReader's may be short too) and copies little.
        return bytes(self._view[self._pos : self._pos + PEEK])

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._view)
        if size is not None and size >= 0:
            limit = min(limit, self._pos + size)
        end = self._pos
        while end < limit:
            chunk = bytes(self._view[end : min(end + 4096, limit)])
            newline = chunk.find(b"\n")
            if newline >= 0:
                end += newline + 1
                break
            end += len(chunk)
        return self.read(end - self._pos)

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self._pos
        elif whence == 2:
            offset += len(self._view)
        if offset < 0:
            raise ValueError("negative seek position")
        self._pos = offset
        return offset

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view = memoryview(b"")


def _buffer_file_init(self, buf, name=None, onclose=None) -> None:
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf) if isinstance(buf, memoryview) else structfile.BytesIO(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def installed_version() -> str:
    try:
        return version("whoosh3")
    except PackageNotFoundError:
        return "unknown"


def apply(installed: str | None = None) -> None:
    """Patch ``BufferFile.__init__`` (once), or refuse on an untested whoosh3 version."""
    installed = installed or installed_version()
    if installed not in TESTED_VERSIONS:
        raise UntestedWhoosh(
            f"whoosh3 {installed} is installed, but the Whoosh search engine was tested only "
            f"against {', '.join(TESTED_VERSIONS)}: it relies on whoosh3 internals listed in "
            "search/backends/whoosh/fixes.py. Install the tested version "
            f"(pip install whoosh3=={TESTED_VERSIONS[-1]}), or check those internals and add "
            "the version to fixes.TESTED_VERSIONS."
        )
    structfile.BufferFile.__init__ = _buffer_file_init
