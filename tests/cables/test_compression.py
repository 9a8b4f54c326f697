"""cables/compression.py: what is stored compressed reads back byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from cables.compression import (
    compress,
    compress_original,
    decompress,
    decompress_original,
    decompress_text,
    needs_base,
    original_base,
)

SEED = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample" / "07MOSCOW5100.txt"
TEXT = "UNCLASSIFIED DUBLIN 000143\n\n¶1. (U) Summary: the minister <said> so & more.\n" * 5


def test_text_reads_back():
    assert decompress_text(compress(TEXT)) == TEXT


def test_a_short_text_is_stored_as_it_is():
    blob = compress("short")

    assert blob == b"\x00short"
    assert decompress_text(blob) == "short"


def test_a_blob_against_a_base_reads_back_with_that_base():
    base = "the paragraphs " * 40
    blob = compress(TEXT + base, base=base)

    assert needs_base(blob)
    assert decompress_text(blob, base=base) == TEXT + base


def test_a_blob_against_a_base_is_refused_without_it():
    blob = compress(TEXT, base="a base text " * 10)

    with pytest.raises(ValueError, match="base"):
        decompress(blob)


def test_what_the_base_repeats_costs_little():
    base = SEED.read_text(encoding="utf-8")

    assert len(compress(base, base=base)) < len(compress(base)) / 5


def test_a_page_original_reads_back_byte_for_byte():
    page = (
        "<html><body><pre>"
        + original_base("html", TEXT)
        + "</pre><p>Navigation</p></body></html>\r\n"
    ).encode("utf-8")

    blob = compress_original("html", TEXT, page)

    assert decompress_original("html", TEXT, blob) == page


def test_a_page_spells_its_text_with_escapes():
    assert original_base("html", "a < b\nc & d") == "a &lt; b&#x000A;c &amp; d"
    assert original_base("text", "a < b\n") == "a < b\n"


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unknown compression scheme"):
        decompress(b"\x7fdata")


def test_threads_compress_and_read_back_at_once():
    from concurrent.futures import ThreadPoolExecutor

    texts = [
        f"PARAGRAPH {n}. " + "THE MINISTER SAID THE TALKS WOULD GO ON. " * (n % 40 + 2)
        for n in range(400)
    ]

    def round_trip(text: str) -> bool:
        return all(decompress_text(compress(text)) == text for _ in range(20))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(round_trip, texts))
