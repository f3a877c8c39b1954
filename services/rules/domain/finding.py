"""A problem one rule finds on one subject, before it becomes a `ProblemFlagged` event.

Descriptions are read by village cadres and appear in exports, so they name the rule and the
facts that make it hold, but never a name or an ID number (docs/rules.md, "Reading the roster").
"""

from __future__ import annotations

from dataclasses import dataclass

from lookback.catalogue import RULES
from services.rules.domain.subject_keys import household_key, village_key


@dataclass(frozen=True)
class Finding:
    rule: str
    item: int
    village: str
    household_id: str | None
    person_id_number: str | None
    person_row: int | None
    subject_key: str
    description: str


def _describe(rule: str, detail: str) -> str:
    return f"{RULES[rule].name}：{detail}"


def household_finding(rule: str, village: str, household_id: str, detail: str) -> Finding:
    return Finding(
        rule=rule,
        item=RULES[rule].item,
        village=village,
        household_id=household_id,
        person_id_number=None,
        person_row=None,
        subject_key=household_key(household_id),
        description=_describe(rule, detail),
    )


def person_finding(
    rule: str, village: str, household_id: str, *, row: int, id_number: str, subject_key: str, detail: str
) -> Finding:
    return Finding(
        rule=rule,
        item=RULES[rule].item,
        village=village,
        household_id=household_id,
        person_id_number=id_number,
        person_row=row,
        subject_key=subject_key,
        description=_describe(rule, detail),
    )


def village_finding(rule: str, village: str, detail: str) -> Finding:
    return Finding(
        rule=rule,
        item=RULES[rule].item,
        village=village,
        household_id=None,
        person_id_number=None,
        person_row=None,
        subject_key=village_key(village),
        description=_describe(rule, detail),
    )
