"""Which business day a step of a case may carry (办理日期).

The day a step names decides the half-month it counts in, so a day chosen freely would rewrite
periods already reported: a step dated before the case opened or before its last step would move a
case back in time, and one dated after today would report work not yet done. Such days are refused
before any event exists; a step entered late for an earlier day is still welcome within these bounds.
"""

from __future__ import annotations

from datetime import date

from lookback.cases.state import Case, last_day
from lookback.contracts.rectify import STATUS_LABELS
from services.rectify.domain.commands import Command, TransitionRefused


def check_day(case: Case, on: date, today: date, command: Command) -> None:
    if on > today:
        raise TransitionRefused(
            f"办理日期 {on.isoformat()} 晚于今天 {today.isoformat()}",
            f"the date {on.isoformat()} is after today, {today.isoformat()}",
            status=case.status,
            command=command,
        )
    earliest = last_day(case)
    if on < earliest:
        what = "上一次办理日期" if case.last_on and case.last_on > case.opened_on else "立案日期"
        raise TransitionRefused(
            f"办理日期 {on.isoformat()} 早于本案{what} {earliest.isoformat()}（{STATUS_LABELS[case.status]}）",
            f"the date {on.isoformat()} is before the case's last step or opening, {earliest.isoformat()}",
            status=case.status,
            command=command,
        )
