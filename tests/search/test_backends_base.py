"""search/backends/base.py: capability flags default to False and are checked where used."""

from __future__ import annotations

import threading

import pytest

from search.backends.base import BaseSearchBackend, Criteria, FacetRequest, MatchRequest
from search.exceptions import Unsupported
from search.query import parse


class Bare(BaseSearchBackend):
    """An engine that declares nothing: every optional feature must be refused by name."""

    def match(self, request):
        raise AssertionError("not reached")

    def count(self, criteria):
        return 0

    def iter_ids(self, criteria, sort, limit):
        return iter(())

    def generation(self):
        return None

    def index_cables(self, ids):
        pass

    def delete_cables(self, ids):
        pass

    def rebuild(self, progress=None, total=None):
        return 0

    def check(self):
        raise AssertionError("not reached")

    def clear(self):
        pass


def test_capability_flags_default_to_false():
    flags = [name for name in dir(BaseSearchBackend) if name.startswith("supports_")]
    assert flags and not any(getattr(Bare(), name) for name in flags)


def test_an_engine_missing_a_primitive_cannot_be_made():
    class Half(BaseSearchBackend):
        pass

    with pytest.raises(TypeError):
        Half()


def test_require_names_the_engine_and_the_feature():
    with pytest.raises(Unsupported, match="Bare search engine does not support suggestions"):
        Bare().require("supports_suggestions")


def test_require_passes_a_declared_flag():
    class Phrases(Bare):
        supports_phrases = True

    Phrases().require("supports_phrases")


def test_require_refuses_a_name_that_is_no_flag():
    with pytest.raises(ValueError):
        Bare().require("supports_teleportation")


def test_suggest_is_refused_without_the_flag():
    with pytest.raises(Unsupported):
        Bare().suggest(["misile"])


def test_highlighter_is_refused_without_the_flag():
    with pytest.raises(Unsupported):
        Bare().highlighter(parse("missile").tree)


@pytest.mark.parametrize(
    ("q", "feature"),
    [('"missile defense"', "phrases"), ("lav*", "prefix"), ("NOT (a -lav*)", "prefix")],
)
def test_validate_refuses_a_query_feature_the_engine_lacks(q, feature):
    with pytest.raises(Unsupported, match=feature):
        Bare().validate(Criteria(tree=parse(q).tree))


def test_validate_refuses_facet_counts_without_the_flag():
    request = MatchRequest(Criteria(), facets=(FacetRequest("country"),))
    with pytest.raises(Unsupported, match="facets"):
        Bare().validate(request)


def test_validate_accepts_plain_words_on_a_bare_engine():
    Bare().validate(MatchRequest(Criteria(tree=parse("missile russia").tree)))


@pytest.mark.parametrize(
    "request_",
    [
        MatchRequest(Criteria(), sort="best"),
        MatchRequest(Criteria(include=(("planet", "X"),))),
        MatchRequest(Criteria(), offset=-1),
    ],
)
def test_validate_refuses_a_request_no_page_builder_makes(request_):
    with pytest.raises(ValueError):
        Bare().validate(request_)


def test_every_needs_limit_none():
    class Facets(Bare):
        supports_facets = True

    with pytest.raises(ValueError):
        Facets().validate(MatchRequest(Criteria(), facets=(FacetRequest("year", 5, every=True),)))


class Later(Bare):
    """Declares background indexing; records what it wrote and in which thread."""

    supports_background_indexing = True

    def __init__(self, fail_on: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.fail_on = set(fail_on)
        self.written: list[tuple[list[str], str]] = []

    def index_cables(self, ids):
        if self.fail_on & set(ids):
            raise OSError("No space left on device")
        self.written.append((list(ids), threading.current_thread().name))


def test_indexing_later_needs_the_capability():
    with pytest.raises(Unsupported, match="does not support background indexing"):
        Bare().index_cables_later(["07MOSCOW5100"])


def test_indexing_later_runs_in_a_thread_of_its_own():
    engine = Later()
    engine.index_cables_later(["07MOSCOW5100"])
    engine.wait_for_indexing()
    assert engine.written == [(["07MOSCOW5100"], "cablesearch-index")]


def test_indexing_later_keeps_the_order_of_the_calls():
    engine = Later()
    for cable_id in ("07MOSCOW5100", "09STATE96550", "10BERLIN193"):
        engine.index_cables_later([cable_id])
    engine.wait_for_indexing()
    assert [ids for ids, _ in engine.written] == [
        ["07MOSCOW5100"],
        ["09STATE96550"],
        ["10BERLIN193"],
    ]


def test_a_failure_in_the_background_is_raised_by_the_wait():
    engine = Later(fail_on=("07MOSCOW5100",))
    engine.index_cables_later(["07MOSCOW5100"])
    with pytest.raises(OSError, match="No space left"):
        engine.wait_for_indexing()


def test_a_failure_in_the_background_is_raised_by_the_next_call_which_writes_nothing():
    engine = Later(fail_on=("07MOSCOW5100",))
    engine.index_cables_later(["07MOSCOW5100"])
    with pytest.raises(OSError):
        engine.index_cables_later(["09STATE96550"])
    engine.wait_for_indexing()
    assert engine.written == []
