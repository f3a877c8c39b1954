"""R07C 证件号码重复: a valid ID number on more than one accepted person row of the roster.

One household event cannot answer this, so the rules service keeps an index of every valid number
(normalised: trimmed, check character upper-cased) to the rows that carry it, updates it as
households arrive, and asks here which rows are duplicates. When a household changes, the numbers
it had and the numbers it has now are the only ones whose answer can change (`affected_ids`).
Invalid numbers are R07A's business and are never indexed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from services.rules.domain import idcard
from services.rules.domain.finding import Finding, person_finding
from services.rules.domain.roster import Household

DuplicateIndex = Mapping[str, Sequence["PersonRef"]]


@dataclass(frozen=True)
class PersonRef:
    normalised_id: str
    household_id: str
    village: str
    row: int
    id_number: str
    subject_key: str


def person_refs(household: Household) -> list[PersonRef]:
    """The rows of one household that take part in R07C: those with a valid number."""
    return [
        PersonRef(
            normalised_id=idcard.normalise(p.id_number),
            household_id=household.household_id,
            village=household.village,
            row=p.row,
            id_number=p.id_number,
            subject_key=p.subject_key,
        )
        for p in household.persons
        if p.id_valid
    ]


def affected_ids(before: Iterable[PersonRef], after: Iterable[PersonRef]) -> frozenset[str]:
    """Numbers whose R07C answer may change when a household's refs go from `before` to `after`."""
    return frozenset(ref.normalised_id for ref in (*before, *after))


def duplicate_findings(index: DuplicateIndex, ids: Iterable[str]) -> list[Finding]:
    """R07C on every row of every number in `ids` that the index holds more than once.

    Rows of the numbers in `ids` that are not returned do not (or no longer) have the problem.
    """
    found: list[Finding] = []
    for number in sorted(set(ids)):
        refs = index.get(number, ())
        if len(refs) < 2:
            continue
        households = len({ref.household_id for ref in refs})
        detail = f"同一证件号码出现在{len(refs)}行（{households}户）"
        found.extend(
            person_finding(
                "R07C",
                ref.village,
                ref.household_id,
                row=ref.row,
                id_number=ref.id_number,
                subject_key=ref.subject_key,
                detail=detail,
            )
            for ref in sorted(refs, key=lambda r: (r.household_id, r.row))
        )
    return found
