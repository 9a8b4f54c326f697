"""Errors the search service raises. User input never raises; only a broken index does."""


class IndexUnavailable(Exception):
    """The index folder is missing or damaged. The message says what to run to fix it."""


class Unsupported(Exception):
    """The configured search engine does not declare a capability a request needs
    (search.backends.base.BaseSearchBackend.require). The message names the engine and feature."""
