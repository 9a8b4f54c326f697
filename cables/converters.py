"""URL converters for cable routes (imported by every urls module that uses them)."""

from __future__ import annotations

from django.urls import register_converter


class CableIdConverter:
    """A cable id in a URL: any characters but "/" and control characters (a NUL reaching
    PostgreSQL is an error, not a miss), so such a URL is a 404 before any lookup."""

    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CableIdConverter, "cable_id")
