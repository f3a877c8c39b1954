"""A sheet as the file a reader downloads: .xlsx for the station's Excel, CSV, or JSON.

CSV carries a byte-order mark because Excel on a Chinese Windows reads BOM-less CSV as GBK. Text a user
typed never becomes a formula (`lookback/spreadsheets.py` holds the guard, shared with the workbench).
Every file carries the 校验码 of the log it was made from (logdigest.py): in the footer of every printed
page and the document's properties (.xlsx), as a last row (CSV), as `check_code` (JSON).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from lookback.downloads import XLSX
from lookback.spreadsheets import CODE_LABEL, csv_safe, xlsx_of
from services.reporting.domain.sheets import Sheet

MEDIA_TYPES = {
    "xlsx": XLSX,
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def to_xlsx(sheet: Sheet, code: str | None = None) -> bytes:
    """The title is the sheet's and file's name."""
    return xlsx_of(sheet.name, sheet.columns, sheet.rows, code)


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
