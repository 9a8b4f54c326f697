"""cables/params.py: row ids from request parameters."""

import pytest

from cables.params import row_id


def test_a_positive_integer_is_a_row_id():
    assert row_id(" 42 ") == 42


@pytest.mark.parametrize("value", ["", "0", "-1", "4.2", "x", "²", "9" * 19, "9" * 5000])
def test_anything_else_is_no_row(value):
    assert row_id(value) is None
