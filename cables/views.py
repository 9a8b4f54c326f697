"""Reading one cable: the page, its thread, its verbatim text and its parsed record as JSON."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.db.models import Prefetch
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe

from cables.diffing import diff_lines
from cables.hooks import hooks
from cables.models import Cable, CableSource, CableTag, Reference
from cables.params import row_id
from cables.parsing.ids import canonical_id
from cables.parsing.record import HEADER_BODY
from cables.thread import clamp_depth, thread_for

# Cable precedence codes as the State Department's message handling spells them out.
PRECEDENCE = {"Z": "Flash", "O": "Immediate", "P": "Priority", "R": "Routine"}
# How far into a search's results the reader looks for the cable's place ("3 of 136"); beyond
# it the previous/next links are not offered (nobody pages that far by hand).


def precedence_label(code: str) -> str:
    """``P`` -> ``Priority``; ``O/R`` (action/info) -> ``Immediate (action), Routine (info)``."""
    parts = [p.strip().upper() for p in code.split("/") if p.strip()]
    names = [PRECEDENCE.get(p, p) for p in parts]
    if len(names) == 2:
        return f"{names[0]} (action), {names[1]} (info)"
    return ", ".join(names) or code


def wikileaks_url(cable_id: str) -> str:
    """The cable on WikiLeaks' own site, to check it against the original publication.

    WikiLeaks' Public Library of US Diplomacy (PlusD) serves every Cablegate cable at this
    address from its id alone; the 2010 cablegate pages (/cable/YYYY/MM/<ID>.html) need the
    month, which an undated or partial cable lacks, and that site is no longer maintained."""
    return f"https://wikileaks.org/plusd/cables/{cable_id}_a.html"


@dataclass(frozen=True, slots=True)
class ShownParagraph:
    anchor: str  # "p3"; unique on the page even when the cable numbers two paragraphs alike
    number: int
    marking: str
    blocks: list[SafeString]  # the paragraph's text blocks (split at blank lines), marked up


_BLANK_LINE_RE = re.compile(r"\n\s*\n")
# A line that starts a list item or a sub-point keeps its line break when text is reflowed.
_ITEM_START_RE = re.compile(r"^\s*(?:[-*•]|(?:[A-Za-z]|\d{1,2})[.)]|\((?:[A-Za-z]|\d{1,2})\))\s")


def text_blocks(text: str) -> list[str]:
    """Cable text for reading: blocks at blank lines, hard-wrapped lines joined again.

    Cables are wrapped at about 70 columns; the raw view keeps the original line breaks.
    """
    blocks = []
    for chunk in _BLANK_LINE_RE.split(text.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        out = lines[0]
        for line in lines[1:]:
            out += ("\n" if _ITEM_START_RE.match(line) else " ") + line
        blocks.append(out)
    return blocks


@dataclass(frozen=True, slots=True)
class ShownReference:
    label: str
    text: str
    url: str | None  # the cited cable's page when it is in the library
    subject: str = ""
    date: datetime | None = None


def _back_url(request: HttpRequest, q: str) -> str:
    """The search the reader came from: the referring search page, else a search for ``q``."""
    referer = request.headers.get("referer", "")
    if referer:
        parts = urlsplit(referer)
        if parts.netloc == request.get_host() and parts.path in ("/search", "/"):
            return "/search" + (f"?{parts.query}" if parts.query else "")
    return hooks().search_url(q)


def _elsewhere(request: HttpRequest, route: str, cable_id: str) -> HttpResponse | None:
    """A permanent redirect to the canonical id when ``cable_id`` is another way of writing
    an existing cable's id (``07moscow5100``, ``07MOSCOW005100``), else None."""
    if Cable.objects.filter(pk=cable_id).exists():
        return None
    for candidate in dict.fromkeys((cable_id.upper(), canonical_id(cable_id))):
        if candidate != cable_id and Cable.objects.filter(pk=candidate).exists():
            url = reverse(route, args=[candidate])
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
    return None


def cable_detail(request: HttpRequest, cable_id: str) -> HttpResponse:
    if (moved := _elsewhere(request, "cables:detail", cable_id)) is not None:
        return moved
    if request.GET.get("view") == "raw":
        return cable_raw(request, cable_id)
    cable = get_object_or_404(
        Cable.objects.prefetch_related(
            Prefetch("cable_tags", queryset=CableTag.objects.select_related("tag")),
            "paragraphs",
            "references",
            "addressees",
            "sources",
        ),
        pk=cable_id,
    )
    q = " ".join(request.GET.get("q", "").split())[:500]
    # Marked as the search marked its snippets: same analyzer, phrases only where whole.
    marker = hooks().marker(q)
    unmarked = hooks().marker("")  # escapes as marker does, marks nothing

    def marked(text: str, subject: bool = False, paragraph: str | None = None) -> SafeString:
        # marking:S: a paragraph with another marking holds no match, so no mark either.
        keep = paragraph is None or marker.marks_paragraph(paragraph)
        return mark_safe((marker if keep else unmarked).mark(text, subject=subject))  # noqa: S308

    paragraphs: list[ShownParagraph] = []
    seen: set[str] = set()
    for para in cable.paragraphs.all():
        anchor = f"p{para.number}"
        if anchor in seen:
            anchor = f"p{para.number}-{para.position}"
        seen.add(anchor)
        blocks = [marked(block, paragraph=para.marking) for block in text_blocks(para.text)]
        paragraphs.append(ShownParagraph(anchor, para.number, para.marking, blocks))

    refs = list(cable.references.all())
    cited = {r.cited_id for r in refs if r.cited_id}
    present = {c.pk: c for c in Cable.objects.filter(pk__in=cited).only("id", "date", "subject")}
    references = [
        ShownReference(
            r.label,
            r.text,
            present[r.cited_id].get_absolute_url() if r.cited_id in present else None,
            present[r.cited_id].subject if r.cited_id in present else "",
            present[r.cited_id].date if r.cited_id in present else None,
        )
        for r in refs
    ]

    citing_ids = (
        Reference.objects.filter(cited_id=cable.id)
        .exclude(cable_id=cable.id)
        .values_list("cable_id", flat=True)
        .distinct()
    )
    cited_by = Cable.objects.filter(pk__in=citing_ids).only("id", "date", "subject", "origin")

    tags = [
        {
            "code": ct.tag.code,
            "label": ct.tag.label,
            "kind": ct.tag.get_kind_display(),
            "url": hooks().tag_url(ct.tag.kind, ct.tag.code),
        }
        for ct in cable.cable_tags.all()
    ]
    addressees = list(cable.addressees.all())
    subject_html = marked(cable.subject, subject=True)
    matches = subject_html.count("<mark") + sum(
        block.count("<mark") for p in paragraphs for block in p.blocks
    )
    nav = hooks().result_nav(request, cable.id)
    context = {
        "cable": cable,
        "q": q,
        "subject_html": subject_html,
        "matches": matches,
        "precedence": precedence_label(cable.precedence) if cable.precedence else "",
        "wikileaks_url": wikileaks_url(cable.id),
        "nav": nav,
        "tags": tags,
        "paragraphs": paragraphs,
        "references": references,
        "cited_by": cited_by,
        "to": [a.name for a in addressees if a.kind == "to"],
        "info": [a.name for a in addressees if a.kind == "info"],
        "back_url": nav.search_url if nav else _back_url(request, q),
        "forms": list(cable.sources.all()),
        "shown": cable.shown_source,
        "shown_why": shown_reason(cable),
        "highlighted": bool(marker),
        "header_body_url": hooks().search_url(f"anomaly:{HEADER_BODY}"),
    }
    return render(request, "cables/detail.html", context)


def _form(cable: Cable, request: HttpRequest, key: str = "source") -> CableSource:
    """The form named by ``?source=<id>``, else the one shown; 404 for one of another cable."""
    value = request.GET.get(key, "")
    if not value:
        shown = cable.shown_source
        if shown is None:
            raise Http404("no form of this cable is stored")
        return shown
    pk = row_id(value)
    if pk is None:
        raise Http404("no such form")
    return get_object_or_404(CableSource, pk=pk, cable=cable)


def shown_reason(cable: Cable) -> str:
    """Why the page shows the form it shows (the importer's rule, FORMAT_RANK)."""
    forms = list(cable.sources.all())
    shown = cable.shown_source
    if shown is None or len(forms) < 2:
        return "the only form imported"
    from cables.ingest.importer import FORMAT_RANK

    rank = FORMAT_RANK.get(shown.kind, 0)
    if all(FORMAT_RANK.get(f.kind, 0) < rank for f in forms if f.pk != shown.pk):
        return f"the most complete form (a {shown.get_kind_display()})"
    return "the latest of the most complete forms"


def cable_thread(request: HttpRequest, cable_id: str) -> HttpResponse:
    """The chain around a cable as a dated timeline (``?depth=`` 1 to 6, default 3)."""
    cable = get_object_or_404(Cable.objects.only("id", "subject", "date"), pk=cable_id)
    thread = thread_for(cable.id, clamp_depth(request.GET.get("depth", "")))
    return render(request, "cables/thread.html", {"cable": cable, "thread": thread})


def cable_raw(request: HttpRequest, cable_id: str) -> HttpResponse:
    """The cable text of one form (``?source=<id>``; the shown one by default): its header and
    body as the cable reads, never the web page around it. Plain text, so browsers wrap it."""
    if (moved := _elsewhere(request, "cables:raw", cable_id)) is not None:
        return moved
    cable = get_object_or_404(Cable.objects.only("id", "content_hash"), pk=cable_id)
    return HttpResponse(_form(cable, request).text, content_type="text/plain; charset=utf-8")


def cable_original(request: HttpRequest, cable_id: str, source_id: int) -> HttpResponse:
    """One form's upload exactly as it was, as a download."""
    form = get_object_or_404(CableSource, pk=source_id, cable_id=cable_id)
    suffix = {"html": ".html", "html-body": ".html", "csv": ".txt"}.get(form.kind, ".txt")
    name = PurePosixPath(form.name.rsplit(":", 1)[-1]).name or f"{cable_id}{suffix}"
    response = HttpResponse(form.original_bytes, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


DIFF_MODES = ("unified", "side")


def cable_diff(request: HttpRequest, cable_id: str) -> HttpResponse:
    """Two forms' cable texts compared, line by line (``?a=<id>&b=<id>&mode=unified|side``)."""
    if (moved := _elsewhere(request, "cables:diff", cable_id)) is not None:
        return moved
    cable = get_object_or_404(Cable.objects.only("id", "subject", "content_hash"), pk=cable_id)
    forms = list(cable.sources.all())
    if len(forms) < 2:
        return render(request, "cables/diff.html", {"cable": cable, "forms": forms}, status=200)
    default_a, default_b = forms[0], forms[1]
    a = _form(cable, request, "a") if request.GET.get("a") else default_a
    b = _form(cable, request, "b") if request.GET.get("b") else default_b
    mode = request.GET.get("mode", "unified")
    if mode not in DIFF_MODES:
        mode = "unified"
    context = {
        "cable": cable,
        "forms": forms,
        "a": a,
        "b": b,
        "mode": mode,
        "diff": diff_lines(a.text, b.text),
    }
    return render(request, "cables/diff.html", context)


def cable_json(request: HttpRequest, cable_id: str) -> JsonResponse:
    """The parsed record, with the keys documented in docs/api.md."""
    from cables.records import cable_queryset_for_records, record_from_cable

    if (moved := _elsewhere(request, "cables:json", cable_id)) is not None:
        return moved
    cable = get_object_or_404(cable_queryset_for_records(), pk=cable_id)
    return JsonResponse(record_from_cable(cable).to_json(), json_dumps_params={"indent": 2})
