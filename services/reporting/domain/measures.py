"""What each problem adds to the half-monthly counts, summed for the town or for any group of problems.

Flows count what happened within the period (found, rectified, verified, dismissed, escalated in it);
stocks describe the end of the period's last day (open, overdue, each status). A flow's `_cumulative`
counts it from the start of the review to the end of the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from lookback.calendar import Period
from lookback.cases.owners import Owners, owners_of
from lookback.cases.state import days_overdue
from lookback.catalogue import Catalogue
from lookback.contracts.rectify import (
    CLOSED_STATUSES,
    CaseDismissed,
    CaseEscalated,
    CaseRectified,
    CaseStatus,
    CaseVerified,
)
from lookback.contracts.rules import ProblemFlagged
from services.reporting.domain.state import STATUSES, CaseView, ProblemView, State

COUNTS = (
    "found",
    "found_cumulative",
    "cleared_by_data",
    "rectified",
    "rectified_cumulative",
    "verified",
    "verified_cumulative",
    "dismissed",
    "dismissed_cumulative",
    "escalated",
    "escalated_cumulative",
    "open",
    "overdue",
)
OVERDUE_BUCKETS = ("1-7", "8-30", "31+")
"""Days past the deadline at the end of the period: at most a week, up to a month, longer."""
KEYS = (*COUNTS, *(f"status.{s}" for s in STATUSES), *(f"overdue.{b}" for b in OVERDUE_BUCKETS))


NO_BUCKET = (False,) * len(OVERDUE_BUCKETS)
BUCKET_FLAGS = {b: tuple(b == other for other in OVERDUE_BUCKETS) for b in OVERDUE_BUCKETS}


def overdue_bucket(days: int) -> str:
    return OVERDUE_BUCKETS[0] if days <= 7 else OVERDUE_BUCKETS[1] if days <= 30 else OVERDUE_BUCKETS[2]


@dataclass(frozen=True)
class Line:
    """One problem and its case as known at the end of a day; a problem whose case is not known yet
    waits as 待整改, as it would the moment rectify opened it."""

    problem: ProblemView
    case: CaseView | None

    @property
    def flagged(self) -> ProblemFlagged:
        return self.problem.flagged

    @property
    def status(self) -> CaseStatus:
        return self.case.case.status if self.case else "pending"

    def unit(self, catalogue: Catalogue) -> str:
        """The lead unit in charge; before its case is known, the one rectify will give it."""
        return self.case.case.lead_unit if self.case else self._owners(catalogue).lead_unit

    def co_units(self, catalogue: Catalogue) -> tuple[str, ...]:
        """配合单位 beside the lead unit, as the plan lists them."""
        return self.case.case.co_units if self.case else self._owners(catalogue).co_units

    def _owners(self, catalogue: Catalogue) -> Owners:
        return owners_of(self.flagged.item, self.flagged.village, catalogue, self.flagged.lead_unit)

    @cached_property
    def moves(self) -> tuple[tuple[str, date], ...]:
        return self.case.moves if self.case else ()

    @cached_property
    def standing(self) -> tuple[bool, bool, bool, bool, bool, tuple[bool, ...]]:
        """The part of `tally` no period changes: rectified and escalated ever, verified, dismissed,
        open, and the flag of each status."""
        ever = {t for t, _ in self.moves}
        status = self.status
        return (
            CaseRectified.event_type in ever,
            status == "verified",
            status == "dismissed",
            CaseEscalated.event_type in ever,
            status not in CLOSED_STATUSES,
            tuple(status == s for s in STATUSES),
        )

    def days_overdue(self, day: date) -> int:
        """Days past the deadline in force at the end of `day`; 0 when in time or closed."""
        return days_overdue(self.case.case, day) if self.case else 0


def lines(state: State) -> list[Line]:
    cases = {view.case.problem_id: view for view in state.cases.values()}
    return [Line(problem, cases.get(pid)) for pid, problem in sorted(state.problems.items())]


def tally(line: Line, first: date, last: date) -> tuple[int, ...]:
    """What one problem adds to each of `KEYS` for the period from `first` to `last`: computed once,
    summed for every group (and for every counter, period after period: what does not depend on the
    period is the line's `standing`, computed once)."""
    moves, cleared_on = line.moves, line.problem.cleared_on
    within = {t for t, day in moves if first <= day <= last} if moves else ()
    rectified_ever, verified, dismissed, escalated_ever, still_open, statuses = line.standing
    days = line.days_overdue(last)
    return (
        first <= line.problem.found_on <= last,
        True,
        any(first <= day <= last for day in cleared_on) if cleared_on else False,
        CaseRectified.event_type in within,
        rectified_ever,
        CaseVerified.event_type in within,
        verified,
        CaseDismissed.event_type in within,
        dismissed,
        CaseEscalated.event_type in within,
        escalated_ever,
        still_open,
        days > 0,
        *statuses,
        *(BUCKET_FLAGS[overdue_bucket(days)] if days else NO_BUCKET),
    )


def rate(part: int, whole: int) -> float | None:
    """A share rounded to 4 places, so the same counts always print the same; none of nothing."""
    return round(part / whole, 4) if whole else None


def summarize(tallies: Iterable[tuple[int, ...]]) -> dict[str, Any]:
    """整改率 counts 已整改待验收 and 已销号 against the real problems (不属实 ones left out); 销号率 only 已销号."""
    totals = [sum(column) for column in zip(*tallies, strict=True)] or [0] * len(KEYS)
    values = dict(zip(KEYS, totals, strict=True))
    status = {s: values[f"status.{s}"] for s in STATUSES}
    real = values["found_cumulative"] - status["dismissed"]
    return {
        **{k: values[k] for k in COUNTS},
        "rectification_rate": rate(status["rectified"] + status["verified"], real),
        "verified_rate": rate(status["verified"], real),
        "status": status,
        "overdue_days": {b: values[f"overdue.{b}"] for b in OVERDUE_BUCKETS},
    }


def measures(group: Iterable[Line], period: Period) -> dict[str, Any]:
    first, last = period.first_day, period.last_day
    return summarize(tally(line, first, last) for line in group)


def stay(line: Line, day: date) -> tuple[int, ...]:
    """What one case adds to the time in each status up to the end of `day`: a case per status it stayed
    in, then the whole days it spent there (`STATUSES` order each); nothing before its case is known."""
    if line.case is None:
        return NO_STAY
    return line.case.stay_until(day)


NO_STAY = (0,) * (2 * len(STATUSES))


def stay_summary(stays: Iterable[tuple[int, ...]]) -> dict[str, dict[str, Any]]:
    """How long cases stayed in each status, from the days their moves name."""
    totals = [sum(column) for column in zip(*stays, strict=True)] or [0] * (2 * len(STATUSES))
    cases, days = totals[: len(STATUSES)], totals[len(STATUSES) :]
    return {
        s: {"cases": n, "days": d, "mean_days": round(d / n, 1) if n else None}
        for s, n, d in zip(STATUSES, cases, days, strict=True)
    }


def time_in_status(group: Iterable[Line], day: date) -> dict[str, dict[str, Any]]:
    return stay_summary(stay(line, day) for line in group)
