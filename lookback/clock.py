"""Time, China Standard Time, and the injectable clock that lets the 2019–2020 campaign run today."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")
NOW_ENV = "LOOKBACK_NOW"


def utcnow() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The business clock: `LOOKBACK_NOW` (ISO date or datetime) when set, else the wall clock."""
    fixed = os.environ.get(NOW_ENV)
    return parse_instant(fixed) if fixed else utcnow()


def moved_now() -> datetime | None:
    """The business clock when it is moved (`LOOKBACK_NOW`), else None: recorded beside the true time."""
    fixed = os.environ.get(NOW_ENV)
    return parse_instant(fixed) if fixed else None


def parse_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=CST)


def start_of_day(day: date) -> datetime:
    """A village date as an instant: midnight at the start of that day in China."""
    return datetime.combine(day, time(0), CST)


def local_date(instant: datetime) -> date:
    return instant.astimezone(CST).date()
