"""The half-monthly statistics (每半月统计), their trend, and the overdue list, as pure functions of the facts.

Everything is decided by business days and by the facts known at an instant, never by the wall clock,
so a past period's report is the same on every replay. Keys are emitted in a fixed order and numbers
rounded, so the same facts give the same bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from lookback.calendar import Period, period_of, periods_between
from lookback.catalogue import Catalogue
from lookback.contracts.rectify import STATUS_LABELS
from services.reporting.domain.facts import Fact, known
from services.reporting.domain.labels import labels
from services.reporting.domain.measures import Line, lines, measures, overdue_bucket, summarize, tally, time_in_status
from services.reporting.domain.state import State, fold, states_at

GROUPS: dict[str, Callable[[Line, Catalogue], str]] = {
    "village": lambda line, _: line.flagged.village,
    "category": lambda line, cat: cat.item(line.flagged.item).category,
    "item": lambda line, _: str(line.flagged.item),
    "unit": lambda line, cat: line.unit(cat),
    "rule": lambda line, _: line.flagged.rule,
}
"""How the statistics are broken down."""

TREND = ("found", "found_cumulative", "rectified", "verified", "open", "overdue", "rectification_rate")


def period_stats(state: State, period: Period, catalogue: Catalogue) -> dict[str, Any]:
    found = lines(state)
    tallies = [tally(line, period) for line in found]
    stats = summarize(tallies)
    stats["time_in_status"] = time_in_status(found, period.last_day)
    for name, key in GROUPS.items():
        grouped: dict[str, list[tuple[int, ...]]] = defaultdict(list)
        if name == "category":  # the plan's nine categories are its table's rows, with problems or without
            grouped.update({item.category: [] for item in catalogue.items.values()})
        for line, counted in zip(found, tallies, strict=True):
            grouped[key(line, catalogue)].append(counted)
        stats[f"by_{name}"] = {k: summarize(group) for k, group in sorted(grouped.items())}
    return stats


def _dates(period: Period) -> dict[str, str]:
    return {"period": period.code, "first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat()}


def semimonthly(
    facts: Sequence[Fact], period: Period, catalogue: Catalogue, known_at: datetime | None = None
) -> dict[str, Any]:
    """The period next to the one before it, as the station compares them."""
    previous = period.previous()
    before, now = states_at(known(facts, period.last_day, known_at), [previous.last_day, period.last_day])
    return {
        **_dates(period),
        "known_at": known_at.isoformat() if known_at else None,
        "current": period_stats(now, period, catalogue),
        "previous": {**_dates(previous), **period_stats(before, previous, catalogue)},
        "labels": labels(catalogue),
    }


def span(facts: Sequence[Fact]) -> list[Period]:
    """Every period from the first business day in the facts to the last."""
    if not facts:
        return []
    days = [f.day for f in facts]
    return periods_between(period_of(min(days)), period_of(max(days)))


def reportable(facts: Sequence[Fact], today: date, campaign_ends: date) -> tuple[Period, Period]:
    """The first and last period a report may be asked for: from the first with facts, up to the latest of
    the last with facts, today's and the campaign's last (so a station can open the periods its plan runs to).

    Outside them there is nothing to report, and the trend of a period centuries ahead would fold the
    log once per half month in between (`period=9999-12-H2` ran for minutes on a large town).
    """
    spanned = span(facts)
    last = max(period_of(today), period_of(campaign_ends), *spanned[-1:])
    return (spanned[0] if spanned else period_of(today)), last


def trend(facts: Sequence[Fact], until: Period, known_at: datetime | None = None) -> list[dict[str, Any]]:
    """The town's main counts for every period from the first with facts up to `until`."""
    spanned = span(facts)
    periods = periods_between(min(spanned[0], until) if spanned else until, until)
    states = states_at(known(facts, until.last_day, known_at), [p.last_day for p in periods])
    out = []
    for period, state in zip(periods, states, strict=True):
        stats = measures(lines(state), period)
        out.append({"period": period.code, **{k: stats[k] for k in TREND}})
    return out


def overdue_cases(
    facts: Sequence[Fact], period: Period, catalogue: Catalogue, known_at: datetime | None = None
) -> list[dict[str, Any]]:
    """Cases open past their deadline at the end of the period, longest overdue first."""
    day = period.last_day
    state = fold(known(facts, day, known_at))
    out = []
    for line in lines(state):
        days = line.days_overdue(day)
        if not days or line.case is None:
            continue
        case, item = line.case.case, catalogue.item(line.flagged.item)
        out.append(
            {
                "case_id": case.case_id,
                "village": case.village,
                "household_id": line.flagged.household_id,
                "rule": line.flagged.rule,
                "item": case.item,
                "item_name": item.name,
                "category": item.category,
                "lead_unit": case.lead_unit,
                "co_units": list(case.co_units),
                "status": case.status,
                "status_label": STATUS_LABELS[case.status],
                "deadline": case.deadline.isoformat(),
                "days_overdue": days,
                "bucket": overdue_bucket(days),
            }
        )
    return sorted(out, key=lambda row: (-row["days_overdue"], row["village"], row["case_id"]))


def problem_counts(rows: Sequence[dict[str, str]], by: list[str]) -> dict[str, Any]:
    """Problems ever flagged, nested by the requested keys (rule, village)."""
    out: dict[str, Any] = {}
    for row in sorted(rows, key=lambda r: [r[k] for k in by]):
        node = out
        for key in by[:-1]:
            node = node.setdefault(row[key], {})
        leaf = row[by[-1]]
        node[leaf] = node.get(leaf, 0) + 1
    return out
