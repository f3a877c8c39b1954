"""Subject keys: what a problem is about, independent of the rule that found it.

`problem_id(rule, subject_key)` (lookback.contracts.rules) must give the same problem for the
same subject on every import of the roster — that is how "importing the same roster twice changes
nothing" and how a problem is "cleared by data" (docs/rules.md) — so keys hold nothing that a new
roster may renumber.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.rules.domain import idcard
from services.rules.domain.inputs import RowLike


def household_key(household_id: str) -> str:
    return f"household:{household_id}"


def village_key(village: str) -> str:
    return f"village:{village}"


def person_keys(household_id: str, rows: Iterable[RowLike]) -> dict[int, str]:
    """Keys by row number: row numbers move between rosters, 户编号 and 证件号码 do not.

    The same number written twice in one household gets `#2`, `#3`… in sheet order, so that each
    row stays its own subject.
    """
    seen: dict[str, int] = {}
    keys: dict[int, str] = {}
    for row in sorted(rows, key=lambda p: p.row):
        number = idcard.normalise(row.cells.get("证件号码", ""))
        seen[number] = seen.get(number, 0) + 1
        suffix = f"#{seen[number]}" if seen[number] > 1 else ""
        keys[row.row] = f"person:{household_id}:{number}{suffix}"
    return keys
