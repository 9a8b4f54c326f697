"""The five pages whose SUBJECT is hard to find: the expected subject is in <ID>.txt beside them."""

import pytest

from cables.parsing import CableRecord, parse

HARD_CASES = ["07BERN881", "08BRASILIA93", "08REYKJAVIK195", "08TRIPOLI220", "10STATE284"]


@pytest.mark.parametrize("cable_id", HARD_CASES)
def test_hard_subject(corpus_dir, cable_id):
    folder = corpus_dir / "subjects"
    expected = (folder / f"{cable_id}.txt").read_text(encoding="utf-8").strip()
    record = parse((folder / f"{cable_id}.html").read_bytes(), source=f"{cable_id}.html")
    assert isinstance(record, CableRecord)
    assert record.subject == expected
