"""Writing a line's overdue windows in the projection's transaction, and reading the list of a day."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete

from services.reporting.adapters.tables import OverdueWindowRow
from services.reporting.domain.facts import Fact, known
from services.reporting.domain.overdue import Listed, windows
from services.reporting.domain.state import CASE_EVENTS


def rewrite(session: Session, facts: Sequence[Fact]) -> None:
    """Replace the windows of every case of the lines `facts` hold (all facts of each line, as
    `handlers.count` folds them): whatever batch delivered a fact, each case's rows are what all of its
    line's facts say."""
    cases = sorted({f.event.aggregate_id() for f in facts if isinstance(f.event, CASE_EVENTS)})
    for start in range(0, len(cases), 900):
        session.exec(delete(OverdueWindowRow).where(col(OverdueWindowRow.case_id).in_(cases[start : start + 900])))  # type: ignore[call-overload]
    rows = [
        {
            "case_id": w.listed.case_id,
            "first": w.first,
            "until": w.until,
            "problem_id": w.listed.problem_id,
            "village": w.listed.village,
            "household_id": w.listed.household_id,
            "rule": w.listed.rule,
            "item": w.listed.item,
            "lead_unit": w.listed.lead_unit,
            "co_units": json.dumps(w.listed.co_units, ensure_ascii=False),
            "status": w.listed.status,
            "deadline": w.listed.deadline,
        }
        for w in windows(known(facts, date.max))
    ]
    if rows:
        session.execute(OverdueWindowRow.__table__.insert(), rows)  # type: ignore[attr-defined]


def listed(session: Session, day: date, limit: int | None = None, offset: int = 0) -> tuple[int, list[Listed]]:
    """How many cases are overdue at the end of `day`, and those from `offset` on (`limit` of them), longest
    overdue first: the windows holding `day`, read in the order of their index."""
    t = OverdueWindowRow.__table__.c  # type: ignore[attr-defined]
    on = (t.first <= day) & or_(t.until.is_(None), t.until > day)
    total = session.execute(sa_select(func.count()).select_from(OverdueWindowRow.__table__).where(on)).scalar_one()  # type: ignore[attr-defined]
    columns = (t.case_id, t.problem_id, t.village, t.household_id, t.rule, t.item, t.lead_unit, t.co_units, t.status)
    village = t.village.collate("C") if session.get_bind().dialect.name == "postgresql" else t.village
    query = (
        sa_select(*columns, t.deadline).where(on).order_by(t.deadline, village, t.case_id).offset(offset).limit(limit)
    )
    page = [
        Listed(case_id, problem_id, village, household, rule, item, unit, tuple(json.loads(co)), status, deadline)
        for case_id, problem_id, village, household, rule, item, unit, co, status, deadline in session.execute(query)
    ]
    return total, page
