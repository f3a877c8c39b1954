"""Roster and problem-list files read into sheets of raw cell text: the I/O edge of intake.

Towns send an `.xlsx` workbook or one `.csv` file per sheet in whatever encoding their Excel saved
(docs/rules.md). Rows are streamed, never loaded whole, so a 400,000-row roster costs memory only for the
rows the domain keeps. Whatever goes wrong underneath (a PDF renamed `.xlsx`, an empty file, a CSV
of something else) surfaces as the one error of the kind of list expected (`NotARoster`,
`NotAProblemList`), never as a parser's traceback.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any

import openpyxl

from lookback.filing import TITLE_LINES_AT_MOST
from services.intake.domain.columns import PERSONS, VILLAGES, sheet_of_header
from services.intake.domain.errors import NotARoster, NotImportable
from services.intake.domain.roster import ParsedRoster, parse_sheets
from services.intake.domain.sheet import SheetRows


@dataclass(frozen=True)
class Layout:
    """One kind of file a town sends: its sheets (the first required), how a CSV header names its sheet,
    and the error a file that is not of this kind ends with."""

    sheets: tuple[str, ...]
    sheet_of_header: Callable[[list[str]], str | None]
    refused: type[NotImportable]

    @property
    def required(self) -> str:
        return self.sheets[0]


ROSTER = Layout((PERSONS, VILLAGES), sheet_of_header, NotARoster)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads UTF-8 without a BOM
_CHUNK = 1 << 20

RawRow = tuple[int, list[str]]


def parse_roster(paths: Iterable[str | Path], configured_villages: Iterable[str]) -> ParsedRoster:
    """Read the files a town sent and place their rows; raises `NotARoster` if they are not a roster."""
    with open_sheets(paths) as sheets:
        return parse_sheets(sheets[PERSONS], sheets.get(VILLAGES), configured_villages)


@contextmanager
def open_sheets(paths: Iterable[str | Path], layout: Layout = ROSTER) -> Iterator[dict[str, SheetRows]]:
    """The files' sheets by name, their rows still unread; the files stay open inside the block.

    Any file-level failure, raised here or while the block reads rows, ends as `layout.refused`.
    """
    try:
        with ExitStack() as stack:
            sheets: dict[str, SheetRows] = {}
            for path in map(Path, paths):
                for sheet in _open(path, stack, layout):
                    if sheet.sheet in sheets:
                        raise layout.refused(
                            f"{sheet.sheet}表由{sheets[sheet.sheet].source}和{path.name}重复提供",
                            f"sheet {sheet.sheet} comes from both {sheets[sheet.sheet].source} and {path.name}",
                        )
                    sheets[sheet.sheet] = sheet
            if layout.required not in sheets:
                raise layout.refused(
                    f"所给文件中没有{layout.required}表", f"none of the files holds a {layout.required} sheet"
                )
            yield sheets
    except NotImportable as error:
        if isinstance(error, layout.refused):
            raise
        raise layout.refused(error.zh, error.en) from error


def _open(path: Path, stack: ExitStack, layout: Layout) -> list[SheetRows]:
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return _workbook_sheets(path, stack, layout)
    if suffix == ".csv":
        return [_csv_sheet(path, stack, layout)]
    raise NotImportable(f"{path.name}不是.xlsx或.csv文件", f"{path.name} is not an .xlsx or .csv file")


def _workbook_sheets(path: Path, stack: ExitStack, layout: Layout) -> list[SheetRows]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # any parser failure means the same thing to a town
        raise _unreadable(path, "xlsx工作簿", ".xlsx workbook") from error
    stack.callback(book.close)
    titles = {title.strip(): title for title in book.sheetnames}
    required = layout.required
    if required not in titles:
        raise NotImportable(f"{path.name}中没有名为{required}的工作表", f"{path.name} has no sheet named {required}")
    sheets = []
    for name in layout.sheets:
        if name not in titles:
            continue
        rows = _below_title_lines(_excel_rows(book[titles[name]], path), name, layout)
        header = next(rows, None)
        if header is None and name != required:
            continue  # an empty optional sheet declares nothing
        if header is None:
            raise NotImportable(f"{path.name}的{name}表是空的", f"sheet {name} of {path.name} is empty")
        sheets.append(SheetRows(name, path.name, header[1], rows))
    return sheets


def _below_title_lines(rows: Iterator[RawRow], name: str, layout: Layout) -> Iterator[RawRow]:
    """The rows from the header on: a form as towns file it (the 问题清单 reporting exports too) has a title
    and a 填报单位 line above its header. Without a row naming the sheet's columns near the top, the first
    row is the header, as it always was, and the errors about it are the ones it always had."""
    top = list(islice(rows, TITLE_LINES_AT_MOST))
    at = next((n for n, (_, values) in enumerate(top) if layout.sheet_of_header(values) == name), 0)
    return chain(top[at:], rows)


def _excel_rows(sheet: Any, path: Path) -> Iterator[RawRow]:
    try:
        sheet.reset_dimensions()  # the declared size is often wrong in exported files; read every row
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [excel_text(value) for value in values]
    except Exception as error:
        raise _unreadable(path, "xlsx工作簿", ".xlsx workbook") from error


def excel_text(value: object) -> str:
    """A cell's value as the text a town would type: dates in ISO form, integers without `.0`.

    Numbers never come out in exponent form, so a 户编号 or ID stored as a number keeps its digits.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _csv_sheet(path: Path, stack: ExitStack, layout: Layout) -> SheetRows:
    encoding = detect_encoding(path)
    try:
        handle = stack.enter_context(path.open(encoding=encoding, newline=""))
    except OSError as error:
        raise _unreadable(path, "文件", "file") from error
    rows = _csv_rows(handle, path)
    first = next(rows, None)
    sheet = layout.sheet_of_header(first[1]) if first else None
    if first is None or sheet is None:
        raise NotImportable(
            f"{path.name}的第一行不是{'或'.join(layout.sheets)}的表头",
            f"the first line of {path.name} is not a {' or '.join(layout.sheets)} header",
        )
    return SheetRows(sheet, path.name, first[1], rows)


def _csv_rows(handle: Iterable[str], path: Path) -> Iterator[RawRow]:
    """Records numbered as a spreadsheet numbers rows (a quoted line break stays inside its row)."""
    try:
        yield from enumerate(csv.reader(handle), start=1)
    except (csv.Error, UnicodeDecodeError) as error:
        raise _unreadable(path, "CSV文件", "CSV file") from error


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GB18030 (a superset of GBK).

    The file is decoded once in chunks before rows are read, so a bad byte deep in a 400,000-row file
    cannot switch encodings halfway through an import.
    """
    for encoding in CSV_ENCODINGS:
        if _decodes(path, encoding):
            return encoding
    raise NotImportable(
        f"{path.name}不是UTF-8或GB18030/GBK编码的文本", f"{path.name} is not text in UTF-8 or GB18030/GBK"
    )


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                if b"\0" in chunk:
                    return False  # text files carry no NUL bytes; this is binary
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    except OSError as error:
        raise _unreadable(path, "文件", "file") from error
    return True


def _unreadable(path: Path, kind_zh: str, kind_en: str) -> NotImportable:
    return NotImportable(f"{path.name}不是可读取的{kind_zh}", f"{path.name} is not a readable {kind_en}")
