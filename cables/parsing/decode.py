"""Bytes to text: UTF-8 first, then Windows-1252 with Latin-1 for the bytes cp1252 leaves undefined."""

from __future__ import annotations

import codecs
import re

# C0 controls other than tab, line feed and carriage return (and DEL): no cable text means them,
# XML (Atom feeds) cannot carry them, and a terminal would obey them. Vertical tab and form
# feed (page breaks in old exports) become line breaks; the rest are dropped.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]+")
_BREAKS = re.compile(r"[\x0b\x0c]")


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; Latin-1 maps every byte, so the
    # text keeps one character per unreadable byte instead of failing.
    bad = error.object[error.start : error.end]
    return bad.decode("latin-1"), error.end


codecs.register_error("cablesearch-latin1", _latin1_fallback)


def decode_bytes(data: bytes | bytearray | memoryview | str) -> str:
    """Decode cable bytes to text. Never raises: every byte sequence gives some text."""
    if isinstance(data, str):
        return data
    raw = bytes(data)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few stray bytes (a cable pasted from two sources) keeps its UTF-8
    # characters; otherwise the whole file is taken as Windows-1252, the usual legacy encoding.
    text = raw.decode("utf-8", errors="replace")
    if text.count("\ufffd") * 50 < len(text) and _looks_mostly_utf8(raw):
        return _decode_mixed(raw)
    return raw.decode("cp1252", errors="cablesearch-latin1")


def _looks_mostly_utf8(raw: bytes) -> bool:
    return any(b >= 0xC2 for b in raw) and b"\xe2\x80" in raw


def _decode_mixed(raw: bytes) -> str:
    out: list[str] = []
    for line in raw.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="cablesearch-latin1"))
    return "".join(out)


def strip_controls(text: str) -> str:
    """``text`` without C0 control characters (tab, line breaks kept; VT and FF made breaks)."""
    text = _BREAKS.sub("\n", text)
    return _CONTROLS.sub("", text)
