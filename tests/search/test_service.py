"""search/service.py: the entry points views and servers call."""

from __future__ import annotations

import shutil

import pytest

from search import service


@pytest.mark.usefixtures("searchable")
def test_warm_up_opens_the_index_and_says_how_long_it_took():
    seconds = service.warm_up()

    assert seconds is not None and seconds >= 0


@pytest.mark.django_db(transaction=True)
def test_warm_up_without_an_index_returns_none_instead_of_raising(store, index_dir):
    store("07MOSCOW5100")
    shutil.rmtree(index_dir)

    assert service.warm_up() is None
