"""A fix to whoosh3 3.54, applied when the backend is imported.

Whoosh writes each segment as one compound file, memory-maps it, and opens the files inside
through ``BufferFile(memoryview)``, which wraps the view in ``io.BytesIO``: BytesIO copies a
memoryview. Every reader therefore held a private copy of every segment's postings: at
220,000 cables the importer's index writer reached 5 GB, and each search thread of a server
would copy the whole index when it opened a searcher. Here the view is read in place.
"""

from __future__ import annotations

from whoosh.filedb import structfile

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


def apply() -> None:
    structfile.BufferFile.__init__ = _buffer_file_init
