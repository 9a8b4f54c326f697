"""Whoosh backend (the default): ``search.backends.whoosh.WhooshBackend``."""

from search.backends.whoosh.backend import WhooshBackend

__all__ = ["WhooshBackend"]
