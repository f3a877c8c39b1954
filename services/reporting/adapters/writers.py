"""A sheet as the file a reader downloads: .xlsx for the station's Excel, CSV, or JSON.

CSV carries a byte-order mark because Excel on a Chinese Windows reads BOM-less CSV as GBK. Text a user
typed (a description `=1+2`, `=HYPERLINK(…)`) leaves as text, never as a formula the county or an auditor
would run by opening the file: a string cell in xlsx, and in CSV quoted with a leading `'` the way OWASP's
"CSV Injection" page describes.
Every file carries the 校验码 of the log it was made from (logdigest.py): in the footer of every printed
page and the document's properties (.xlsx), as a last row (CSV), as `check_code` (JSON). Only .xlsx is
dressed as the paper form (title lines, 合计, signatures): CSV and JSON stay for programs, header first.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from lookback.downloads import XLSX
from lookback.filing import SIGNATURES
from services.reporting.domain.sheets import Sheet

MEDIA_TYPES = {
    "xlsx": XLSX,
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
_WIDEST = 60
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A text cell a spreadsheet would read as a formula, prefixed with `'` so that it reads as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


CODE_LABEL = "校验码"
HEADER_ROW = 3
"""The title and the 填报单位 line stand above the header in .xlsx; CSV and JSON have the header first."""


def to_xlsx(sheet: Sheet, code: str | None = None) -> bytes:
    """The form as a town files it: the title, the 填报单位/期次/填报日期 line, the header (frozen, and
    repeated atop every printed page), the rows, the 合计 row and the 填表人/审核人 line, on A4 landscape
    fitted to the page's width. The same sheet gives the same bytes: the document's dates are the form's
    day and so is every part of the file's (`_DatedZip`)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet.name
    width = len(sheet.columns)
    filing = sheet.filing
    lines = [
        (sheet.title,),
        (f"填报单位：{filing.filer}    期次：{filing.period.label}    填报日期：{filing.on.isoformat()}",),
        sheet.columns,
        *sheet.rows,
        *([sheet.totals] if sheet.totals else []),
        (),
        (SIGNATURES,),
    ]
    for r, row in enumerate(lines, 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, float):
                cell.number_format = "0.0%"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    for cell in ws[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for n, column in enumerate(sheet.columns, 1):
        longest = max([len(str(column)), *(len(str(row[n - 1])) for row in sheet.rows)])
        ws.column_dimensions[get_column_letter(n)].width = min(_WIDEST, 2 * longest + 2)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.right.text = "&P / &N"
    if code:
        ws.oddFooter.center.text = f"{CODE_LABEL} {code}"
        book.properties.description = f"{CODE_LABEL} {code}"
    when = datetime.combine(filing.on, time())
    book.properties.created = book.properties.modified = when
    out = io.BytesIO()
    with _DatedZip(out, when) as archive:
        ExcelWriter(book, archive).save()  # not `book.save`, which dates the document with the clock
    return out.getvalue()


class _DatedZip(zipfile.ZipFile):
    """zipfile stamps each entry with the time it is written, so two saves a second apart would differ and a
    stored sha256 of the form would not match: these entries carry the form's day instead."""

    def __init__(self, file: io.BytesIO, when: datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.when = when.timetuple()[:6]

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.when)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        """openpyxl writes each worksheet through a temporary file, whose time zipfile would take."""
        with open(filename, "rb") as part:
            self.writestr(str(arcname or filename), part.read())


def to_csv(sheet: Sheet, code: str | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(v) for v in sheet.columns])
    writer.writerows([csv_safe(v) for v in row] for row in sheet.rows)
    if code:
        writer.writerow([CODE_LABEL, code])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(sheet: Sheet, code: str | None = None) -> bytes:
    rows = [dict(zip(sheet.columns, row, strict=True)) for row in sheet.rows]
    body = {
        "name": sheet.name,
        "title": sheet.title,
        "filer": sheet.filing.filer,
        "period": sheet.filing.period.code,
        "filed_on": sheet.filing.on.isoformat(),
        "columns": list(sheet.columns),
        "rows": rows,
        "check_code": code,
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


WRITERS: dict[str, Callable[[Sheet, str | None], bytes]] = {"xlsx": to_xlsx, "csv": to_csv, "json": to_json}
