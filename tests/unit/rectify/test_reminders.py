"""Due-soon reminders and overdue marks: once per case and deadline, only for open cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lookback.cases.state import evolve
from lookback.contracts.rectify import CaseDueSoon, CaseOverdue
from services.rectify.domain.commands import ExtendDeadline
from services.rectify.domain.reminders import due_soon_events, overdue_events

from .factories import DEADLINE, VILLAGE, case_in, new_case, opened, run

DAY_AFTER = DEADLINE + timedelta(days=1)
NEW_DEADLINE = date(2020, 2, 26)


def test_overdue_once_per_deadline() -> None:
    case = new_case()
    assert overdue_events(case, DEADLINE) == []
    [event] = overdue_events(case, DAY_AFTER)
    assert event == CaseOverdue(case_id="c1", deadline=DEADLINE, village=VILLAGE, item=3)
    marked = evolve(case, event)
    assert overdue_events(marked, DAY_AFTER + timedelta(days=30)) == []


def test_an_extension_earns_its_own_overdue_mark() -> None:
    case = evolve(new_case(), CaseOverdue(case_id="c1", deadline=DEADLINE, village=VILLAGE, item=3))
    case = run(case, ExtendDeadline(NEW_DEADLINE, "春节"))
    assert overdue_events(case, NEW_DEADLINE) == []
    [event] = overdue_events(case, NEW_DEADLINE + timedelta(days=1))
    assert event.deadline == NEW_DEADLINE


@pytest.mark.parametrize("status", ["verified", "dismissed"])
def test_closed_cases_get_neither(status: str) -> None:
    case = case_in(status)  # type: ignore[arg-type]
    assert overdue_events(case, DAY_AFTER) == []
    assert due_soon_events(case, DEADLINE, 3) == []


@pytest.mark.parametrize("status", ["pending", "in_progress", "rectified", "escalated"])
def test_every_open_status_can_fall_overdue(status: str) -> None:
    assert overdue_events(case_in(status), DAY_AFTER) != []  # type: ignore[arg-type]


def test_a_late_overdue_mark_for_a_replaced_deadline_is_ignored() -> None:
    """The watch read the case before the extension was folded; its mark must not stick."""
    case = run(new_case(), ExtendDeadline(NEW_DEADLINE, "春节"))
    stale = evolve(case, CaseOverdue(case_id="c1", deadline=DEADLINE, village=VILLAGE, item=3))
    assert stale.overdue_for is None


def test_due_soon_in_the_window_once_per_deadline() -> None:
    case = new_case()
    assert due_soon_events(case, DEADLINE - timedelta(days=4), 3) == []
    [event] = due_soon_events(case, DEADLINE - timedelta(days=3), 3)
    assert event == CaseDueSoon(case_id="c1", deadline=DEADLINE, village=VILLAGE, item=3)
    reminded = evolve(case, event)
    assert reminded.due_soon_for == DEADLINE
    assert due_soon_events(reminded, DEADLINE, 3) == []
    assert due_soon_events(case, DAY_AFTER, 3) == []


def test_an_extension_earns_a_new_reminder() -> None:
    case = evolve(new_case(), CaseDueSoon(case_id="c1", deadline=DEADLINE, village=VILLAGE, item=3))
    case = run(case, ExtendDeadline(NEW_DEADLINE, "春节"))
    assert case.due_soon_for is None
    assert [e.deadline for e in due_soon_events(case, NEW_DEADLINE, 3)] == [NEW_DEADLINE]


def test_a_redelivered_opening_changes_nothing() -> None:
    case = run(new_case(), ExtendDeadline(NEW_DEADLINE, "春节"))
    assert evolve(case, opened()) == case


def test_no_event_before_the_opening() -> None:
    with pytest.raises(ValueError, match="尚未立案"):
        evolve(None, CaseOverdue(case_id="c1", deadline=DEADLINE, village=VILLAGE, item=3))
