"""A problem-list file (问题清单) read with the roster's file reader: same formats, same encodings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from services.intake.adapters.sheets import Layout, open_sheets
from services.intake.domain.errors import NotAProblemList
from services.intake.domain.issue_columns import ISSUES, sheet_of_header
from services.intake.domain.issues import MayReport, anywhere
from services.intake.domain.places import Places
from services.intake.domain.problem_list import ParsedProblemList, parse_problem_list

PROBLEM_LIST = Layout((ISSUES,), sheet_of_header, NotAProblemList)


def read_problem_list(
    path: str | Path, places: Places, may_report: MayReport = anywhere, today: date | None = None
) -> ParsedProblemList:
    """One .xlsx (sheet 问题清单) or CSV file; raises `NotAProblemList` if it is not a problem list."""
    with open_sheets([path], PROBLEM_LIST) as sheets:
        return parse_problem_list(sheets[ISSUES], places, may_report, today)
