"""HTTP API of the reporting service: the half-monthly report and the problem counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlmodel import Session, select

from lookback.auth.fastapi import require
from lookback.auth.policy import Action
from lookback.calendar import Period
from services.reporting.adapters.tables import CaseRow, ProblemRow
from services.reporting.domain.semimonthly import CaseFact, ProblemFact, problem_counts, semimonthly

router = APIRouter(prefix="/reports", tags=["reports"], dependencies=[Depends(require(Action.READ_REPORTS))])

GROUPS = {"rule", "village"}


def _facts(request: Request) -> tuple[list[ProblemFact], list[CaseFact]]:
    with Session(request.app.state.runtime.engine) as session:
        problems = [
            ProblemFact(p.problem_id, p.rule, p.village, p.flagged_on, p.cleared_on)
            for p in session.exec(select(ProblemRow))
        ]
        cases = [CaseFact(c.problem_id, c.village, c.deadline, c.closed_on) for c in session.exec(select(CaseRow))]
    return problems, cases


@router.get("/semimonthly", summary="半月统计 / half-monthly statistics of one period")
def get_semimonthly(
    request: Request, period: Annotated[str, Query(pattern=r"^\d{4}-\d{2}-H[12]$", examples=["2019-12-H1"])]
) -> dict[str, Any]:
    try:
        p = Period.parse(period)
    except ValueError as err:
        raise HTTPException(422, str(err)) from err
    problems, cases = _facts(request)
    return semimonthly(problems, cases, p)


@router.get("/problems", summary="问题数 / problems ever flagged, grouped")
def get_problem_counts(request: Request, by: str = "rule,village") -> dict[str, Any]:
    keys = [k.strip() for k in by.split(",") if k.strip()]
    if not keys or any(k not in GROUPS for k in keys):
        raise HTTPException(422, f"by: 分组只能是 rule, village / group by rule and/or village, got {by!r}")
    problems, _ = _facts(request)
    return problem_counts(problems, keys)
