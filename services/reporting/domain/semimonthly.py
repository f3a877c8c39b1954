"""The half-monthly statistics (每半月统计) as a pure function of the read-model rows.

Every count is decided by business dates (the roster's as-of date, the deadline), never by the wall
clock, so a past period's report is the same on every replay.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from lookback.calendar import Period


@dataclass(frozen=True)
class ProblemFact:
    problem_id: str
    rule: str
    village: str
    flagged_on: date
    cleared_on: date | None


@dataclass(frozen=True)
class CaseFact:
    problem_id: str
    village: str
    deadline: date
    closed_on: date | None


def _open_on(p: ProblemFact, day: date) -> bool:
    return p.flagged_on <= day and not (p.cleared_on is not None and p.cleared_on <= day)


def _counts(keys: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(keys).items()))


def period_stats(problems: list[ProblemFact], cases: list[CaseFact], period: Period) -> dict[str, Any]:
    first, last = period.first_day, period.last_day
    found = [p for p in problems if first <= p.flagged_on <= last]
    cumulative = [p for p in problems if p.flagged_on <= last]
    cleared = [p for p in problems if p.cleared_on is not None and first <= p.cleared_on <= last]
    open_at_end = [p for p in problems if _open_on(p, last)]
    open_ids = {p.problem_id for p in open_at_end}
    overdue = [
        c
        for c in cases
        if c.problem_id in open_ids and c.deadline < last and not (c.closed_on is not None and c.closed_on <= last)
    ]
    return {
        "found": len(found),
        "found_cumulative": len(cumulative),
        "cleared_by_data": len(cleared),
        "open": len(open_at_end),
        "overdue": len(overdue),
        "by_village": {
            "found": _counts(p.village for p in found),
            "found_cumulative": _counts(p.village for p in cumulative),
            "open": _counts(p.village for p in open_at_end),
            "overdue": _counts(c.village for c in overdue),
        },
        "by_rule": {
            "found": _counts(p.rule for p in found),
            "open": _counts(p.rule for p in open_at_end),
        },
    }


def semimonthly(problems: list[ProblemFact], cases: list[CaseFact], period: Period) -> dict[str, Any]:
    """The period next to the one before it, as the station compares them."""
    return {
        "period": period.code,
        "first_day": period.first_day.isoformat(),
        "last_day": period.last_day.isoformat(),
        "current": period_stats(problems, cases, period),
        "previous": {"period": period.previous().code, **period_stats(problems, cases, period.previous())},
    }


def problem_counts(problems: list[ProblemFact], by: list[str]) -> dict[str, Any]:
    """Problems ever flagged, nested by the requested keys (rule, village)."""
    out: dict[str, Any] = {}
    for p in problems:
        node = out
        for key in by[:-1]:
            node = node.setdefault(getattr(p, key), {})
        leaf = getattr(p, by[-1])
        node[leaf] = node.get(leaf, 0) + 1
    return out
