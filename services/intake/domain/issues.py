"""One reported issue, from a 问题清单 row or an HTTP body: whether it can be placed, and what it says.

Both ways in go through the same cell normalisation and the same checks, so a report is accepted or
refused for the same reason whichever way it came. An issue is refused only when it cannot be placed
or understood: no known village or unit (or not the reporter's own village), no item 1–34, no
description, no readable date found, or a deadline that is not a date or falls before it was found.
The optional 责任单位 is kept as written: it may name a county unit the town's catalogue does not list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date

from pydantic import Field

from lookback.contracts.envelope import derived_id
from lookback.contracts.intake import Issue
from lookback.dates import iso_date
from services.intake.domain.cells import decimal_text, normalise
from services.intake.domain.faults import Fault, fault
from services.intake.domain.issue_columns import (
    COLUMNS,
    DATES,
    DEADLINE,
    DESCRIPTION,
    FOUND_ON,
    HOUSEHOLD_ID,
    ITEM,
    LEAD_UNIT,
    MEASURES,
    NUMBERS,
    PERSON,
    PLACE,
)
from services.intake.domain.places import TOWN_UNITS, Places

_ITEM_LABEL = re.compile(r"(\d{1,2})[.．、]\s*\D.*")
"""An item as the exported 问题清单 labels it: its number, a dot (or 、), its name."""

MayReport = Callable[[str], bool]
"""Whether the reporter may report for a village (or `(镇直)`): the caller asks the access policy."""


def anywhere(village: str) -> bool:
    return True


class IssueDraft(Issue):
    """An accepted report, ready to become an `IssueReported`: with its 问题清单 row, if any, and the
    list's other columns."""

    row: int | None = None
    other_cells: dict[str, str] = Field(default_factory=dict)

    def identity(self) -> tuple[str, ...]:
        """What makes two reports one issue: where, which item, what, when found, which household.

        Who answers for it and how (责任单位, 责任人, 整改时限, 整改措施) is not part of it: those change as
        the case is handled, in rectify, and a re-sent list with a new 整改措施 is still the same issue.
        """
        return (
            self.village,
            self.unit or "",
            str(self.item),
            self.description,
            self.found_on.isoformat(),
            self.household_id or "",
        )

    def issue_id(self, reporter: str) -> str:
        """Stable over retries and re-imports, so the same report by the same reporter is one issue."""
        return derived_id("issue", reporter, *self.identity()).hex


def issue_cells(raw: Mapping[str, object]) -> dict[str, str]:
    """A report's cells as a 问题清单 row holds them: trimmed, dates ISO, the item plain; empty left out."""
    cells = {
        column: normalise(column, str(value), DATES, NUMBERS) for column, value in raw.items() if value is not None
    }
    return {column: text for column, text in cells.items() if text}


def read_issue(
    cells: Mapping[str, str],
    places: Places,
    may_report: MayReport = anywhere,
    row: int | None = None,
    today: date | None = None,
) -> IssueDraft | Fault:
    """The issue normalised `cells` report, or the first column (in 问题清单 order) that refuses it.

    `today` is the business day: a problem cannot have been found after it (its found-on date
    places it in a half-month, and a future one would count it in a period not yet lived)."""
    place = cells.get(PLACE)
    if not place:
        return fault("empty", PLACE)
    village = places.village_of(place)
    if village is None:
        return fault("not_place", PLACE)
    if not may_report(village):
        return fault("not_own", PLACE)
    item = _item(cells.get(ITEM, ""))
    if item is None:
        return fault("not_item" if cells.get(ITEM) else "empty", ITEM)
    description = cells.get(DESCRIPTION)
    if not description:
        return fault("empty", DESCRIPTION)
    found_on = _date(cells.get(FOUND_ON, ""))
    if found_on is None:
        return fault("not_date" if cells.get(FOUND_ON) else "empty", FOUND_ON)
    if today is not None and found_on > today:
        return fault("after_today", FOUND_ON)
    deadline = _date(cells.get(DEADLINE, ""))
    if cells.get(DEADLINE) and deadline is None:
        return fault("not_date", DEADLINE)
    if deadline is not None and deadline < found_on:
        return fault("before_found", DEADLINE)
    return IssueDraft(
        village=village,
        unit=place if village == TOWN_UNITS else None,
        item=item,
        description=description,
        found_on=found_on,
        household_id=cells.get(HOUSEHOLD_ID),
        lead_unit=cells.get(LEAD_UNIT),
        person=cells.get(PERSON),
        deadline=deadline,
        measures=cells.get(MEASURES),
        row=row,
        other_cells={column: text for column, text in cells.items() if column not in COLUMNS},
    )


def _item(text: str) -> int | None:
    """1–34, as a number or as the exported lists write it, `32.减少会议和文件`."""
    labelled = _ITEM_LABEL.fullmatch(text)
    number = labelled[1] if labelled else decimal_text(text)
    return int(number) if number is not None and number.isdigit() and 1 <= int(number) <= 34 else None


def _date(text: str) -> date | None:
    iso = iso_date(text)
    return date.fromisoformat(iso) if iso else None
