"""How stored cable text and uploads are compressed: zstandard with a dictionary shipped here.

Measured on the shared corpus's 1,562 cablegate pages (docs/importing.md, "Storage"): zlib
(stdlib) keeps 25% of a page and 44% of a cable's text; zstandard with a dictionary trained on
the bundled sample's texts (``cables/data/zstd/``) keeps less of the text at a fifth of zlib's
CPU, and a page compressed against three sample pages and its own cable text (the page repeats
the navigation of every page and the text) keeps under 1%.

Every blob starts with one byte saying how it was written, so a new dictionary can come later
without rewriting what is stored: a blob is read with the dictionary it names. A blob written
against a base text (``base=``) needs that same base to be read: the caller keeps it (an upload
is read against its form's cable text, a shown form's text against its cable's paragraphs).
"""

from __future__ import annotations

import html
import threading
from functools import cache
from pathlib import Path

import zstandard

DICTIONARY_DIR = Path(__file__).resolve().parent / "data" / "zstd"
# Scheme bytes. Never reuse or renumber one: stored blobs name them.
PLAIN = 0  # the bytes themselves (too short to gain from compression)
ZSTD_DICT_1 = 1  # zstandard, dictionary cables-1.dict
ZSTD_PAGES_1_BASE = 2  # zstandard, raw dictionary: pages-1.html, then a base text
ZSTD_BASE = 3  # zstandard, raw dictionary: a base text alone
LEVEL = 3  # higher levels gain 5-8% for 3-5 times the CPU (measured)
MIN_COMPRESSED = 64  # below this, the frame header costs more than it saves


@cache
def _file(name: str) -> bytes:
    return (DICTIONARY_DIR / name).read_bytes()


@cache
def _dictionary() -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(_file("cables-1.dict"))


# One (de)compressor per thread: python-zstandard's objects are not safe to share between
# threads (gunicorn's threaded workers read paragraphs concurrently: "Data corruption detected").
_local = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    if not hasattr(_local, "compressor"):
        _local.compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=_dictionary())
    return _local.compressor


def _decompressor() -> zstandard.ZstdDecompressor:
    if not hasattr(_local, "decompressor"):
        _local.decompressor = zstandard.ZstdDecompressor(dict_data=_dictionary())
    return _local.decompressor


def _raw_dictionary(scheme: int, base: bytes | str) -> zstandard.ZstdCompressionDict:
    # A raw-content dictionary: what the data repeats of it costs a few bytes per match. Three
    # real cablegate pages come first for uploads: their navigation is what every page repeats.
    base_raw = base.encode("utf-8") if isinstance(base, str) else base
    prefix = _file("pages-1.html") if scheme == ZSTD_PAGES_1_BASE else b""
    return zstandard.ZstdCompressionDict(
        prefix + base_raw, dict_type=zstandard.DICT_TYPE_RAWCONTENT
    )


def original_base(kind: str, text: str) -> str:
    """The base an upload of this kind is compressed against: its cable text as the upload
    spells it (a cablegate page writes line breaks as ``&#x000A;`` and escapes <, >, &)."""
    if kind in ("html", "html-body"):
        return html.escape(text, quote=False).replace("\n", "&#x000A;")
    return text


def compress(data: bytes | str, *, base: bytes | str | None = None, pages: bool = False) -> bytes:
    """``data`` as a stored blob. With ``base``, what it repeats of that text is nearly free
    (``pages``: and what it repeats of a cablegate page); :func:`decompress` needs the same
    base."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) < MIN_COMPRESSED:
        return bytes([PLAIN]) + raw
    if base is None:
        return bytes([ZSTD_DICT_1]) + _compressor().compress(raw)
    scheme = ZSTD_PAGES_1_BASE if pages else ZSTD_BASE
    compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=_raw_dictionary(scheme, base))
    return bytes([scheme]) + compressor.compress(raw)


def needs_base(blob: bytes | memoryview) -> bool:
    return bool(blob) and blob[0] in (ZSTD_PAGES_1_BASE, ZSTD_BASE)


def decompress(blob: bytes | memoryview, *, base: bytes | str | None = None) -> bytes:
    """The bytes :func:`compress` was given."""
    blob = bytes(blob)
    if not blob:
        return b""
    scheme, payload = blob[0], blob[1:]
    if scheme == PLAIN:
        return payload
    if scheme == ZSTD_DICT_1:
        return _decompressor().decompress(payload)
    if scheme in (ZSTD_PAGES_1_BASE, ZSTD_BASE):
        if base is None:
            raise ValueError("this blob was compressed against a base text: give it")
        decompressor = zstandard.ZstdDecompressor(dict_data=_raw_dictionary(scheme, base))
        return decompressor.decompress(payload)
    raise ValueError(f"unknown compression scheme {scheme}")


def paragraphs_base(texts) -> str:
    """The base a shown form's cable text is compressed against: its cable's paragraphs (the
    text repeats them nearly whole, so the form costs little more than its header)."""
    return "\n\n".join(texts)


def compress_original(kind: str, text: str, data: bytes) -> bytes:
    """An upload, against its form's cable text as the upload spells it, and sample pages."""
    return compress(data, base=original_base(kind, text), pages=True) if data else b""


def decompress_original(kind: str, text: str, blob: bytes | memoryview) -> bytes:
    return decompress(blob, base=original_base(kind, text)) if blob else b""


def decompress_text(blob: bytes | memoryview, *, base: bytes | str | None = None) -> str:
    return decompress(blob, base=base).decode("utf-8")
