"""Atom feeds that never fail on what is stored: text is cleaned of characters XML cannot hold.

XML 1.0 forbids C0 control characters; Django's feed writer raises (a 500) on the first one. The
parser drops them from cables it reads, but a cable stored before, a saved search's name or a
query typed into the URL (``/search.atom?q=%01``) can still carry them.
"""

from __future__ import annotations

from django.utils import feedgenerator

from cables.parsing.decode import strip_controls


def _clean(value: object) -> object:
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list | tuple):
        return type(value)(_clean(v) for v in value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


class Atom1Feed(feedgenerator.Atom1Feed):
    """Django's Atom feed, with every string given to it cleaned of C0 controls."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*_clean(args), **_clean(kwargs))

    def add_item(self, *args, **kwargs) -> None:
        super().add_item(*_clean(args), **_clean(kwargs))
