"""Whether a row can be placed at all (docs/rules.md, "Reading the roster").

Only rows that cannot be placed are rejected; data that is merely wrong (an invalid ID, a household
size that does not match) is imported, because finding it is the rules' job. The checks run in the
spec's order and stop at the first failing column, so a town fixes one reported cell at a time. A date
that is no date (出生日期 `abc` or `2019-02-30`) is rejected last: an age could not be told from it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from services.intake.domain.cells import decimal_text, iso_date
from services.intake.domain.columns import (
    DATES,
    HOUSEHOLD_ID,
    HOUSEHOLD_SIZE,
    ID_NUMBER,
    INCOME,
    NAME,
    PERSON_LISTS,
    VILLAGE,
    VILLAGE_LISTS,
)
from services.intake.domain.faults import Fault, fault


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
    for column in sorted(DATES):
        value = cells.get(column)
        if value and iso_date(value) is None:  # a real date was already made ISO when the cell was read
            return fault("not_date", column)
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
