"""Blank forms to download: a workbook per importable form, its sheets headed as intake reads them.

The headers come from the same column lists the import checks, so a template filled in imports as it
is; what each column may hold is in docs/forms.md.
"""

from __future__ import annotations

import io
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.styles import Font

from services.intake.domain.columns import PERSON_COLUMNS, PERSONS, VILLAGE_COLUMNS, VILLAGES
from services.intake.domain.issue_columns import COLUMNS, ISSUES


class Form(StrEnum):
    roster = "roster"
    issues = "issues"


SHEETS: dict[Form, dict[str, tuple[str, ...]]] = {
    Form.roster: {PERSONS: PERSON_COLUMNS, VILLAGES: VILLAGE_COLUMNS},
    Form.issues: {ISSUES: COLUMNS},
}
FILE_NAMES = {Form.roster: "花名册模板.xlsx", Form.issues: "问题清单模板.xlsx"}


def template(form: Form) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, columns in SHEETS[form].items():
        ws = book.create_sheet(name)
        ws.append(list(columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
            ws.column_dimensions[cell.column_letter].width = 2 * len(str(cell.value)) + 4
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
