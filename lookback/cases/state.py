"""A case as its events leave it: one row of the rectification ledger (整改台帐, plan 四(二)).

The state is rebuilt by folding events, never edited, so the ledger can always be replayed from the
stream and every value in it traced back to the event that set it. Rectify stores each case's state
(services/rectify/adapters/tables.py): a change here raises its schema version, so it is rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import assert_never

from lookback.cases import deadlines
from lookback.cases.deadlines import Extension
from lookback.contracts.rectify import (
    CLOSED_STATUSES,
    CaseAssigned,
    CaseDismissed,
    CaseDueSoon,
    CaseEscalated,
    CaseEvent,
    CaseOpened,
    CaseOverdue,
    CaseRectified,
    CaseReopened,
    CaseStatus,
    CaseTransition,
    CaseVerified,
    DeadlineExtended,
    EscalationAccepted,
    EscalationReturned,
    RectificationStarted,
    VerificationFailed,
)


@dataclass(frozen=True)
class Case:
    case_id: str
    problem_id: str
    item: int
    village: str
    lead_unit: str
    co_responsible: str
    opened_on: date
    deadline: date
    status: CaseStatus
    status_since: date
    person: str | None = None
    extensions: tuple[Extension, ...] = ()
    measures: tuple[str, ...] = ()
    overdue_for: date | None = None
    due_soon_for: date | None = None
    closed_on: date | None = None
    on_time: bool | None = None
    escalated_from: CaseStatus | None = None
    escalated_to: str | None = None
    county_accepted: bool = False
    co_units: tuple[str, ...] = ()
    last_on: date | None = None
    """The business day of the latest step: no later step may be dated before it."""
    cleared_from: tuple[CaseStatus, CaseStatus | None] | None = None
    """Where a roster clearing the problem took the case from (its status, and where an escalation came
    from): where it goes back to if the problem comes back."""


def is_open(case: Case) -> bool:
    return case.status not in CLOSED_STATUSES


def days_overdue(case: Case, today: date) -> int:
    """Overdue is a kind of open: a closed case is never overdue, however late it was closed."""
    return deadlines.overdue_days(case.deadline, today) if is_open(case) else 0


def is_overdue(case: Case, today: date) -> bool:
    return days_overdue(case, today) > 0


def evolve(case: Case | None, event: CaseEvent) -> Case:
    folded = _evolve(case, event)
    if isinstance(event, CaseTransition) and (folded.last_on is None or event.on > folded.last_on):
        return replace(folded, last_on=event.on)
    return folded


def last_day(case: Case) -> date:
    """The earliest day a new step of the case may carry: its last step's, or the day it opened."""
    return max(case.opened_on, case.last_on or case.opened_on)


def _evolve(case: Case | None, event: CaseEvent) -> Case:
    if case is None:
        if isinstance(event, CaseOpened):
            return _opened(event)
        raise ValueError(
            f"案件 {event.case_id} 尚未立案 / case {event.case_id} has no case.opened before {event.event_type}"
        )
    match event:
        case CaseOpened():
            return case
        case CaseOverdue():
            return replace(case, overdue_for=event.deadline) if _in_force(case, event.deadline) else case
        case CaseDueSoon():
            return replace(case, due_soon_for=event.deadline) if _in_force(case, event.deadline) else case
        case CaseAssigned():
            return replace(case, lead_unit=event.lead_unit, person=event.person)
        case RectificationStarted():
            return replace(_moved(case, "in_progress", event.on), measures=(*case.measures, event.measures))
        case CaseRectified():
            measures = (*case.measures, event.measures) if event.measures else case.measures
            cleared_from = (case.status, case.escalated_from) if event.by == "data" else None
            return replace(
                _moved(case, "rectified", event.on), measures=measures, escalated_from=None, cleared_from=cleared_from
            )
        case CaseReopened():
            return replace(_moved(case, event.status, event.on), escalated_from=event.escalated_from, cleared_from=None)
        case VerificationFailed():
            return _moved(case, "in_progress", event.on)
        case CaseVerified():
            return _closed(case, "verified", event.on, on_time=event.on_time)
        case CaseDismissed():
            return _closed(case, "dismissed", event.on, on_time=None)
        case CaseEscalated():
            return replace(
                _moved(case, "escalated", event.on), escalated_from=case.status, escalated_to=event.county_unit
            )
        case EscalationAccepted():
            _resumed(case)
            return replace(_moved(case, "county_accepted", event.on), escalated_from=None, county_accepted=True)
        case EscalationReturned():
            return replace(_moved(case, _resumed(case), event.on), escalated_from=None)
        case DeadlineExtended():
            extension = Extension(previous=event.old_deadline, deadline=event.new_deadline, reason=event.reason)
            return replace(
                case,
                deadline=event.new_deadline,
                extensions=(*case.extensions, extension),
                overdue_for=None,
                due_soon_for=None,
            )
        case _:
            assert_never(event)


def _opened(event: CaseOpened) -> Case:
    return Case(
        case_id=event.case_id,
        problem_id=event.problem_id,
        item=event.item,
        village=event.village,
        lead_unit=event.lead_unit,
        co_responsible=event.co_responsible,
        co_units=event.co_units,
        opened_on=event.assigned_on,
        deadline=event.deadline,
        status="pending",
        status_since=event.assigned_on,
        person=event.person,
        measures=(event.measures,) if event.measures else (),
    )


def _in_force(case: Case, deadline: date) -> bool:
    """A reminder or overdue mark published before an extension or a close arrives late: it is about a
    deadline no longer in force, and recording it would mark an on-time or closed case overdue."""
    return is_open(case) and deadline == case.deadline


def _moved(case: Case, status: CaseStatus, on: date) -> Case:
    """How long a case has waited in its status is read from here, so every move restarts that clock."""
    return replace(case, status=status, status_since=on)


def _closed(case: Case, status: CaseStatus, on: date, *, on_time: bool | None) -> Case:
    """销号 fixes on-time or late once; clearing the marks keeps "overdue" a subset of "open"."""
    return replace(_moved(case, status, on), closed_on=on, on_time=on_time, overdue_for=None, due_soon_for=None)


def _resumed(case: Case) -> CaseStatus:
    if case.escalated_from is None:
        raise ValueError(f"案件 {case.case_id} 未上报县级 / case {case.case_id} is not with the county")
    return case.escalated_from
