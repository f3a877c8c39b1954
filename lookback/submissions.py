"""The submission (报送) of one period by one org unit, folded from its events, and when it is due.

Reporting runs the submissions (services/reporting/domain/submissions.py: submit, review, return) and
rectify counts the ones due in each owner's digest; both fold the same `submission.*` events with the
one `evolve` here, so an owner's digest and the 报送 page never disagree on what was handed in.

待报送 → 已报送 → 已审核 (the station approves a village or unit) or 退回 with a reason → 已报送 again;
the station's own summary goes the same way one level up and ends in the county's 已接收. Due dates
count from the period's last day; due-soon and overdue are judged on the business clock, so a campaign
run on a moved clock moves them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from lookback.calendar import Period
from lookback.catalogue import Catalogue
from lookback.contracts.reporting import (
    OrgKind,
    SubmissionEvent,
    SubmissionReceived,
    SubmissionReportFiled,
    SubmissionReturned,
    SubmissionReviewed,
    SubmissionSubmitted,
    SubmittedForm,
    WrittenReport,
    submission_id,
)

State = Literal["pending", "submitted", "reviewed", "returned", "received"]
STATE_LABELS: dict[State, str] = {
    "pending": "待报送",
    "submitted": "已报送",
    "reviewed": "已审核",
    "returned": "退回",
    "received": "已接收",
}
Standing = Literal["done", "due_soon", "overdue", "open"]
STANDING_LABELS: dict[Standing, str] = {"done": "已完成", "due_soon": "即将到期", "overdue": "已逾期", "open": "未到期"}


@dataclass(frozen=True)
class Org:
    kind: OrgKind
    name: str


@dataclass(frozen=True)
class Submission:
    period: str
    org: Org
    state: State = "pending"
    forms: tuple[SubmittedForm, ...] = ()
    reason: str | None = None
    """The reason of the last return, kept until the next submission."""
    submitted_on: date | None = None
    """The first day it was submitted: on time or late is judged by it."""
    report: WrittenReport | None = None
    """A village's 书面报告, the last one it filed with this period's submission."""
    report_filed_on: date | None = None
    """The first day a 书面报告 was filed: the milestone is judged by it."""

    @property
    def submission_id(self) -> str:
        return submission_id(self.period, self.org.kind, self.org.name)


def evolve(sub: Submission, event: SubmissionEvent, day: date) -> Submission:
    match event:
        case SubmissionSubmitted():
            return replace(sub, state="submitted", forms=event.forms, reason=None, submitted_on=sub.submitted_on or day)
        case SubmissionReturned():
            return replace(sub, state="returned", reason=event.reason)
        case SubmissionReviewed():
            return replace(sub, state="reviewed")
        case SubmissionReceived():
            return replace(sub, state="received")
        case SubmissionReportFiled():
            return replace(sub, report=event.report, report_filed_on=sub.report_filed_on or day)
    return sub


def lower_orgs(catalogue: Catalogue) -> frozenset[Org]:
    """Every village and unit that keeps a problem list and ledger (plan 四(二)) and hands them in."""
    return frozenset([Org("village", v) for v in catalogue.villages] + [Org("unit", u) for u in catalogue.units()])


def due_day(period: Period, due_days: int) -> date:
    """`due_days` after the period's last day (LOOKBACK_SUBMISSION_DUE_DAYS)."""
    return period.last_day + timedelta(days=due_days)


def standing(done: bool, due: date, today: date, soon_days: int) -> Standing:
    """Done, or else overdue after the due day, due soon within `soon_days` before it (the day itself
    included), or not yet due. The due day itself is in time."""
    if done:
        return "done"
    if today > due:
        return "overdue"
    return "due_soon" if today >= due - timedelta(days=soon_days) else "open"


def handed_in(sub: Submission) -> bool:
    """What the due date asks for: the forms handed in and not sent back."""
    return sub.state in ("submitted", "reviewed", "received")
