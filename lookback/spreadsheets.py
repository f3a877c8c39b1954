"""Spreadsheets the system hands out, written so that opening one never runs what a user typed.

Text a user typed (a description `=1+2`, `=HYPERLINK(…)`) leaves as text, never as a formula the county
or an auditor would run by opening the file: a string cell in xlsx, and in CSV quoted with a leading `'`
the way OWASP's "CSV Injection" page describes. Every service that writes a spreadsheet goes through
here (reporting's forms, the workbench's rejected rows), so the guard exists once; `xlsx_of` is the plain
table (header on row 1) for files that are no paper form.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

_WIDEST = 60
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CODE_LABEL = "校验码"


def csv_safe(value: object) -> object:
    """A text cell a spreadsheet would read as a formula, prefixed with `'` so that it reads as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """A cell whose text stays text: openpyxl would store a string opening with `=` as a formula."""
    cell = ws.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def xlsx_of(name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], code: str | None = None) -> bytes:
    """The header on row 1, as a program reading it back expects; `name` is the sheet's; `code` the 校验码
    of the log it was made from, in the footer of every printed page and the document's properties."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = name
    for r, row in enumerate([columns, *rows], 1):
        for c, value in enumerate(row, 1):
            put(ws, r, c, value)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for n, column in enumerate(columns, 1):
        longest = max([len(str(column)), *(len(str(row[n - 1])) for row in rows)])
        ws.column_dimensions[get_column_letter(n)].width = min(_WIDEST, 2 * longest + 2)
    ws.freeze_panes = "A2"
    if code:
        ws.oddFooter.center.text = f"{CODE_LABEL} {code}"
        ws.oddFooter.right.text = "&P / &N"
        book.properties.description = f"{CODE_LABEL} {code}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
