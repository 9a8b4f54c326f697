from search.spreadsheet import safe_cell


def test_formula_cell_is_prefixed_with_an_apostrophe():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'


def test_minus_start_is_prefixed():
    assert safe_cell("-2+3") == "'-2+3"


def test_plain_text_is_unchanged():
    assert safe_cell("IRAN: NUCLEAR TALKS") == "IRAN: NUCLEAR TALKS"


def test_non_text_is_unchanged():
    assert safe_cell(None) is None
