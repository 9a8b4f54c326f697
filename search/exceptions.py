"""Errors the search service raises. User input never raises; only a broken index does."""


class IndexUnavailable(Exception):
    """The index folder is missing or damaged. The message says what to run to fix it."""
