"""The overdue list of any day, kept as the windows of days over which each case stays overdue.

A case is on the list at the end of day D when the facts up to D leave it open and D past its deadline.
The fold of a line's facts only changes on the business days its facts fall on, so a line's history is
a few stretches of days with the same case (status, deadline, lead unit …); within a stretch the case is
overdue from the day after its deadline. Those windows are what the projection stores: the list of a
day is the windows holding it, one indexed query instead of a fold of every fact per request, and the
same rows `semimonthly.overdue_cases` folds (the answer as known at an earlier instant, which the
windows, all that is recorded, cannot give).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

from lookback.calendar import Period
from lookback.cases.state import Case, is_open
from lookback.catalogue import Catalogue
from lookback.contracts.rectify import STATUS_LABELS, CaseStatus
from lookback.contracts.rules import ProblemFlagged
from services.reporting.domain.facts import Fact, known
from services.reporting.domain.measures import lines, overdue_bucket
from services.reporting.domain.state import CASE_EVENTS, ProblemView, Replay, fold


@dataclass(frozen=True)
class Listed:
    """What the list shows of a case while none of it changes (the days past the deadline aside)."""

    case_id: str
    problem_id: str
    village: str
    household_id: str | None
    rule: str
    item: int
    lead_unit: str
    co_units: tuple[str, ...]
    status: CaseStatus
    deadline: date


@dataclass(frozen=True)
class Window:
    """`listed` is overdue at the end of every day from `first` up to, not including, `until` (None: on)."""

    listed: Listed
    first: date
    until: date | None


def windows(facts: Iterable[Fact]) -> list[Window]:
    """The windows of the lines `facts` hold (all facts of each), sorted as `known` sorts them. A line is
    a problem with the case `measures.lines` pairs it with: the last one opened for it."""
    replay = Replay()
    paired: dict[str, str] = {}
    shown: dict[str, tuple[date, Listed | None]] = {}
    out: list[Window] = []
    for day, group in groupby(facts, key=lambda f: f.day):
        touched: set[str] = set()
        for fact in group:
            event = fact.event
            opened = isinstance(event, CASE_EVENTS) and event.aggregate_id() not in replay.cases
            replay.apply(fact)
            if isinstance(event, ProblemFlagged):
                touched.add(event.problem_id)
            elif isinstance(event, CASE_EVENTS) and (view := replay.cases.get(event.aggregate_id())) is not None:
                if opened:
                    paired[view.case.problem_id] = view.case.case_id
                touched.add(view.case.problem_id)
        for problem_id in touched:
            now = _listed(replay, paired.get(problem_id), problem_id)
            since, was = shown.get(problem_id, (day, None))
            if now != was:
                out += _window(was, since, day)
                shown[problem_id] = (day, now)
    for since, listed in shown.values():
        out += _window(listed, since, None)
    return out


def _listed(replay: Replay, case_id: str | None, problem_id: str) -> Listed | None:
    """None while the line cannot be overdue: no problem or case yet, or its case closed."""
    problem = replay.problems.get(problem_id)
    if problem is None or case_id is None:
        return None
    case = replay.cases[case_id].case
    return listed_of(problem, case) if is_open(case) else None


def listed_of(problem: ProblemView, case: Case) -> Listed:
    p = problem.flagged
    return Listed(
        case.case_id, p.problem_id, case.village, p.household_id, p.rule, case.item,
        case.lead_unit, tuple(case.co_units), case.status, case.deadline,
    )  # fmt: skip


def _window(listed: Listed | None, since: date, until: date | None) -> list[Window]:
    if listed is None:
        return []
    first = max(since, listed.deadline + timedelta(days=1))
    return [Window(listed, first, until)] if until is None or first < until else []


def order(listed: Listed) -> tuple[date, str, str]:
    """Longest overdue first (the earliest deadline), then by village and case."""
    return listed.deadline, listed.village, listed.case_id


def overdue_cases(
    facts: Sequence[Fact], period: Period, catalogue: Catalogue, known_at: datetime | None = None
) -> list[dict[str, Any]]:
    """The list folded from the facts: the answer as known at an earlier instant, and what the windows
    must always agree with."""
    day = period.last_day
    listed = [
        listed_of(line.problem, line.case.case)
        for line in lines(fold(known(facts, day, known_at)))
        if line.case is not None and line.days_overdue(day)
    ]
    return [row(each, day, catalogue) for each in sorted(listed, key=order)]


def row(listed: Listed, day: date, catalogue: Catalogue) -> dict[str, Any]:
    """A case of the list at the end of `day`, as `semimonthly.overdue_cases` gives it."""
    item = catalogue.item(listed.item)
    days = (day - listed.deadline).days
    return {
        "case_id": listed.case_id,
        "village": listed.village,
        "household_id": listed.household_id,
        "rule": listed.rule,
        "item": listed.item,
        "item_name": item.name,
        "category": item.category,
        "lead_unit": listed.lead_unit,
        "co_units": list(listed.co_units),
        "status": listed.status,
        "status_label": STATUS_LABELS[listed.status],
        "deadline": listed.deadline.isoformat(),
        "days_overdue": days,
        "bucket": overdue_bucket(days),
    }
