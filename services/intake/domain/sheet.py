"""What every imported sheet shares: its rows as read, the rows it could not place, and its header.

Rosters and problem lists follow the same rules here (docs/rules.md, "Reading the roster"): a row
is either accepted or rejected and kept whole, never dropped, so a town can account for what it sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from lookback.contracts.intake import Rejection
from lookback.filing import is_trailer
from services.intake.domain.cells import RowReader, nameless_column
from services.intake.domain.errors import NotImportable
from services.intake.domain.faults import Fault

Row = tuple[int, tuple[str, ...]]
"""A sheet row number with the row's normalised cell text in column order ("" for empty)."""


@dataclass(frozen=True)
class SheetRows:
    """One sheet as read from a file: its header, then its data rows as (sheet row number, cell texts)."""

    sheet: str
    source: str
    header: Sequence[str]
    rows: Iterable[tuple[int, Sequence[str]]]


def rejection(sheet: str, row: int, fault: Fault, cells: dict[str, str]) -> Rejection:
    return Rejection(
        sheet=sheet, row=row, column=fault.column, reason_zh=fault.reason_zh, reason_en=fault.reason_en, cells=cells
    )


def header_names(sheet: SheetRows, refused: type[NotImportable]) -> list[str]:
    """The header's trimmed names; a nameless column gets its position (第n列) so its cells are kept.

    A header naming a column twice makes the file unreadable: guessing which of two 行政村 columns
    counts would silently mis-place rows.
    """
    names = [name.strip() or nameless_column(i) for i, name in enumerate(sheet.header)]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise refused(
                f"{sheet.source}：{sheet.sheet}表头中{name}列出现两次",
                f"{sheet.source}: the {sheet.sheet} header names column {name} twice",
            )
        seen.add(name)
    return names


def filled_rows(sheet: SheetRows, reader: RowReader) -> Iterator[Row]:
    """The sheet's rows that hold any value; a row of nothing but empty cells was never filled in, and a
    form's 合计 row and 填表人/审核人 line (`lookback.filing`) are the paper form's, not rows of data."""
    for row, raw in sheet.rows:
        values = reader.values(raw)
        if any(values) and not is_trailer(values):
            yield row, values
