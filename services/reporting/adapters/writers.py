"""A sheet as the file a reader downloads: .xlsx for the station's Excel, CSV, or JSON.

CSV carries a byte-order mark because Excel on a Chinese Windows reads BOM-less CSV as GBK. Text a user
typed (a description `=1+2`, `=HYPERLINK(…)`) leaves as text, never as a formula the county or an auditor
would run by opening the file: a string cell in xlsx, and in CSV quoted with a leading `'` the way OWASP's
"CSV Injection" page describes.
Every file carries the 校验码 of the log it was made from (logdigest.py): in the footer of every printed
page and the document's properties (.xlsx), as a last row (CSV), as `check_code` (JSON).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from lookback.downloads import XLSX
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


def to_xlsx(sheet: Sheet, code: str | None = None) -> bytes:
    """The header on row 1, as a program reading it back expects; the title is the sheet's and file's name."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet.name
    for r, row in enumerate([sheet.columns, *sheet.rows], 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for n, column in enumerate(sheet.columns, 1):
        longest = max([len(str(column)), *(len(str(row[n - 1])) for row in sheet.rows)])
        ws.column_dimensions[get_column_letter(n)].width = min(_WIDEST, 2 * longest + 2)
    ws.freeze_panes = "A2"
    if code:
        ws.oddFooter.center.text = f"{CODE_LABEL} {code}"
        ws.oddFooter.right.text = "&P / &N"
        book.properties.description = f"{CODE_LABEL} {code}"
    out = io.BytesIO()
    book.save(out)
    return reproducible(out.getvalue())


_PINNED = (1980, 1, 1, 0, 0, 0)
_SAVED_AT = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def reproducible(xlsx: bytes) -> bytes:
    """The same sheet gives the same bytes: openpyxl stamps the save time into docProps/core.xml and every
    zip entry, so both are pinned. A submitted form's sha256 is then reproducible by replay."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _SAVED_AT.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            target.writestr(zipfile.ZipInfo(info.filename, _PINNED), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


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
    body = {"name": sheet.name, "title": sheet.title, "columns": list(sheet.columns), "rows": rows, "check_code": code}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


WRITERS: dict[str, Callable[[Sheet, str | None], bytes]] = {"xlsx": to_xlsx, "csv": to_csv, "json": to_json}
