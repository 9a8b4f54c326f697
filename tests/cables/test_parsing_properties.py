"""Property-based tests: parse() never raises and is deterministic, on any input.

CABLESEARCH_FUZZ_EXAMPLES scales the example count (default 200; the long job runs 100,000).
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cables.parsing import CableRecord, ParseFailure, decode_bytes, iter_csv, parse

EXAMPLES = int(os.environ.get("CABLESEARCH_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=EXAMPLES <= 200,  # the default run is repeatable; the long job explores
)
SAMPLE_IDS = [
    "07MOSCOW5100",
    "00HARARE5461",
    "02ANKARA8305",
    "04ANKARA348",
    "07BERN881",
    "09CAIRO79",
    "10SHENYANG4",
    "90CAPETOWN97",
]


SHARED_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def _load_samples() -> list[bytes]:
    wanted = {f"text/{cid}.txt" for cid in SAMPLE_IDS}
    found: list[bytes] = [(SHARED_CORPUS / "seed" / "07MOSCOW5100.txt").read_bytes()]
    with tarfile.open(SHARED_CORPUS / "cables-text.tar.xz", "r:xz") as tar:
        for member in tar:
            if member.name in wanted:
                handle = tar.extractfile(member)
                if handle is not None:
                    found.append(handle.read())
    with tarfile.open(SHARED_CORPUS / "cablegate-2011-html.tar.xz", "r:xz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith("LIBREVILLE1895.html"):
                handle = tar.extractfile(member)
                if handle is not None:
                    found.append(handle.read())
    return found


SAMPLES = _load_samples()

# Pieces that steer the fuzzer into the parser's own syntax.
CABLE_TOKENS = st.sampled_from(
    [
        "C O N F I D E N T I A L ",
        "S E C R E T SECTION 01 OF 02 ",
        "UNCLAS ",
        "MOSCOW 005100",
        "\n",
        "\n\n",
        "E.O. 12958: DECL: 10/18/2017",
        "TAGS: ",
        "PREL PGOV RS",
        "OVIP (RICE, CONDOLEEZZA)",
        "SUBJECT: ",
        "REF: A. 08 STATE 81854 B. NAIROBI 1830",
        "Classified By: X. Reasons 1.4 (b) and (d)",
        "¶1. (C) ",
        "1. (S/NF) ",
        "P 221503Z OCT 07\n",
        "FM AMEMBASSY MOSCOW\n",
        "TO RUEHC/SECSTATE WASHDC PRIORITY 4779\n",
        "VZCZCXRO6042\n",
        "DE RUEHMO #5100 2951503\n",
        "PAGE 02 ROME 01196 01 OF 02 271458Z",
        "<code><pre>",
        "</pre></code>",
        "<table class='cable'><tr><th>Reference ID</th></tr><tr><td>",
        "</td></tr></table>",
        "<a href='/tag/PREL_0.html'>PREL</a>",
        "[MARR](#) ",
        "Cable dated:2002-11-15T12:40:00",
        "&#x000A;",
        "XXXXXXXXXXXX",
        "\t",
        "\\\n",
    ]
)
CABLE_LIKE = st.lists(st.one_of(CABLE_TOKENS, st.text(max_size=20)), max_size=40).map("".join)


def _outcome(result: CableRecord | ParseFailure) -> dict:
    return result.to_json()


def _clean(result: CableRecord | ParseFailure) -> bool:
    """A record or a reasoned failure; not the safety net that catches an internal error."""
    if isinstance(result, CableRecord):
        return True
    return isinstance(result, ParseFailure) and not result.error.startswith("could not read")


@FUZZ
@given(st.binary(max_size=4000))
def test_parse_never_raises_on_bytes(data):
    assert _clean(parse(data, source="fuzz.bin"))


@FUZZ
@given(st.text(max_size=4000))
def test_parse_never_raises_on_text(text):
    assert _clean(parse(text, source="fuzz.txt"))


@FUZZ
@given(CABLE_LIKE)
def test_parse_never_raises_on_cable_like_text(text):
    assert _clean(parse(text, source="fuzz.txt"))


@FUZZ
@given(
    st.sampled_from(SAMPLES),
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=200_000), st.integers(0, 64), st.binary(max_size=40)
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_parse_never_raises_on_mutated_real_cables(sample, edits):
    data = bytearray(sample)
    for position, cut, insert in edits:
        at = position % (len(data) + 1)
        data[at : at + cut] = insert
    assert _clean(parse(bytes(data), source="mutated.txt"))


@FUZZ
@given(st.one_of(CABLE_LIKE, st.sampled_from(SAMPLES).map(decode_bytes)))
def test_parse_is_deterministic(text):
    assert _outcome(parse(text, source="a.txt")) == _outcome(parse(text, source="a.txt"))


@FUZZ
@given(st.binary(max_size=3000))
def test_decode_bytes_never_raises(data):
    assert isinstance(decode_bytes(data), str)


@FUZZ
@given(st.binary(max_size=3000))
def test_iter_csv_never_raises(data):
    for result in iter_csv(io.BytesIO(data), source="fuzz.csv"):
        assert isinstance(result, CableRecord) or not result.error.startswith("could not read")


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_samples_parse_to_records(index):
    assert isinstance(parse(SAMPLES[index]), CableRecord)
