"""The demo town as the files a town sends: CSV in a chosen encoding, or one workbook with both sheets.

Both write as they generate, so a 400,000-household town needs no more memory than one household.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import TextIO

from openpyxl import Workbook

from apps.demo.columns import PERSON_COLUMNS, VILLAGE_COLUMNS
from apps.demo.town import DemoTown

PERSON_SHEET = "人口明细"
VILLAGE_SHEET = "村级信息"
EXCEL_MAX_ROWS = 1_048_576
_NUMBERS = frozenset(("家庭人口数", "人均纯收入", "上年人均纯收入", "小额信贷余额", "集体经济收入", "上年集体经济收入"))
_DATES = frozenset(("出生日期", "小额信贷到期日"))


def _write_rows(out: TextIO, columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> None:
    """Joins plain rows directly, three times faster than `csv.writer`; only rows that need quoting use it."""
    writer = csv.writer(out)
    writer.writerow(columns)
    cells = itemgetter(*columns)
    separators = len(columns) - 1
    for row in rows:
        values = cells(row)
        line = ",".join(values)
        if line.count(",") != separators or '"' in line or "\n" in line or "\r" in line:
            writer.writerow(values)
        else:
            out.write(line + "\r\n")


def write_csv(town: DemoTown, directory: Path | str, encoding: str = "utf-8") -> tuple[Path, Path]:
    """`roster.csv` and `villages.csv`; pass `gbk` for what Excel on a Chinese Windows saves."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    roster, villages = folder / "roster.csv", folder / "villages.csv"
    with roster.open("w", encoding=encoding, newline="") as out:
        _write_rows(out, PERSON_COLUMNS, town.persons())
    with villages.open("w", encoding=encoding, newline="") as out:
        _write_rows(out, VILLAGE_COLUMNS, town.village_rows())
    return roster, villages


def _cell(column: str, text: str) -> str | int | float | date:
    """Numbers and ISO dates become number and date cells, as in a workbook someone typed into."""
    if column in _NUMBERS and text:
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if column in _DATES and len(text) == 10 and text[4] == "-":
        return date.fromisoformat(text)
    return text


def write_xlsx(town: DemoTown, path: Path | str) -> Path:
    """Refuses a town larger than one sheet holds rather than write a truncated roster.

    Counting the rows first costs one extra generation pass, a few per cent of openpyxl's time.
    """
    if sum(1 for _ in town.persons()) >= EXCEL_MAX_ROWS:
        raise ValueError(
            f"人口明细超过 Excel 工作表的 {EXCEL_MAX_ROWS} 行 / more person rows than an Excel sheet holds"
        )
    book = Workbook(write_only=True)
    persons = book.create_sheet(PERSON_SHEET)
    persons.append(PERSON_COLUMNS)
    for row in town.persons():
        persons.append([_cell(c, row[c]) for c in PERSON_COLUMNS])
    villages = book.create_sheet(VILLAGE_SHEET)
    villages.append(VILLAGE_COLUMNS)
    for row in town.village_rows():
        villages.append([_cell(c, row[c]) for c in VILLAGE_COLUMNS])
    target = Path(path)
    book.save(target)
    return target
