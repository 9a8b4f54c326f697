"""The cable parser: pure Python (no Django), one entry point per input kind.

from cables.parsing import parse, iter_csv, decode_bytes, tag_kind, tag_name
"""

from .cable import parse
from .csvrows import iter_csv
from .decode import decode_bytes
from .record import (
    CLASSIFICATIONS,
    TAG_KINDS,
    CableRecord,
    Origin,
    Paragraph,
    ParseFailure,
    Reference,
    Tag,
)
from .tagsdict import TAGS, TagInfo, load_tags, tag_kind, tag_name

__all__ = [
    "CLASSIFICATIONS",
    "TAGS",
    "TAG_KINDS",
    "CableRecord",
    "Origin",
    "Paragraph",
    "ParseFailure",
    "Reference",
    "Tag",
    "TagInfo",
    "decode_bytes",
    "iter_csv",
    "load_tags",
    "parse",
    "tag_kind",
    "tag_name",
]
