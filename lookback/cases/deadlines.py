"""The plan's default deadlines (docs/rules.md, "Deadlines and overdue") and the questions a ledger asks of them.

A deadline is a date in China: the last day on which the work may still be done. A case is
overdue from the following day. "15 days after assignment" therefore means the assignment date
plus 15 days: assigned 2020-01-11, due 2020-01-26, overdue on 2020-01-27. The day of assignment
itself never counts, so a case assigned late in the day loses nothing.

Days are calendar days (自然日) unless the town chose working days (工作日): then Saturdays,
Sundays and the configured holidays are skipped and the deadline is the 15th working day after
assignment. Make-up working weekends (调休上班) are not modelled: such a Saturday is skipped like
any other, which can give the owner a day more but never a day less.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lookback.catalogue import Calendar, DeadlineSettings
from lookback.contracts.rectify import DeadlinePolicy

_SATURDAY = 5


def add_days(start: date, days: int, settings: DeadlineSettings) -> date:
    """The day `days` days after `start`, counted the way the town counts deadlines."""
    if days < 0:
        raise ValueError(f"天数不能为负 / days must not be negative: {days}")
    if settings.day_kind == "calendar":
        return start + timedelta(days=days)
    day = start
    while days:
        day += timedelta(days=1)
        if day.weekday() < _SATURDAY and day not in settings.holidays:
            days -= 1
    return day


def clock_starts(assigned_on: date, calendar: Calendar) -> date:
    """The later of the assignment and the opening of the rectification phase (整改落实阶段, plan 三(二)).

    The investigation phase (排查问题阶段) only lists problems; the plan gives no one a deadline until
    the rectification phase opens, so a problem found on 2019-12-01 and one found on 2020-01-11 both
    start counting on 2020-01-11, and nothing can be overdue before then.
    """
    return max(assigned_on, calendar.rectification[0])


def default_deadline(policy: DeadlinePolicy, assigned_on: date, settings: DeadlineSettings, calendar: Calendar) -> date:
    """立行立改 gets `immediate_days` days from `clock_starts`; 限时整改 runs to the end of the rectification phase.

    A timed case is never given less time than an immediate one would be: a problem assigned in
    the last fortnight of the phase (or after it) gets the immediate deadline instead of one that
    has already passed or is about to.
    """
    immediate = add_days(clock_starts(assigned_on, calendar), settings.immediate_days, settings)
    if policy == "immediate":
        return immediate
    return max(calendar.rectification[1], immediate)


def overdue_days(deadline: date, today: date) -> int:
    """How many days a deadline is past on `today`: 0 up to and including the deadline day itself
    (still in time), 1 the day after. Every "is it overdue, and by how much" asks this."""
    return max(0, (today - deadline).days)


def due_soon(deadline: date, today: date, days: int) -> bool:
    """In the reminder window: at most `days` calendar days left, deadline day included, not yet overdue.

    The window counts calendar days even for working-day deadlines: it is a heads-up to the owner,
    and a reminder on a Friday for a Monday deadline is the one that helps.
    """
    return 0 <= (deadline - today).days <= days


class ExtensionRefused(ValueError):
    """An extension must say why and must give more time; anything else would hide a late case."""


@dataclass(frozen=True)
class Extension:
    previous: date
    deadline: date
    reason: str


def extend(current: date, new_deadline: date, reason: str) -> Extension:
    reason = reason.strip()
    if not reason:
        raise ExtensionRefused("延期须说明理由 / an extension needs a reason")
    if new_deadline <= current:
        raise ExtensionRefused(
            f"新期限须晚于原期限 {current.isoformat()} / the new deadline must be later than {current.isoformat()}"
        )
    return Extension(previous=current, deadline=new_deadline, reason=reason)
