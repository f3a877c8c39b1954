"""Half-month periods (半月): the plan wants statistics and the rectification ledger every half month.

`YYYY-MM-H1` is the 1st–15th of a month and `YYYY-MM-H2` the 16th–last day, both inclusive, in China
Standard Time: a village's day, not a UTC day, decides which period an event falls in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lookback.clock import start_of_day

_CODE = re.compile(r"(\d{4})-(\d{2})-H([12])", re.ASCII)
_SPLIT_DAY = 15


@dataclass(frozen=True, order=True)
class Period:
    """Fields in this order make the dataclass ordering chronological."""

    year: int
    month: int
    half: int

    def __post_init__(self) -> None:
        if not (1 <= self.year <= 9999 and 1 <= self.month <= 12 and self.half in (1, 2)):
            raise ValueError(f"半月期无效 invalid half-month period: {self.year}-{self.month}-H{self.half}")

    @classmethod
    def parse(cls, code: str) -> Period:
        match = _CODE.fullmatch(code)
        if match and int(match[1]) >= 1 and 1 <= int(match[2]) <= 12:
            return cls(int(match[1]), int(match[2]), int(match[3]))
        raise ValueError(
            f"半月期编码无效，应为 YYYY-MM-H1 或 YYYY-MM-H2 / "
            f"invalid half-month period code {code!r}, expected YYYY-MM-H1 or YYYY-MM-H2"
        )

    @property
    def code(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-H{self.half}"

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """The period as a person reads it, 2019年12月上半月; the code stays for URLs, files and JSON keys."""
        return f"{self.year}年{self.month}月{'上' if self.half == 1 else '下'}半月"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1 if self.half == 1 else _SPLIT_DAY + 1)

    @property
    def last_day(self) -> date:
        if self.half == 1:
            return date(self.year, self.month, _SPLIT_DAY)
        return self.next().first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return start_of_day(self.first_day)

    @property
    def end(self) -> datetime:
        """Exclusive, so that consecutive periods tile time with no gap and no overlap."""
        return self.next().start

    def next(self) -> Period:
        if self.half == 1:
            return Period(self.year, self.month, 2)
        if self.month == 12:
            return Period(self.year + 1, 1, 1)
        return Period(self.year, self.month + 1, 1)

    def previous(self) -> Period:
        if self.half == 2:
            return Period(self.year, self.month, 1)
        if self.month == 1:
            return Period(self.year - 1, 12, 2)
        return Period(self.year, self.month - 1, 2)


def period_of(day: date) -> Period:
    return Period(day.year, day.month, 1 if day.day <= _SPLIT_DAY else 2)


def periods_between(first: Period, last: Period) -> list[Period]:
    """Both ends included, as a report from one period to another reads; empty when `last` is earlier."""
    periods: list[Period] = []
    current = first
    while current <= last:
        periods.append(current)
        current = current.next()
    return periods
