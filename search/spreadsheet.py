"""CSV cells that a spreadsheet opens as text, never as a formula (CSV injection)."""

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value, with a leading apostrophe when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
