"""How stored cable text and uploads are compressed: zstandard with a dictionary shipped here.

Measured on the shared corpus's 1,562 cablegate pages (docs/importing.md, "Storage"): zlib
(stdlib) keeps 25% of a page and 44% of a cable's text; zstandard with a dictionary trained on
the bundled sample's texts (``cables/data/zstd/``) keeps less of the text at a fifth of zlib's
CPU, and a page compressed against three sample pages and its own cable text (the page repeats
the navigation of every page and the text) keeps under 1%.

Every blob starts with one byte saying how it was written, so a new dictionary can come later
without rewriting what is stored: a blob is read with the dictionary it names.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

import zstandard

DICTIONARY_DIR = Path(__file__).resolve().parent / "data" / "zstd"
# Scheme bytes. Never reuse or renumber one: stored blobs name them.
PLAIN = 0  # the bytes themselves (too short to gain from compression)
ZSTD_DICT_1 = 1  # zstandard, dictionary cables-1.dict
ZSTD_PAGES_1_BASE = 2  # zstandard, raw dictionary: pages-1.html, then a base text (see below)
LEVEL = 3  # higher levels gain 5-8% for 3-5 times the CPU (measured)
BASE_LEVEL = 3  # level 9 saves ~100 bytes a page for twice the CPU (measured)
MIN_COMPRESSED = 64  # below this, the frame header costs more than it saves


@cache
def _dictionary_bytes() -> bytes:
    return (DICTIONARY_DIR / "cables-1.dict").read_bytes()


@cache
def _dictionary() -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(_dictionary_bytes())


@cache
def _compressor() -> zstandard.ZstdCompressor:
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=_dictionary())


@cache
def _decompressor() -> zstandard.ZstdDecompressor:
    return zstandard.ZstdDecompressor(dict_data=_dictionary())


@cache
def _pages_bytes() -> bytes:
    return (DICTIONARY_DIR / "pages-1.html").read_bytes()


def _base_dictionary(base: bytes) -> zstandard.ZstdCompressionDict:
    # A raw-content dictionary: three real cablegate pages (their navigation is what every
    # page repeats), then the base text, so what the data repeats of either costs a few bytes.
    return zstandard.ZstdCompressionDict(
        _pages_bytes() + base, dict_type=zstandard.DICT_TYPE_RAWCONTENT
    )


def original_base(kind: str, text: str) -> str:
    """The base an upload of this kind is compressed against: its cable text as the upload
    spells it (a cablegate page writes line breaks as ``&#x000A;`` and escapes <, >, &)."""
    if kind in ("html", "html-body"):
        return html.escape(text, quote=False).replace("\n", "&#x000A;")
    return text


def compress(data: bytes | str, *, base: bytes | str | None = None) -> bytes:
    """``data`` as a stored blob. With ``base``, matches against that text are nearly free; the
    same base must then be given to :func:`decompress`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) < MIN_COMPRESSED:
        return bytes([PLAIN]) + raw
    if base is None:
        return bytes([ZSTD_DICT_1]) + _compressor().compress(raw)
    base_raw = base.encode("utf-8") if isinstance(base, str) else base
    compressor = zstandard.ZstdCompressor(level=BASE_LEVEL, dict_data=_base_dictionary(base_raw))
    return bytes([ZSTD_PAGES_1_BASE]) + compressor.compress(raw)


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
    if scheme == ZSTD_PAGES_1_BASE:
        if base is None:
            raise ValueError("this blob was compressed against a base text: give it")
        base_raw = base.encode("utf-8") if isinstance(base, str) else base
        return zstandard.ZstdDecompressor(dict_data=_base_dictionary(base_raw)).decompress(payload)
    raise ValueError(f"unknown compression scheme {scheme}")


def decompress_text(blob: bytes | memoryview, *, base: bytes | str | None = None) -> str:
    return decompress(blob, base=base).decode("utf-8")
