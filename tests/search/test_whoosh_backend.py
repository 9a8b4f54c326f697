"""The default Whoosh backend against the shared backend contract, and its result cache."""

from dataclasses import replace

from cables.models import Cable
from cables.signals import cables_deleted
from search import service
from search.state import SearchState
from tests.search.contract import BackendContract


class TestWhooshBackend(BackendContract):
    pass


def _ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


def test_a_repeated_search_is_served_equal_from_the_cache(searchable):
    first = service.search(SearchState.from_query({"q": "government", "sort": "oldest"}))
    again = service.search(SearchState.from_query({"sort": "oldest", "q": "  government "}))
    assert first.hits
    assert replace(again, took_ms=0.0) == replace(first, took_ms=0.0)
    assert again.hits is first.hits  # the cached result, not a second search


def test_a_search_after_an_import_sees_the_new_cable(store):
    store("07MOSCOW5100")
    assert _ids(service.search(SearchState())) == ["07MOSCOW5100"]
    store("10BERLIN193")
    assert sorted(_ids(service.search(SearchState()))) == ["07MOSCOW5100", "10BERLIN193"]


def test_a_search_after_a_deletion_no_longer_lists_the_cable(store):
    store("07MOSCOW5100", "10BERLIN193")
    assert len(service.search(SearchState()).hits) == 2
    Cable.objects.filter(pk="10BERLIN193").delete()
    cables_deleted.send(sender=None, ids=["10BERLIN193"])
    assert _ids(service.search(SearchState())) == ["07MOSCOW5100"]
