"""Whether a row can be placed at all (roster.md, "What happens to a bad row").

Only rows that cannot be placed are rejected; data that is merely wrong (an invalid ID, a household
size that does not match) is imported, because finding it is the rules' job. The checks run in the
spec's order and stop at the first failing column, so a town fixes one reported cell at a time.
Reasons name the column and its allowed values, never the value itself: it may be personal data.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from services.intake.domain.cells import decimal_text
from services.intake.domain.columns import (
    HOUSEHOLD_ID,
    HOUSEHOLD_SIZE,
    ID_NUMBER,
    INCOME,
    NAME,
    PERSON_LISTS,
    VILLAGE,
    VILLAGE_LISTS,
)

REASONS: dict[str, tuple[str, str]] = {
    "empty": ("{column}为空", "{column} is empty"),
    "not_in_town": ("{column}不属于本镇", "{column} is not a village of the town"),
    "not_in_list": ("{column}不在可选值（{zh_allowed}）之内", "{column} is not one of {en_allowed}"),
    "not_count": ("{column}不是大于等于1的整数", "{column} is not a whole number of at least 1"),
    "not_number": ("{column}不是数字", "{column} is not a number"),
    "repeated": ("{column}在本表中重复", "{column} appears in an earlier row of this sheet"),
}


@dataclass(frozen=True)
class Fault:
    """The first reason a row cannot be placed."""

    column: str
    reason_zh: str
    reason_en: str


def fault(kind: str, column: str, allowed: tuple[str, ...] = ()) -> Fault:
    zh, en = REASONS[kind]
    words = {"column": column, "zh_allowed": "、".join(allowed), "en_allowed": ", ".join(allowed)}
    return Fault(column, zh.format(**words), en.format(**words))


def check_person(cells: Mapping[str, str], villages: Collection[str]) -> Fault | None:
    """The fault of a normalised `人口明细` row, given the town's villages (configured ∪ 村级信息)."""
    if not cells.get(HOUSEHOLD_ID):
        return fault("empty", HOUSEHOLD_ID)
    village = cells.get(VILLAGE)
    if not village:
        return fault("empty", VILLAGE)
    if village not in villages:
        return fault("not_in_town", VILLAGE)
    for column in (NAME, ID_NUMBER):
        if not cells.get(column):
            return fault("empty", column)
    for column, allowed in PERSON_LISTS.items():
        value = cells.get(column)
        if value and value not in allowed:
            return fault("not_in_list", column, allowed)
    size = cells.get(HOUSEHOLD_SIZE)
    if size and not _is_count(size):
        return fault("not_count", HOUSEHOLD_SIZE)
    income = cells.get(INCOME)
    if income and decimal_text(income) is None:
        return fault("not_number", INCOME)
    return None


def check_village(cells: Mapping[str, str], accepted: Collection[str]) -> Fault | None:
    """The fault of a normalised `村级信息` row, given the villages its earlier rows already declared."""
    village = cells.get(VILLAGE)
    if not village:
        return fault("empty", VILLAGE)
    if village in accepted:
        return fault("repeated", VILLAGE)
    for column, allowed in VILLAGE_LISTS.items():
        value = cells.get(column)
        if not value:
            return fault("empty", column)
        if value not in allowed:
            return fault("not_in_list", column, allowed)
    return None


def _is_count(text: str) -> bool:
    number = decimal_text(text)
    return number is not None and number.isdigit() and number != "0"
