"""Reminders and overdue marks: each one at most once per case and deadline.

The watch runs every few seconds and may run in two processes at once; deciding from the case's
marks (`due_soon_for`, `overdue_for`) rather than from the clock alone keeps one reminder per deadline,
and an extension — a new deadline — earns its own.
"""

from __future__ import annotations

from datetime import date

from lookback.cases import deadlines
from lookback.cases.state import Case, is_open, is_overdue
from lookback.contracts.rectify import CaseDueSoon, CaseOverdue


def overdue_events(case: Case, today: date) -> list[CaseOverdue]:
    if not is_overdue(case, today) or case.overdue_for == case.deadline:
        return []
    return [CaseOverdue(case_id=case.case_id, deadline=case.deadline, village=case.village, item=case.item)]


def due_soon_events(case: Case, today: date, days: int) -> list[CaseDueSoon]:
    """`days` is the town's `due_soon_days`: the owner hears before the deadline, not after it."""
    if not is_open(case) or not deadlines.due_soon(case.deadline, today, days) or case.due_soon_for == case.deadline:
        return []
    return [CaseDueSoon(case_id=case.case_id, deadline=case.deadline, village=case.village, item=case.item)]
