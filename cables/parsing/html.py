"""Extraction from cablegate.wikileaks.org pages and body-only fragments, with lxml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

# The body-only pages carry named-entity marks from a tagging tool: "[LOC HARARE  ]", "[ORG MDC  ]".
_NER_RE = re.compile(r"\[(?:LOC|ORG|PER|MISC)\s+([^\[\]]*?)\s*\]")


@dataclass(slots=True)
class HtmlCable:
    meta: dict[str, str] = field(
        default_factory=dict
    )  # id, created, released, classification, origin
    header: str = ""
    body: str = ""
    tag_links: list[str] = field(default_factory=list)
    page: bool = False  # a whole page (metadata table) rather than a body-only fragment


def _parse_html(text: str) -> etree._Element | None:
    # Pages declare their encoding in an XML prolog, which lxml refuses on str input: the text is
    # already decoded, so hand it over as UTF-8 bytes with the encoding stated.
    try:
        return lxml.html.document_fromstring(
            text.encode("utf-8", "replace"), parser=lxml.html.HTMLParser(encoding="utf-8")
        )
    except (etree.ParserError, ValueError, TypeError):
        return None


def _pre_text(pre: etree._Element) -> str:
    return pre.text_content().replace("\r\n", "\n").replace("\xa0", " ")


def strip_ner_marks(text: str) -> str:
    """Drop the tagging tool's marks and undo its tokenising ("DEAL , ( B ) ." -> "DEAL, (B).")."""
    if not _NER_RE.search(text):
        return text
    text = _NER_RE.sub(lambda m: m.group(1), text)
    text = re.sub(r"[ \t]+([,.;:)])", r"\1", text)
    return re.sub(r"\([ \t]+", "(", text)


def extract(text: str) -> HtmlCable | None:
    """Metadata, header and body of a page, or the body of a fragment; None when neither."""
    root = _parse_html(text)
    if root is None:
        return None
    result = HtmlCable()
    table = root.xpath("//table[contains(concat(' ', normalize-space(@class), ' '), ' cable ')]")
    if table:
        result.page = True
        heads = [" ".join(th.text_content().split()).lower() for th in table[0].xpath(".//th")]
        cells = [" ".join(td.text_content().split()) for td in table[0].xpath(".//td")]
        names = {
            "reference id": "id",
            "created": "created",
            "released": "released",
            "classification": "classification",
            "origin": "origin",
        }
        for head, cell in zip(heads, cells, strict=False):
            if head in names:
                result.meta[names[head]] = cell
        pres = table[0].xpath("following::pre")
    else:
        pres = root.xpath("//pre")
    if not pres:
        return result if result.meta else None
    if result.page and len(pres) >= 2:
        result.header = _pre_text(pres[0])
        body_pre = pres[1]
    elif result.page:
        body_pre = pres[0]
    else:
        body_pre = pres[0]
    result.body = _pre_text(body_pre)
    result.tag_links = [
        " ".join(a.text_content().split())
        for a in body_pre.xpath(".//a[starts-with(@href, '/tag/')]")
    ]
    if not result.page:
        result.body = strip_ner_marks(result.body)
    return result
