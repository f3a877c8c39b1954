"""Reading roster cells the way docs/rules.md ("Reading the roster") says they are read.

The intake parser has already trimmed cells, dropped empty ones, written dates as ISO text and
numbers as decimal text; what is left here is the sheet's defaults for empty cells and the rule
that a comparison with a missing or unreadable number or date does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

Cells = Mapping[str, str]

# docs/rules.md: "empty = …" defaults; 残疾等级 "empty = none" is simply no value.
DEFAULTS: Mapping[str, str] = {
    "在校生状况": "非在校生",
    "健康状况": "健康",
    "家庭医生签约": "是",
    "帮扶计划": "否",
    "公益岗位": "否",
    "光伏收益到户": "不适用",
    "小额信贷余额": "0",
}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def value(cells: Cells, column: str) -> str | None:
    """The cell, or the sheet's default for an empty one; None is "no value" and equals nothing."""
    return cells.get(column) or DEFAULTS.get(column)


def is_empty(cells: Cells, column: str) -> bool:
    return not cells.get(column)


def number(cells: Cells, column: str) -> Decimal | None:
    """A decimal (`4000.00` equals 4000), or None when empty or not a number."""
    text = value(cells, column)
    if text is None:
        return None
    try:
        parsed = Decimal(text)
    except InvalidOperation:
        return None
    return parsed if parsed.is_finite() else None


def day(cells: Cells, column: str) -> date | None:
    """An ISO date as intake writes it; anything else could not be read and compares to nothing."""
    text = value(cells, column)
    if text is None or not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def below(left: Decimal | None, right: Decimal | None) -> bool:
    """`left < right` that does not hold when either side is missing (docs/rules.md)."""
    return left is not None and right is not None and left < right
