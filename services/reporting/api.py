"""HTTP API of the reporting service: the half-monthly statistics, their trend, overdue cases, problem counts.

A report of the periods the counters keep (the campaign's) is read from them; one as known at an
earlier instant, or of a period outside them, is folded from the fact table on request — the same
arithmetic either way, so it is whatever the events say. Answers are JSON with sorted keys, so the
same events give the same bytes (a replay can be compared with `cmp`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy import func
from sqlmodel import Session, select

from lookback.auth.fastapi import require
from lookback.auth.policy import Action
from lookback.calendar import Period
from lookback.catalogue import load as load_catalogue
from lookback.clock import local_date, now, parse_instant
from services.reporting.adapters import counters, overdue
from services.reporting.adapters.factlog import FactLog, check_code, code_at, days, last_until
from services.reporting.adapters.submissions import folded
from services.reporting.adapters.tables import ProblemRow
from services.reporting.domain.facts import Fact, known
from services.reporting.domain.milestones import milestones
from services.reporting.domain.overdue import overdue_cases, row
from services.reporting.domain.semimonthly import (
    counted_periods,
    problem_counts,
    report,
    reportable,
    semimonthly,
    span,
    trend,
    trend_periods,
    trend_point,
)

router = APIRouter(prefix="/reports", tags=["reports"], dependencies=[Depends(require(Action.READ_REPORTS))])

GROUPS = {"rule", "village"}


class CanonicalJSON(Response):
    """Sorted keys, no spaces: the bytes depend on the report alone."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def fact_log(request: Request) -> FactLog:
    log: FactLog = request.app.state.fact_log
    return log


Log = Annotated[FactLog, Depends(fact_log)]


def facts(log: Log) -> list[Fact]:
    return log.facts()


Facts = Annotated[list[Fact], Depends(facts)]


def period_query(
    period: Annotated[
        str,
        Query(
            pattern=r"^\d{4}-\d{2}-H[12]$",
            examples=["2019-12-H1"],
            description="H1 = 1st–15th, H2 = 16th–end; from the first period with events to today's or the plan's last",
        ),
    ],
    log: Log,
) -> Period:
    try:
        asked = Period.parse(period)
    except ValueError as err:
        raise HTTPException(422, str(err)) from err
    first, last = reportable(days(log.engine), local_date(now()), load_catalogue().calendar.rectification[1])
    if not first <= asked <= last:
        raise HTTPException(
            422,
            f"只能查询 {first.label} 至 {last.label} 的半月期 / "
            f"the period must be one from {first.code} to {last.code}: those the events, today and the campaign span",
        )
    return asked


def known_at_query(
    known_at: Annotated[
        str | None,
        Query(
            description="截至记录时间: leave out what the system recorded after this instant, on the business clock "
            "(ISO; no zone = UTC+8)",
            examples=["2020-01-16T09:00:00+08:00"],
        ),
    ] = None,
) -> datetime | None:
    if known_at is None:
        return None
    try:
        return parse_instant(known_at)
    except ValueError as err:
        raise HTTPException(
            422, f"known_at 时间格式无效 / known_at must be an ISO date-time, got {known_at!r}"
        ) from err


PeriodQ = Annotated[Period, Depends(period_query)]
KnownAtQ = Annotated[datetime | None, Depends(known_at_query)]


def counted(period: Period, known_at: datetime | None, *also: Period) -> bool:
    """Whether the counters answer: they hold all that is recorded (no `known_at`), for their periods."""
    codes = {p.code for p in counted_periods(load_catalogue())}
    return known_at is None and all(p.code in codes for p in (period, *also))


@router.get("/periods", summary="有数据的半月期 / the periods the events span", response_class=CanonicalJSON)
def get_periods(log: Log) -> dict[str, Any]:
    spanned = span(days(log.engine))
    return {
        "periods": [p.code for p in spanned],
        "labels": {p.code: p.label for p in spanned},
        "town": load_catalogue().town,
    }


@router.get("/semimonthly", summary="半月统计 / half-monthly statistics of one period", response_class=CanonicalJSON)
def get_semimonthly(log: Log, period: PeriodQ, known_at: KnownAtQ = None) -> dict[str, Any]:
    """With the 校验码 of the log it was made from (`lookback audit verify-report`)."""
    catalogue = load_catalogue()
    if counted(period, known_at, period.previous()):
        with Session(log.engine) as session:
            cells = counters.read(session, [period.code, period.previous().code])
        body = report(period, cells[period.code], cells[period.previous().code], catalogue)
        return body | {"check_code": code_at(log.engine, last_until(log.engine, period.last_day))}
    facts = log.facts()
    code = check_code(log.engine, known(facts, period.last_day, known_at))
    return semimonthly(facts, period, catalogue, known_at) | {"check_code": code}


@router.get("/trend", summary="趋势 / the main counts of every period up to one", response_class=CanonicalJSON)
def get_trend(log: Log, period: PeriodQ, known_at: KnownAtQ = None) -> dict[str, Any]:
    spanned = days(log.engine)
    periods = trend_periods(spanned[0] if spanned else None, period)
    if counted(period, known_at, *periods):
        with Session(log.engine) as session:
            cells = counters.read(session, [p.code for p in periods])
        points = [trend_point(p, cells[p.code]) for p in periods]
    else:
        points = trend(log.facts(), period, load_catalogue(), known_at)
    return {"period": period.code, "known_at": known_at.isoformat() if known_at else None, "periods": points}


@router.get(
    "/overdue", summary="逾期案件 / cases past their deadline at the period's end", response_class=CanonicalJSON
)
def get_overdue(
    log: Log,
    period: PeriodQ,
    known_at: KnownAtQ = None,
    limit: Annotated[int | None, Query(ge=1, description="at most this many cases (default: all)")] = None,
    offset: Annotated[int, Query(ge=0, description="skip this many of the list first")] = 0,
) -> dict[str, Any]:
    """Read from the overdue windows; as known at an earlier instant, folded from the facts. `total` is
    the whole list's length, so a page says how many there are."""
    catalogue, day = load_catalogue(), period.last_day
    if known_at is None:
        with Session(log.engine) as session:
            total, page = overdue.listed(session, day, limit, offset)
        cases = [row(listed, day, catalogue) for listed in page]
    else:
        folded = overdue_cases(log.facts(), period, catalogue, known_at)
        total, cases = len(folded), folded[offset : None if limit is None else offset + limit]
    return {
        "period": period.code,
        "last_day": day.isoformat(),
        "known_at": known_at.isoformat() if known_at else None,
        "total": total,
        "offset": offset,
        "limit": limit,
        "cases": cases,
    }


@router.get(
    "/milestones",
    summary="时间节点 / the plan's milestones as they stood on the period's last day",
    response_class=CanonicalJSON,
)
def get_report_milestones(log: Log, period: PeriodQ) -> dict[str, Any]:
    """Beside the semi-monthly report rather than in it, so its 校验码 and cached answers stay as they were;
    only what was handed in by the period's last day counts, so a past period's answer is the same on every
    replay."""
    catalogue = load_catalogue()
    with Session(log.engine) as session:
        subs = folded(session).values()
    day, soon = period.last_day, catalogue.deadlines.due_soon_days
    return {
        "period": period.code,
        "as_of": day.isoformat(),
        "milestones": [m.view(day, soon) for m in milestones(catalogue, subs, as_of=day)],
    }


@router.get("/problems", summary="问题数 / problems ever flagged, grouped", response_class=CanonicalJSON)
def get_problem_counts(log: Log, by: str = "rule,village") -> dict[str, Any]:
    keys = [k.strip() for k in by.split(",") if k.strip()]
    if not keys or any(k not in GROUPS for k in keys):
        raise HTTPException(422, f"by: 分组只能是 rule, village / group by rule and/or village, got {by!r}")
    with Session(log.engine) as session:
        found = session.exec(
            select(ProblemRow.rule, ProblemRow.village, func.count()).group_by(ProblemRow.rule, ProblemRow.village)
        ).all()
    return problem_counts([({"rule": rule, "village": village}, n) for rule, village, n in found], keys)
