"""Snippets and marks over an engine's highlighter: the one place cable text becomes HTML.

The engine says where a query's words are (``Highlighter.spans``, search/backends/base.py); this
module picks the paragraphs worth showing, cuts them to a window, HTML-escapes the text piece by
piece and adds only ``<mark>``. So ``Snippet.html`` and a cable page's marks are safe to render
whatever the engine, and the rule for what a snippet shows is written once.
"""

from __future__ import annotations

from html import escape

from search.backends.base import Highlighter, Span
from search.query import marking_matches
from search.results import Snippet

MAX_SNIPPETS = 3
WIDTH = 260  # characters of paragraph shown around the matches
LEAD = 70  # characters kept before the first match of the window
MAX_SPANS = 40  # matches looked at per paragraph for a snippet ("the" can match hundreds)


class Marker:
    """A highlighter that also marks: ``mark(text)`` is all of ``text``, HTML-escaped, with every
    match in <mark> (the cable page, where the reader sees what the search matched)."""

    def __init__(self, highlighter: Highlighter | None, marking: str | None = None) -> None:
        self.highlighter = highlighter
        self.marking = marking  # a query's marking:S: only paragraphs so marked hold matches

    def marks_paragraph(self, marking: str) -> bool:
        """Whether a paragraph with this marking can hold the query's matches."""
        return self.marking is None or marking_matches(self.marking, marking)

    def __bool__(self) -> bool:
        return bool(self.highlighter)

    def spans(self, text: str, *, subject: bool = False, limit: int | None = None) -> list[Span]:
        if not self.highlighter:
            return []
        return self.highlighter.spans(text, subject=subject, limit=limit)

    def mark(self, text: str, *, subject: bool = False) -> str:
        return _mark(text, self.spans(text, subject=subject), 0, len(text))


def _mark(text: str, spans: list[Span], start: int, end: int) -> str:
    parts: list[str] = []
    pos = start
    for s, e, _ in spans:
        if s < start or e > end:
            continue
        parts.append(escape(text[pos:s], quote=False))
        parts.append("<mark>" + escape(text[s:e], quote=False) + "</mark>")
        pos = e
    parts.append(escape(text[pos:end], quote=False))
    return "".join(parts)


def _window(text: str, spans: list[Span]) -> tuple[int, int]:
    """The WIDTH-character stretch holding the most matches, cut at spaces."""
    if len(text) <= WIDTH:
        return 0, len(text)
    best_start, best_count = 0, -1
    for s, _, _ in spans:
        start = max(0, s - LEAD)
        count = sum(1 for s2, e2, _ in spans if s2 >= start and e2 <= start + WIDTH)
        if count > best_count:
            best_start, best_count = start, count
    start = best_start
    if start > 0:
        space = text.find(" ", start, spans[0][0] if spans and spans[0][0] > start else start + 20)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + WIDTH)
    if end < len(text):
        space = text.rfind(" ", start + WIDTH // 2, end)
        end = space if space != -1 else end
    return start, end


def fragment(text: str, spans: list[Span]) -> str:
    start, end = _window(text, spans)
    html = _mark(text, spans, start, end)
    return ("… " if start > 0 else "") + html + (" …" if end < len(text) else "")


def snippets(
    highlighter: Highlighter | None, subject: str, paragraphs: list[tuple[int, str]]
) -> tuple[Snippet, ...]:
    """Up to three snippets: the paragraphs matching the most distinct words, best first;
    the subject when no paragraph matches."""
    if not highlighter:
        return ()
    scored = []
    for position, (number, text) in enumerate(paragraphs):
        spans = highlighter.spans(text, limit=MAX_SPANS)
        if spans:
            # A phrase counts as the query words it holds: a paragraph with the whole phrase
            # outranks one where a single word occurs many times.
            distinct = sum(key.count(" ") + 1 for key in {key for _, _, key in spans})
            scored.append((-distinct, -len(spans), position, number, text, spans))
    scored.sort(key=lambda row: row[:3])
    out = [
        Snippet(number, fragment(text, spans)) for *_, number, text, spans in scored[:MAX_SNIPPETS]
    ]
    if not out and subject:
        spans = highlighter.spans(subject, subject=True, limit=MAX_SPANS)
        if spans:
            out.append(Snippet(-1, _mark(subject, spans, 0, len(subject))))
    return tuple(out)
