"""Read side of rectify for people (the workbench's 我的待办 and case page), over the summary table.

A county has ~10,000 cases: the list is one indexed SQL query with LIMIT/OFFSET, never a fold of
every case, and the counts are one grouped query. The caller's reach (a cadre's village, an officer's
unit) is part of the WHERE clause, so nothing of another village is even read.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import case as when
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from lookback.auth.fastapi import check, current_user
from lookback.auth.policy import Action, Scope, allowed
from lookback.auth.users import Role, User
from lookback.catalogue import load as load_catalogue
from lookback.clock import local_date, now
from lookback.contracts.rectify import CLOSED_STATUSES, STATUS_LABELS
from services.rectify.adapters.casebook import Casebook
from services.rectify.adapters.tables import CaseEventRow, CaseSummary
from services.rectify.api import CaseId
from services.rectify.domain import commands as cmd
from services.rectify.domain.timeline import entry
from services.rectify.domain.transitions import open_commands

router = APIRouter(tags=["workbench"])
Caller = Annotated[User, Depends(current_user)]
OPEN = [s for s in STATUS_LABELS if s not in CLOSED_STATUSES]
# Bounds that keep a query's integers inside what SQL binds (a 2**63 from a client would be a 500):
# item numbers are small (the plan has 34), and no town has a billion cases to page through.
MAX_ITEM = 999
MAX_OFFSET = 1_000_000_000
# Each action a page may offer: its name, the command it gives, and the permission it needs. `answer` is
# the county's own answer; `enter_answer` is the station entering one the county gave on paper (both
# POST /cases/{id}/answer, the second with `entered_for`).
ACTIONS: tuple[tuple[str, type, Action], ...] = (
    ("start", cmd.StartRectification, Action.START),
    ("rectified", cmd.ReportRectified, Action.REPORT_RECTIFIED),
    ("verify", cmd.Verify, Action.VERIFY),
    ("escalate", cmd.Escalate, Action.ESCALATE),
    ("answer", cmd.AnswerEscalation, Action.ANSWER_ESCALATION),
    ("enter_answer", cmd.AnswerEscalation, Action.ENTER_COUNTY_ANSWER),
    ("extend", cmd.ExtendDeadline, Action.EXTEND_DEADLINE),
    ("assign", cmd.Assign, Action.ASSIGN),
    ("dismiss", cmd.Dismiss, Action.DISMISS),
)


def _reach(user: User) -> list[Any]:
    """The WHERE clauses of what the caller may read: all, their village, or the cases their unit leads."""
    check(user, Action.READ_CASES, None if user.role not in (Role.VILLAGE, Role.UNIT) else _own(user))
    if user.role is Role.VILLAGE:
        return [CaseSummary.village == user.village]
    if user.role is Role.UNIT:
        return [CaseSummary.lead_unit == user.unit]
    return []


def _own(user: User) -> Scope:
    return Scope(user.village or "", user.unit)


@router.get("/worklist", summary="我的待办 / the caller's cases: counts, a filtered page sorted by deadline")
def worklist(
    request: Request,
    user: Caller,
    status: Annotated[str | None, Query(description="a status, or `open` for every status not closed")] = None,
    overdue: bool = False,
    due_soon: bool = False,
    village: str | None = None,
    unit: str | None = None,
    item: Annotated[int | None, Query(ge=1, le=MAX_ITEM, description="检查项序号 / the item's number")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    today = local_date(now())
    soon = today + timedelta(days=load_catalogue().deadlines.due_soon_days)
    reach = _reach(user)
    is_open = col(CaseSummary.status).in_(OPEN)
    filters = list(reach)
    if status == "open":
        filters.append(is_open)
    elif status:
        filters.append(CaseSummary.status == status)
    if overdue:
        filters += [is_open, col(CaseSummary.deadline) < today]
    if due_soon:
        filters += [is_open, col(CaseSummary.deadline) >= today, col(CaseSummary.deadline) <= soon]
    if village:
        filters.append(CaseSummary.village == village)
    if unit:
        filters.append(CaseSummary.lead_unit == unit)
    if item is not None:
        filters.append(CaseSummary.item == item)
    with Session(request.app.state.runtime.engine) as session:
        total = session.exec(select(func.count()).select_from(CaseSummary).where(*filters)).one()
        rows = session.exec(
            select(CaseSummary)
            .where(*filters)
            .order_by(col(CaseSummary.deadline), col(CaseSummary.case_id))
            .offset(offset)
            .limit(limit)
        ).all()
        counts = _counts(session, reach, today, soon)
        seqs = _last_seqs(session, [r.case_id for r in rows])
    return {
        "today": today.isoformat(),
        "counts": counts,
        "total": total,
        "offset": offset,
        "limit": limit,
        "cases": [{**_row(r, today), "seq": seqs.get(r.case_id, 0)} for r in rows],
    }


def _counts(session: Session, reach: list[Any], today: date, soon: date) -> dict[str, int]:
    is_open = col(CaseSummary.status).in_(OPEN)
    deadline = col(CaseSummary.deadline)

    def n(condition: Any) -> Any:
        return func.coalesce(func.sum(when((condition, 1), else_=0)), 0)

    row = session.execute(
        sa_select(
            *(n(CaseSummary.status == s) for s in ("pending", "in_progress", "rectified", "escalated")),
            n(is_open & (deadline < today)),
            n(is_open & (deadline >= today) & (deadline <= soon)),
        )
        .select_from(CaseSummary)
        .where(*reach)
    ).one()
    keys = ("pending", "in_progress", "rectified", "escalated", "overdue", "due_soon")
    return {k: int(v) for k, v in zip(keys, row, strict=True)}


def _last_seqs(session: Session, case_ids: list[str]) -> dict[str, int]:
    """Each listed case's last stream sequence, so a page acting on many cases at once sends each one
    the `expected_seq` its row showed (as the case page sends the timeline's)."""
    found = session.exec(
        select(CaseEventRow.case_id, func.max(CaseEventRow.seq))
        .where(col(CaseEventRow.case_id).in_(case_ids))
        .group_by(col(CaseEventRow.case_id))
    ).all()
    return {case_id: seq or 0 for case_id, seq in found}


def _row(r: CaseSummary, today: date) -> dict[str, Any]:
    return {
        "case_id": r.case_id,
        "item": r.item,
        "village": r.village,
        "lead_unit": r.lead_unit,
        "status": r.status,
        "status_label": STATUS_LABELS[r.status],  # type: ignore[index]
        "deadline": r.deadline.isoformat(),
        "days_left": (r.deadline - today).days,
        "open": r.status in OPEN,
        "overdue": r.status in OPEN and r.deadline < today,
    }


@router.get("/cases/{case_id}/timeline", summary="案件进程 / the case's events and the actions open to the caller")
def timeline(request: Request, user: Caller, case_id: CaseId) -> dict[str, Any]:
    with Session(request.app.state.runtime.engine) as session:
        case = Casebook(session).get(case_id)
        if case is None:
            raise HTTPException(404, f"无此案件 / no case {case_id}")
        scope = Scope(case.village, case.lead_unit)
        check(user, Action.READ_CASES, scope)
        rows = session.exec(
            select(CaseEventRow.seq, CaseEventRow.body)
            .where(CaseEventRow.case_id == case_id)
            .order_by(col(CaseEventRow.n))
        ).all()
    names = allowed(user, Action.READ_HISTORY)
    events = [entry(json.loads(body), seq, user.actor, names) for seq, body in rows]
    possible = open_commands(case)
    actions = [name for name, command, action in ACTIONS if command in possible and allowed(user, action, scope)]
    return {"seq": max((e["seq"] or 0 for e in events), default=0), "events": events, "actions": actions}
