"""The half-monthly statistics (每半月统计) and their trend, as pure functions of the facts.

Everything is decided by business days and by the facts known at an instant, never by the wall clock,
so a past period's report is the same on every replay. Keys are emitted in a fixed order and numbers
rounded, so the same facts give the same bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from lookback.calendar import Period, period_of, periods_between
from lookback.catalogue import Catalogue
from services.reporting.domain.facts import Fact, known
from services.reporting.domain.labels import labels
from services.reporting.domain.measures import KEYS, Line, lines, stay, stay_summary, summarize, tally
from services.reporting.domain.state import STATUSES, State, states_at

Cell = tuple[str, str, int, str]
"""(village, lead unit, item, rule): the finest breakdown a report makes; every other is a sum of cells."""

GROUPS: dict[str, Callable[[Cell, Catalogue], str]] = {
    "village": lambda cell, _: cell[0],
    "category": lambda cell, cat: cat.item(cell[2]).category,
    "item": lambda cell, _: str(cell[2]),
    "unit": lambda cell, _: cell[1],
    "rule": lambda cell, _: cell[3],
}
"""How the statistics are broken down."""

TREND = ("found", "found_cumulative", "rectified", "verified", "open", "overdue", "rectification_rate")


def cells(state: State, period: Period, catalogue: Catalogue) -> dict[Cell, tuple[int, ...]]:
    """What the problems of each cell add up to for `period` (`share`): the counters reporting keeps
    per period are these, and every report of a period is made from them."""
    first, last = period.first_day, period.last_day
    found: dict[Cell, list[tuple[int, ...]]] = defaultdict(list)
    for line in lines(state):
        found[cell_of(line, catalogue)].append(share(line, first, last))
    return {cell: tuple(sum(column) for column in zip(*rows, strict=True)) for cell, rows in found.items()}


def cell_of(line: Line, catalogue: Catalogue) -> Cell:
    p = line.flagged
    return (p.village, line.unit(catalogue), p.item, p.rule)


WIDTH = len(KEYS) + 2 * len(STATUSES)
"""Of a `share`, and of a counter."""


def share(line: Line, first: date, last: date) -> tuple[int, ...]:
    """What one problem adds to its cell for the period from `first` to `last`: `tally`, then `stay`."""
    return (*tally(line, first, last), *stay(line, last))


def stats_of(counted: Mapping[Cell, Sequence[int]], catalogue: Catalogue) -> dict[str, Any]:
    width = len(KEYS)
    stats = summarize(tuple(c[:width]) for c in counted.values())
    stats["time_in_status"] = stay_summary(tuple(c[width:]) for c in counted.values())
    for name, key in GROUPS.items():
        grouped: dict[str, list[tuple[int, ...]]] = defaultdict(list)
        if name == "category":  # the plan's nine categories are its table's rows, with problems or without
            grouped.update({item.category: [] for item in catalogue.items.values()})
        for cell, c in counted.items():
            grouped[key(cell, catalogue)].append(tuple(c[:width]))
        stats[f"by_{name}"] = {k: summarize(group) for k, group in sorted(grouped.items())}
    return stats


def _dates(period: Period) -> dict[str, str]:
    return {"period": period.code, "first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat()}


def report(
    period: Period,
    current: Mapping[Cell, Sequence[int]],
    previous: Mapping[Cell, Sequence[int]],
    catalogue: Catalogue,
    known_at: datetime | None = None,
) -> dict[str, Any]:
    """The period next to the one before it, as the station compares them, from the cells of both."""
    return {
        **_dates(period),
        "known_at": known_at.isoformat() if known_at else None,
        "current": stats_of(current, catalogue),
        "previous": {**_dates(period.previous()), **stats_of(previous, catalogue)},
        "labels": labels(catalogue),
    }


def semimonthly(
    facts: Sequence[Fact], period: Period, catalogue: Catalogue, known_at: datetime | None = None
) -> dict[str, Any]:
    """The report folded from the facts themselves: what the counters must always agree with, and the
    answer as known at an instant, which the counters (all that is recorded) cannot give."""
    previous = period.previous()
    before, now = states_at(known(facts, period.last_day, known_at), [previous.last_day, period.last_day])
    return report(period, cells(now, period, catalogue), cells(before, previous, catalogue), catalogue, known_at)


def span(days: Sequence[date]) -> list[Period]:
    """Every period from the first business day of the facts to the last."""
    if not days:
        return []
    return periods_between(period_of(min(days)), period_of(max(days)))


def reportable(days: Sequence[date], today: date, campaign_ends: date) -> tuple[Period, Period]:
    """The first and last period a report may be asked for: from the first with facts (`days` are their
    business days), up to the latest of the last with facts, today's and the campaign's last (so a
    station can open the periods its plan runs to).

    Outside them there is nothing to report, and the trend of a period centuries ahead would fold the
    log once per half month in between (`period=9999-12-H2` ran for minutes on a large town).
    """
    spanned = span(days)
    last = max(period_of(today), period_of(campaign_ends), *spanned[-1:])
    return (spanned[0] if spanned else period_of(today)), last


def counted_periods(catalogue: Catalogue) -> list[Period]:
    """The periods reporting keeps counters for: the campaign's, from the half month before its
    investigation starts (the first report's "previous") to the end of rectification. Fixed by the
    plan, so no event ever widens them and every problem is counted for a bounded number of periods."""
    calendar = catalogue.calendar
    return periods_between(period_of(calendar.investigation[0]).previous(), period_of(calendar.rectification[1]))


def trend_periods(first_day: date | None, until: Period) -> list[Period]:
    """The periods a trend shows: from the first with facts (or `until`) up to `until`."""
    return periods_between(min(period_of(first_day), until) if first_day else until, until)


def trend_point(period: Period, counted: Mapping[Cell, Sequence[int]]) -> dict[str, Any]:
    stats = summarize(tuple(c[: len(KEYS)]) for c in counted.values())
    return {"period": period.code, **{k: stats[k] for k in TREND}}


def trend(
    facts: Sequence[Fact], until: Period, catalogue: Catalogue, known_at: datetime | None = None
) -> list[dict[str, Any]]:
    """The town's main counts for every period from the first with facts up to `until`."""
    periods = trend_periods(min((f.day for f in facts), default=None), until)
    states = states_at(known(facts, until.last_day, known_at), [p.last_day for p in periods])
    return [trend_point(p, cells(state, p, catalogue)) for p, state in zip(periods, states, strict=True)]


def problem_counts(rows: Sequence[tuple[dict[str, str], int]], by: list[str]) -> dict[str, Any]:
    """Problems ever flagged, nested by the requested keys (rule, village), from counts of (rule, village)."""
    out: dict[str, Any] = {}
    for row, n in sorted(rows, key=lambda r: [r[0][k] for k in by]):
        node = out
        for key in by[:-1]:
            node = node.setdefault(row[key], {})
        leaf = row[by[-1]]
        node[leaf] = node.get(leaf, 0) + n
    return out
