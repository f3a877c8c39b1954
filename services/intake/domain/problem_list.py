"""A 问题清单 sheet turned into issues and rejected rows (pure: the rows come in as text).

Bad rows are handled as in a roster (docs/rules.md): every row read is accepted or rejected with its
sheet, row, column and a bilingual reason, so accepted + rejected = rows read. A row that repeats an
earlier row's issue is rejected too: both would be the one issue, and a town should see it counted once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lookback.contracts.intake import Rejection
from services.intake.domain.cells import RowReader, cells_of
from services.intake.domain.errors import NotAProblemList
from services.intake.domain.faults import Fault, fault
from services.intake.domain.issue_columns import ALIASES, DATES, DESCRIPTION, ISSUES, NUMBERS, REQUIRED
from services.intake.domain.issues import IssueDraft, MayReport, anywhere, read_issue
from services.intake.domain.places import Places
from services.intake.domain.sheet import SheetRows, filled_rows, header_names, rejection


@dataclass(frozen=True)
class ParsedProblemList:
    """What one problem list holds; `len(issues) + len(rejected) == rows_read`."""

    issues: list[IssueDraft]
    rejected: list[Rejection]
    rows_read: int


def parse_problem_list(
    sheet: SheetRows, places: Places, may_report: MayReport = anywhere, today: date | None = None
) -> ParsedProblemList:
    """Check and read every row; `may_report` refuses rows for villages the reporter may not report for."""
    reader = RowReader(problem_list_columns(sheet), DATES, NUMBERS)
    issues: list[IssueDraft] = []
    rejected: list[Rejection] = []
    seen: set[tuple[str, ...]] = set()
    read = 0
    for row, values in filled_rows(sheet, reader):
        read += 1
        cells = cells_of(reader.columns, values)
        issue = read_issue(cells, places, may_report, row, today)
        if isinstance(issue, IssueDraft) and issue.identity() in seen:
            issue = fault("repeated", DESCRIPTION)
        if isinstance(issue, Fault):
            rejected.append(rejection(ISSUES, row, issue, cells))
        else:
            seen.add(issue.identity())
            issues.append(issue)
    return ParsedProblemList(issues, rejected, read)


def problem_list_columns(sheet: SheetRows) -> list[str]:
    """The header's names, an alias read as its column's name unless the header also has that column;
    without all the required columns a sheet is not a problem list.

    A list missing its 问题描述 column would have every row rejected for the same reason: one error
    about the header tells the town more.
    """
    names = header_names(sheet, NotAProblemList)
    names = [ALIASES.get(name, name) if ALIASES.get(name) not in names else name for name in names]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        raise NotAProblemList(
            f"{sheet.source}：{ISSUES}表头中没有{'、'.join(missing)}列",
            f"{sheet.source}: the {ISSUES} header has no {', '.join(missing)} column",
        )
    return names
