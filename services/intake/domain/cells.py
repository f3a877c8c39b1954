"""Cell text as the rules compare it: trimmed, dates as ISO text, numbers as plain decimal text.

Towns edit the roster by hand, so the same value arrives as ` 3 `, `3`, `3.0` or an Excel number, and a
date as `1974/6/22`, `19740622` or a date cell. Normalising here makes the CSV and the workbook forms of
one roster give identical events, and lets a re-import of an unchanged household hash the same.
Only the spec's date and number columns are read as such: a 户编号 or 联系电话 of eight digits is not a
date. A value that does not parse is kept as written (trimmed) for the rules to judge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from decimal import Context, Decimal

from lookback.dates import SHEET_FORMS, iso_date
from services.intake.domain.columns import DATES, NUMBERS

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
_REMEMBERED = 4096


def decimal_text(text: str) -> str | None:
    """Plain decimal text without exponent or trailing zeros (`4000.00` → `4000`), or None if not a number."""
    if not _NUMBER.fullmatch(text):
        return None
    value = Decimal(text).normalize(Context(prec=len(text)))  # enough precision never to round
    return format(value if value else Decimal(0), "f")


def normalise(column: str, raw: str, dates: Set[str] = DATES, numbers: Set[str] = NUMBERS) -> str:
    """One cell's comparable text; empty means the cell holds no value.

    `dates` and `numbers` name the columns read as such: the roster's unless a sheet says otherwise.
    """
    text = raw.strip()
    if not text:
        return ""
    if column in dates:
        return iso_date(text, SHEET_FORMS) or text
    if column in numbers:
        return decimal_text(text) or text
    return text


def nameless_column(index: int) -> str:
    """The key for cells under a column with no header name (0-based index), so they are kept."""
    return f"第{index + 1}列"


class RowReader:
    """Normalises one sheet's rows into tuples of cell text in column order ("" for empty).

    Most columns repeat a handful of values (是, 达标, a village), so each column remembers its first
    few thousand distinct raw values: a repeated cell costs one lookup, and all its copies share one
    string. With rows kept as tuples rather than dicts, a 400,000-row roster stays a few hundred MB.
    """

    def __init__(self, names: Sequence[str], dates: Set[str] = DATES, numbers: Set[str] = NUMBERS) -> None:
        self.columns = list(names)
        self.dates = dates
        self.numbers = numbers
        self._memos: list[dict[str, str]] = [{} for _ in names]

    def values(self, raw: Sequence[str]) -> tuple[str, ...]:
        """At least one value per header column, so a column's index reads every row."""
        while len(self.columns) < len(raw):  # cells beyond the header are kept under a made-up name
            self.columns.append(nameless_column(len(self.columns)))
            self._memos.append({})
        if len(raw) < len(self.columns):
            raw = [*raw, *[""] * (len(self.columns) - len(raw))]
        values = []
        for column, memo, text in zip(self.columns, self._memos, raw, strict=True):
            value = memo.get(text)
            if value is None:
                value = normalise(column, text, self.dates, self.numbers)
                if len(memo) < _REMEMBERED:
                    memo[text] = value
            values.append(value)
        return tuple(values)


def cells_of(columns: Sequence[str], values: Sequence[str]) -> dict[str, str]:
    """Cells by column name, empty ones left out (as `PersonRow.cells` holds them).

    A row read before a longer row added columns has fewer values than there are columns.
    """
    return {column: text for column, text in zip(columns, values, strict=False) if text}
