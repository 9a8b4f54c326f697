"""Property-based tests: no query string, however hostile, makes the query side raise.

CABLESEARCH_FUZZ_EXAMPLES sets the number of generated inputs per test (CI: a few hundred;
`make fuzz`: 100,000).
"""

import os
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import query
from search.state import FACETS, MAX_PAGE, MAX_QUERY_CHARS, SORTS, SearchState

EXAMPLES = int(os.environ.get("CABLESEARCH_FUZZ_EXAMPLES", "300"))
fuzz_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
pytestmark = pytest.mark.fuzz

# Pieces of the query language and of URLs, so generated input reaches the parser's corners
# (fields, phrases, nesting, ranges, operators) rather than only its "plain word" path.
SYNTAX = [
    "(",
    ")",
    '"',
    ":",
    "-",
    "+",
    "*",
    "?",
    "AND",
    "OR",
    "NOT",
    "and",
    "or",
    "..",
    "~",
    "^",
    "tag:",
    "country:",
    "program:",
    "org:",
    "person:",
    "origin:",
    "class:",
    "subject:",
    "text:",
    "id:",
    "year:",
    "from:",
    "to:",
    "2009",
    "1966-2010",
    "2010-13-45",
    "09MOSCOW1234",
    "PREL",
    "KNNP",
    "IR",
    "nuclear",
    "Moscow",
    "\\",
    "'",
    "%",
    "&",
    "=",
    "#",
    "<script>",
    "</b>",
    "\x00",
    "\u200b",
    "\ufeff",
    "é",
    "İ",
    "ß",
    "日本",
    "🙂",
    "\ud7ff",
    " ",
    "\t",
    "\n",
]
syntax_text = st.lists(st.sampled_from(SYNTAX) | st.text(max_size=6), max_size=40).map(
    lambda parts: "".join(parts)
)
any_text = st.text(max_size=300) | syntax_text
URL_KEYS = ["q", *FACETS, "from", "to", "sort", "page", "zzz", ""]
params = st.dictionaries(
    st.sampled_from(URL_KEYS) | st.text(max_size=5),
    st.lists(
        any_text | st.sampled_from(["-", "-PREL", "0", "-1", "9" * 5000, "2010-02-30"]), max_size=4
    ),
    max_size=8,
)


@fuzz_settings
@given(any_text)
def test_the_query_parser_reads_any_string(q):
    parsed = query.parse(q)

    assert isinstance(parsed.understood, str)


@fuzz_settings
@given(params)
def test_search_state_accepts_any_parameters_and_stays_in_bounds(raw):
    state = SearchState.from_query(raw)

    assert len(state.q) <= MAX_QUERY_CHARS
    assert state.sort in SORTS
    assert 1 <= state.page <= MAX_PAGE
    assert all(facet in FACETS for facet, _ in state.selected + state.excluded)


@fuzz_settings
@given(params)
def test_a_search_state_survives_its_own_url(raw):
    # Real requests arrive as a QueryDict parsed from the URL; links must read back the same.
    encoded = urlencode([(k, v) for k, vs in raw.items() for v in vs])
    state = SearchState.from_query(QueryDict(encoded))

    assert SearchState.from_query(QueryDict(state.querystring().lstrip("?"))) == state
