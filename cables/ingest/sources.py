"""Walk import inputs (files, folders, archives, a cables.csv) and hand out one item at a time.

Formats are recognised by their first bytes, not by file name: zip, tar, gzip, xz and bz2
magic numbers, and the full release's ``cables.csv`` layout. Everything else is handed to the
parser, which refuses what is not a cable.

Memory stays bounded whatever the input size: archives are streamed member by member, a
nested zip (which needs random access) is spooled to a temporary file, and no single member
larger than ``max_file_bytes`` is ever read (a cables.csv is streamed row by row instead).

Hostile input gives a :class:`SourceFailure` with a reason and the walk goes on with the next
member or input: decompression bombs (a per-member compression ratio limit and a total
uncompressed size limit per input), too many members, unsafe member paths (``..``, absolute),
links and device files, archives nested too deep and oversized files.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import struct
import tarfile
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from cables.parsing.decode import decode_bytes

CHUNK = 1024 * 1024
SNIFF_BYTES = 512
# Below this many uncompressed bytes a high ratio is harmless (tiny, repetitive files).
RATIO_GRACE_BYTES = 1024 * 1024
# A nested zip is spooled to disk beyond this size rather than held in memory.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024

# Longest member or file name kept (UTF-8 bytes): a longer one is refused, never stored.
MAX_NAME_BYTES = 4096
# Largest tar header extension read (GNU long name or link, pax record block): tarfile reads
# these whole before handing out the member, so a 1.5 GB "name" would be held in memory.
MAX_TAR_HEADER_BYTES = 64 * 1024

# Files that travel with cable folders and archives but are not cables: skipped silently.
IGNORED_NAMES = {"readme", "readme.md", "readme.txt", ".ds_store", "thumbs.db"}


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = 4 * 1024 * 1024  # one cable file (or cables.csv row)
    max_paragraphs: int = 5000  # in one cable
    max_paragraph_chars: int = 200_000
    max_archive_bytes: int = 8 * 1024**3
    max_members: int = 1_000_000
    max_ratio: int = 200
    max_depth: int = 3
    # CPU seconds one top-level input may cost (reading, unpacking and parsing it): this many,
    # plus ``cpu_seconds_per_mb`` for each MB of the input file.
    cpu_seconds: float = 120.0
    cpu_seconds_per_mb: float = 4.0

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_file_bytes=settings.CABLESEARCH_MAX_FILE_BYTES,
            max_paragraphs=settings.CABLESEARCH_MAX_PARAGRAPHS,
            max_paragraph_chars=settings.CABLESEARCH_MAX_PARAGRAPH_CHARS,
            max_archive_bytes=settings.CABLESEARCH_MAX_ARCHIVE_BYTES,
            max_members=settings.CABLESEARCH_MAX_ARCHIVE_MEMBERS,
            max_ratio=settings.CABLESEARCH_MAX_COMPRESSION_RATIO,
            max_depth=settings.CABLESEARCH_MAX_ARCHIVE_DEPTH,
            cpu_seconds=settings.CABLESEARCH_MAX_INPUT_CPU_SECONDS,
            cpu_seconds_per_mb=settings.CABLESEARCH_INPUT_CPU_SECONDS_PER_MB,
        )


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file's bytes, to be parsed: ``source`` is a path or ``archive.zip:member/path``."""

    source: str
    data: bytes


@dataclass(frozen=True, slots=True)
class SourceCsv:
    """A cables.csv to read row by row. ``stream`` is only valid until the walk moves on."""

    source: str
    stream: BinaryIO


@dataclass(frozen=True, slots=True)
class SourceFailure:
    source: str
    error: str


SourceItem = SourceFile | SourceCsv | SourceFailure


class LimitExceeded(Exception):
    """An input broke a limit: the message says which, in words for the user."""


def sniff(head: bytes) -> str:
    """What the first bytes of an input say it is: zip, gzip, xz, bz2, tar, csv or other."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"BZh") and head[3:4].isdigit():
        return "bz2"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if _looks_like_cables_csv(head):
        return "csv"
    return "other"


def _looks_like_cables_csv(head: bytes) -> bool:
    # The full release's cables.csv rows start `"1","12/28/1966 18:48","66BUENOSAIRES2481",`;
    # a header row naming the columns is accepted too.
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b'"'):
        first, _, rest = text[1:].partition(b'"')
        return first.isdigit() and rest.startswith(b',"')
    lowered = text[:200].lower()
    return lowered.startswith((b"id,", b'"id",')) and b"body" in lowered.split(b"\n", 1)[0]


class _Budget:
    """Uncompressed bytes and CPU seconds one top-level input may cost, across all its layers.

    CPU time is the reading process's own (``time.process_time``), so it covers unpacking and
    parsing alike: a bomb that stays under the ratio and byte limits still stops in time.
    """

    def __init__(self, limit: int, source: str, cpu_seconds: float = float("inf")) -> None:
        self.limit = limit
        self.used = 0
        self.source = source
        self.cpu_seconds = cpu_seconds
        self._cpu_start = time.process_time()

    def consume(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise LimitExceeded(
                f"expands to more than {_size(self.limit)} uncompressed "
                "(decompression bomb?): the rest of this input was skipped"
            )
        self.check_time()

    def check_time(self) -> None:
        if time.process_time() - self._cpu_start > self.cpu_seconds:
            raise LimitExceeded(
                f"took more than {self.cpu_seconds:.0f} CPU seconds to read "
                "(decompression bomb?): the rest of this input was skipped"
            )


class _CountingReader(io.RawIOBase):
    """Counts bytes read from a stream; optionally charges a budget and checks a ratio."""

    def __init__(
        self,
        stream: BinaryIO,
        *,
        budget: _Budget | None = None,
        compressed: _CountingReader | None = None,
        max_ratio: int = 0,
    ) -> None:
        self._stream = stream
        self._budget = budget
        self._compressed = compressed
        self._max_ratio = max_ratio
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        if self._budget is not None:
            self._budget.consume(n)
        if self._compressed is not None and self.count > RATIO_GRACE_BYTES:
            packed = max(self._compressed.count, 1)
            if self.count / packed > self._max_ratio:
                raise LimitExceeded(
                    f"compression ratio above {self._max_ratio}:1 (decompression bomb?): "
                    "the rest of this input was skipped"
                )
        return n


def _buffered(raw: io.RawIOBase) -> io.BufferedReader:
    return io.BufferedReader(raw, buffer_size=CHUNK)


def _peek(stream: io.BufferedReader, n: int = SNIFF_BYTES) -> bytes:
    """The first ``n`` bytes without consuming them (one raw read may return fewer)."""
    head = stream.peek(n)[:n]
    return head


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


def _unsafe_member(name: str) -> str:
    """Why a member path is refused, or "" when it is safe."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "absolute path in archive: skipped"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return "path escapes the archive (..): skipped"
    return ""


def clean_name(name: str) -> str:
    """A file or member name as text that can be stored and printed.

    Names come from the file system or an archive header as bytes in no known encoding (Python
    keeps undecodable bytes as surrogates); they are decoded the way cable text is, so
    ``caf\xe9.txt`` reads "café.txt" and never breaks the database or the terminal.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name = decode_bytes(name.encode("utf-8", "surrogateescape"))
    return name


def _name_too_long(name: str) -> bool:
    return len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES


def _short(name: str) -> str:
    """The start of a name too long to keep, to say which member was refused."""
    return name[:200] + "…"


class _BoundedTarInfo(tarfile.TarInfo):
    """Refuse tar header extensions too big to be a name before tarfile reads them whole."""

    def _proc_gnulong(self, tarfile):  # noqa: ANN001, ANN202 - tarfile's own hooks
        self._check_extension_size()
        return super()._proc_gnulong(tarfile)

    def _proc_pax(self, tarfile):  # noqa: ANN001, ANN202
        self._check_extension_size()
        return super()._proc_pax(tarfile)

    def _check_extension_size(self) -> None:
        if self.size > MAX_TAR_HEADER_BYTES:
            raise LimitExceeded(
                f"a member header of {_size(self.size)} (a name longer than "
                f"{MAX_NAME_BYTES} bytes?): the rest of this archive was skipped"
            )


def _ignored(name: str) -> bool:
    base = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].lower()
    return (
        base in IGNORED_NAMES
        or base.startswith("._")
        or "__MACOSX/" in name.replace("\\", "/") + "/"
    )


class Sources:
    """Iterate the items of some paths, recording progress in bytes of the inputs read.

    ``bytes_total`` is the size of all input files; ``bytes_done`` how much of them has been
    read so far (for progress bars: archives are read front to back).
    """

    def __init__(
        self,
        paths: Iterable[str | os.PathLike],
        limits: Limits | None = None,
        *,
        root: str | os.PathLike | None = None,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self.limits = limits or Limits()
        # Source names are given relative to ``root`` when set (uploads: "imports/12/a.zip").
        self.root = Path(root) if root is not None else None
        self.bytes_total = sum(_regular_size(path) for path, _ in self._files())
        self._done_before = 0
        self._current: BinaryIO | None = None

    @property
    def bytes_done(self) -> int:
        current = 0
        if self._current is not None and not self._current.closed:
            current = self._current.tell()
        return self._done_before + current

    def _name(self, path: Path) -> str:
        if self.root is not None and path.is_relative_to(self.root):
            return clean_name(str(path.relative_to(self.root)))
        return clean_name(str(path))

    def _files(self, paths: list[Path] | None = None) -> Iterator[tuple[Path, str]]:
        """Every file to read, folders walked in order (what each is, _read_file checks)."""
        for path in self.paths if paths is None else paths:
            if path.is_dir():
                for root, dirs, files in os.walk(path):
                    dirs.sort()
                    for name in sorted(files):
                        if not _ignored(name):
                            yield Path(root) / name, self._name(Path(root) / name)
            elif path.is_file():
                yield path, self._name(path)

    def __iter__(self) -> Iterator[SourceItem]:
        for path in self.paths:  # in the order given, so failures come out where they belong
            if not path.exists():
                yield SourceFailure(self._name(path), "no such file or folder")
            elif not (path.is_dir() or path.is_file()):
                yield SourceFailure(self._name(path), "not a regular file or folder: skipped")
            else:
                for file, source in self._files([path]):
                    yield from self._read_file(file, source)

    def _read_file(self, path: Path, source: str) -> Iterator[SourceItem]:
        size = _regular_size(path)
        try:
            if _name_too_long(source):
                yield SourceFailure(
                    _short(source), f"name longer than {MAX_NAME_BYTES} bytes: skipped"
                )
                return
            raw = _open_regular(path)
            if raw is None:
                # A FIFO would block for ever and a device (/dev/zero) read without end.
                yield SourceFailure(source, "not a regular file (device, FIFO or socket): skipped")
                return
            with raw:
                self._current = raw
                yield from self._top_level(raw, source, size)
        except OSError as exc:
            yield SourceFailure(source, f"cannot read: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - one input's failure line; the rest goes on
            yield SourceFailure(source, f"could not be read ({type(exc).__name__}: {exc})")
        finally:
            self._current = None
            self._done_before += size

    def _top_level(self, raw: BinaryIO, source: str, size: int) -> Iterator[SourceItem]:
        head = raw.read(SNIFF_BYTES)
        raw.seek(0)
        kind = sniff(head)
        cpu = self.limits.cpu_seconds + self.limits.cpu_seconds_per_mb * size / 1024**2
        budget = _Budget(self.limits.max_archive_bytes, source, cpu)
        if kind == "zip":
            yield from self._guard(self._zip(raw, source, budget, depth=1), source)
        elif kind in ("gzip", "xz", "bz2", "tar"):
            stream = _buffered(_CountingReader(raw))
            yield from self._guard(self._compressed_or_tar(stream, kind, source, budget, 1), source)
        elif kind == "csv":
            yield SourceCsv(source, raw)
        elif size > self.limits.max_file_bytes:
            yield self._too_big(source)
        else:
            yield SourceFile(source, raw.read())

    def _too_big(self, source: str) -> SourceFailure:
        return SourceFailure(
            source, f"file larger than {_size(self.limits.max_file_bytes)}: skipped"
        )

    def _guard(self, items: Iterator[SourceItem], source: str) -> Iterator[SourceItem]:
        """Turn a broken or hostile archive into one failure line; what came before stands."""
        try:
            yield from items
        except LimitExceeded as exc:
            yield SourceFailure(source, str(exc))
        except (tarfile.TarError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            yield SourceFailure(source, f"damaged archive: {exc}")
        except (EOFError, lzma.LZMAError, zlib.error, gzip.BadGzipFile, OSError) as exc:
            yield SourceFailure(source, f"damaged or truncated compressed data: {exc}")

    def _compressed_or_tar(
        self, stream: io.BufferedReader, kind: str, source: str, budget: _Budget, depth: int
    ) -> Iterator[SourceItem]:
        if kind == "tar":
            yield from self._tar(stream, source, budget, depth)
            return
        packed = _CountingReader(stream)
        with _decompressor(kind, packed) as decompressed:
            unpacked = _buffered(
                _CountingReader(
                    decompressed, budget=budget, compressed=packed, max_ratio=self.limits.max_ratio
                )
            )
            if sniff(_peek(unpacked)) == "tar":
                yield from self._tar(unpacked, source, budget, depth)
            else:
                # A single compressed file (cable.txt.gz, cables.csv.xz): read it as a member.
                yield from self._member(unpacked, source, budget, depth, size=None)

    def _tar(
        self, stream: BinaryIO, source: str, budget: _Budget, depth: int
    ) -> Iterator[SourceItem]:
        members = 0
        with tarfile.open(fileobj=stream, mode="r|", tarinfo=_BoundedTarInfo) as archive:
            for info in archive:
                name = clean_name(info.name)
                member_source = f"{source}:{name}"
                if info.isdir() or _ignored(name):
                    continue
                members += 1
                if members > self.limits.max_members:
                    yield SourceFailure(
                        source,
                        f"more than {self.limits.max_members} members: the rest was skipped",
                    )
                    return
                if _name_too_long(name) or _name_too_long(info.linkname):
                    yield SourceFailure(
                        _short(member_source), f"name longer than {MAX_NAME_BYTES} bytes: skipped"
                    )
                elif reason := _unsafe_member(name):
                    yield SourceFailure(member_source, reason)
                elif info.issym():
                    yield SourceFailure(member_source, "symbolic link in archive: skipped")
                elif info.islnk():
                    yield SourceFailure(member_source, "hard link in archive: skipped")
                elif not info.isreg():
                    yield SourceFailure(member_source, "device or special file in archive: skipped")
                else:
                    member = archive.extractfile(info)
                    assert member is not None  # regular files always have data
                    counted = _buffered(_CountingReader(member))
                    yield from self._member(counted, member_source, budget, depth, size=info.size)

    def _zip(self, raw: BinaryIO, source: str, budget: _Budget, depth: int) -> Iterator[SourceItem]:
        declared = _zip_declared_entries(raw)
        if declared is not None and declared > self.limits.max_members:
            # Refused before zipfile reads the whole central directory into memory.
            yield SourceFailure(
                source,
                f"more than {self.limits.max_members} members "
                f"({declared}): the archive was skipped",
            )
            return
        try:
            archive = zipfile.ZipFile(raw)
        except UnicodeDecodeError:
            # zipfile decodes every name up front and has no lenient mode for a member whose
            # "UTF-8" flag lies: the archive cannot be listed at all.
            yield SourceFailure(
                source,
                "a member name is marked UTF-8 but is not (damaged archive): the archive was skipped",
            )
            return
        with archive:
            infos = [i for i in archive.infolist() if not i.is_dir() and not _ignored(i.filename)]
            if len(infos) > self.limits.max_members:
                yield SourceFailure(
                    source,
                    f"more than {self.limits.max_members} members "
                    f"({len(infos)}): the archive was skipped",
                )
                return
            for info in infos:
                member_source = f"{source}:{clean_name(info.filename)}"
                mode = (info.external_attr >> 16) & 0o170000
                if _name_too_long(info.filename):
                    yield SourceFailure(
                        _short(member_source), f"name longer than {MAX_NAME_BYTES} bytes: skipped"
                    )
                elif reason := _unsafe_member(info.filename):
                    yield SourceFailure(member_source, reason)
                elif mode == 0o120000:
                    yield SourceFailure(member_source, "symbolic link in archive: skipped")
                elif mode not in (0, 0o100000):
                    yield SourceFailure(member_source, "device or special file in archive: skipped")
                elif info.flag_bits & 0x1:
                    yield SourceFailure(member_source, "encrypted member: skipped")
                elif (
                    info.file_size > RATIO_GRACE_BYTES
                    and info.file_size / max(info.compress_size, 1) > self.limits.max_ratio
                ):
                    yield SourceFailure(
                        member_source,
                        f"compression ratio above {self.limits.max_ratio}:1 "
                        "(decompression bomb?): skipped",
                    )
                else:
                    yield from self._zip_member(archive, info, member_source, budget, depth)

    def _zip_member(
        self,
        archive: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        source: str,
        budget: _Budget,
        depth: int,
    ) -> Iterator[SourceItem]:
        try:
            with archive.open(info) as member:
                stream = _buffered(_CountingReader(member, budget=budget))
                yield from self._member(stream, source, budget, depth, size=info.file_size)
        except (zipfile.BadZipFile, NotImplementedError, zlib.error, lzma.LZMAError) as exc:
            yield SourceFailure(source, f"damaged archive member: {exc}")

    def _member(
        self,
        stream: io.BufferedReader,
        source: str,
        budget: _Budget,
        depth: int,
        size: int | None,
    ) -> Iterator[SourceItem]:
        """One file inside an archive (or a decompressed file): a cable, a csv or an archive."""
        kind = sniff(_peek(stream))
        if kind in ("zip", "gzip", "xz", "bz2", "tar"):
            if depth >= self.limits.max_depth:
                yield SourceFailure(
                    source,
                    f"archive nested more than {self.limits.max_depth} levels deep: skipped",
                )
            elif kind == "zip":
                yield from self._nested_zip(stream, source, budget, depth)
            else:
                yield from self._guard(
                    self._compressed_or_tar(stream, kind, source, budget, depth + 1), source
                )
        elif kind == "csv":
            yield SourceCsv(source, stream)
        elif size is not None and size > self.limits.max_file_bytes:
            yield self._too_big(source)
        else:
            data = stream.read(self.limits.max_file_bytes + 1)
            if len(data) > self.limits.max_file_bytes:
                yield self._too_big(source)
            else:
                yield SourceFile(source, data)

    def _nested_zip(
        self, stream: BinaryIO, source: str, budget: _Budget, depth: int
    ) -> Iterator[SourceItem]:
        # zipfile needs random access: spool the member (to disk beyond a few MB).
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as spool:
            while chunk := stream.read(CHUNK):
                spool.write(chunk)
            spool.seek(0)
            yield from self._guard(self._zip(spool, source, budget, depth + 1), source)  # type: ignore[arg-type]


def _regular_size(path: Path) -> int:
    """The size of a regular file (following links); 0 for anything else or a broken link."""
    try:
        info = path.stat()
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def _open_regular(path: Path) -> BinaryIO | None:
    """``path`` open for reading if it is a regular file (links followed), else None.

    Opened without blocking and checked on the open descriptor, so a FIFO or device swapped in
    after the folder was listed is never read either.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _zip_declared_entries(raw: BinaryIO) -> int | None:
    """The entry count a zip's end-of-central-directory record declares (None if unreadable)."""
    raw.seek(0, os.SEEK_END)
    size = raw.tell()
    tail_size = min(size, 65536 + 22)
    raw.seek(size - tail_size)
    tail = raw.read(tail_size)
    raw.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    if entries != 0xFFFF:
        return entries
    # Zip64: the locator just before the record points at the zip64 record.
    locator = at - 20
    if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
        return None
    (offset,) = struct.unpack_from("<Q", tail, locator + 8)
    raw.seek(offset)
    record = raw.read(56)
    raw.seek(0)
    if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
        return None
    (entries64,) = struct.unpack_from("<Q", record, 32)
    return entries64


def _decompressor(kind: str, packed: BinaryIO) -> BinaryIO:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=packed, mode="rb")
    if kind == "xz":
        return lzma.LZMAFile(packed, mode="rb")
    return bz2.BZ2File(packed, mode="rb")


def iter_sources(
    paths: Iterable[str | os.PathLike], limits: Limits | None = None
) -> Iterator[SourceItem]:
    """The items of ``paths`` in order (see :class:`Sources` for progress in bytes)."""
    return iter(Sources(paths, limits))
