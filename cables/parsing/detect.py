"""Input format detection from content (file names never decide)."""

from __future__ import annotations

import re

_PAGE_RE = re.compile(r"<table[^>]*class=['\"]?cable", re.I)
_TAG_RE = re.compile(r"<(?:pre|code|html|body|div|table|a|p|br|span|head)\b[^>]*>", re.I)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f]")


def looks_binary(text: str) -> bool:
    """NUL bytes or mostly control characters: not a text document."""
    if "\x00" in text[:4096]:
        return True
    sample = text[:4096]
    if not sample:
        return False
    controls = len(_CONTROL_RE.findall(sample))
    return controls * 10 > len(sample)


def detect_format(text: str) -> str:
    """'html' (a cablegate page), 'html-body' (a fragment holding the body block) or 'text'."""
    head = text[:400_000]
    if _PAGE_RE.search(head):
        return "html"
    if re.search(r"<pre\b", head, re.I):
        return "html-body"
    if len(_TAG_RE.findall(head[:20_000])) >= 3 and re.search(r"<(?:html|body|div)\b", head, re.I):
        return "html-body"
    return "text"
