"""Two cable texts compared line by line, in rows a template shows unified or side by side."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DiffRow:
    kind: str  # "same", "removed" (only in a), "added" (only in b), "changed" (both, differing)
    a_number: int | None  # line number in a (1-based), None where a has no line
    a_text: str
    b_number: int | None
    b_text: str


@dataclass(frozen=True, slots=True)
class Diff:
    rows: list[DiffRow]

    @property
    def identical(self) -> bool:
        return all(row.kind == "same" for row in self.rows)

    @property
    def changed_rows(self) -> int:
        return sum(row.kind != "same" for row in self.rows)


def diff_lines(a: str, b: str) -> Diff:
    """Rows for every line of both texts; trailing spaces count (a form may differ only so)."""
    a_lines, b_lines = a.splitlines(), b.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                DiffRow("same", i + 1, a_lines[i], j + 1, b_lines[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        left, right = range(i1, i2), range(j1, j2)
        for k in range(max(len(left), len(right))):
            i = left[k] if k < len(left) else None
            j = right[k] if k < len(right) else None
            kind = (
                "changed"
                if i is not None and j is not None
                else "removed"
                if j is None
                else "added"
            )
            rows.append(
                DiffRow(
                    kind,
                    None if i is None else i + 1,
                    "" if i is None else a_lines[i],
                    None if j is None else j + 1,
                    "" if j is None else b_lines[j],
                )
            )
    return Diff(rows)
