"""The 问题清单 sheet: a village's or unit's problem list (every item can be reported by hand: docs/rules.md,
"Problems reported by hand"). Everything that depends on a column's meaning reads it from here.
"""

from __future__ import annotations

ISSUES = "问题清单"

PLACE = "行政村或单位"
ITEM = "问题条目"
DESCRIPTION = "问题描述"
FOUND_ON = "发现日期"
HOUSEHOLD_ID = "户编号"
LEAD_UNIT = "责任单位"
PERSON = "责任人"
DEADLINE = "整改时限"
MEASURES = "整改措施"

REQUIRED = (PLACE, ITEM, DESCRIPTION, FOUND_ON)
"""In the order rows are checked; a header without all of them is not a problem list."""
OPTIONAL = (HOUSEHOLD_ID, LEAD_UNIT, PERSON, DEADLINE, MEASURES)
COLUMNS = REQUIRED + OPTIONAL

ALIASES = {"行政村": PLACE}
"""Other names a header may give a column: a village's own list heads its places 行政村."""

DATES = frozenset({FOUND_ON, DEADLINE})
NUMBERS = frozenset({ITEM})

MARKERS = frozenset({ITEM, DESCRIPTION})
"""Columns only a problem list has: a CSV file with one of them in its first line means to be one."""


def sheet_of_header(header: list[str]) -> str | None:
    """`问题清单` when the header has a problem list's own columns, else None."""
    return ISSUES if {name.strip() for name in header} & MARKERS else None
