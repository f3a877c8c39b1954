"""Projects a batch of events into the reporting tables in one transaction.

Rows touched by the batch are loaded once, the events folded into them in stream order, and the
result written back with one upsert per table, so a batch costs a few statements, not one per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlmodel import Session, SQLModel, select

from lookback.catalogue import load as load_catalogue
from lookback.consumer import Delivered
from lookback.contracts.envelope import Envelope
from lookback.contracts.intake import HouseholdRecorded, HouseholdRemoved
from lookback.contracts.rectify import CaseOpened, CaseOverdue
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged
from lookback.store import upsert
from services.reporting.adapters.tables import CaseRow, HouseholdRow, ProblemRow

TYPES = (ProblemRow, CaseRow, HouseholdRow)


def _load(session: Session, table: type[SQLModel], key: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    column = getattr(table, key)
    rows = session.exec(select(table).where(column.in_(ids))).all()
    return {getattr(r, key): r.model_dump() for r in rows}


def project(session: Session, batch: Sequence[Delivered]) -> list[Envelope]:
    catalogue = load_catalogue()
    events = [(d.envelope, d.envelope.event()) for d in batch]
    problems = _load(
        session,
        ProblemRow,
        "problem_id",
        {e.problem_id for _, e in events if isinstance(e, ProblemFlagged | ProblemClearedByData)},
    )
    cases = _load(
        session, CaseRow, "case_id", {e.case_id for _, e in events if isinstance(e, CaseOpened | CaseOverdue)}
    )
    households: dict[str, dict[str, Any]] = {}
    for _, event in events:
        match event:
            case ProblemFlagged():
                row = problems.get(event.problem_id)
                if row is None:
                    problems[event.problem_id] = {
                        "problem_id": event.problem_id,
                        "rule": event.rule,
                        "item": event.item,
                        "category": catalogue.item(event.item).category,
                        "village": event.village,
                        "household_id": event.household_id,
                        "flagged_on": event.as_of,
                        "cleared_on": None,
                        "open": True,
                    }
                else:
                    row.update(open=True, cleared_on=None)
            case ProblemClearedByData():
                if event.problem_id in problems:
                    problems[event.problem_id].update(open=False, cleared_on=event.as_of)
            case CaseOpened():
                cases[event.case_id] = {
                    "case_id": event.case_id,
                    "problem_id": event.problem_id,
                    "item": event.item,
                    "village": event.village,
                    "lead_unit": event.lead_unit,
                    "policy": event.policy,
                    "assigned_on": event.assigned_on,
                    "deadline": event.deadline,
                    "overdue_since": None,
                    "closed_on": None,
                }
            case CaseOverdue():
                if event.case_id in cases:
                    cases[event.case_id]["overdue_since"] = event.deadline + timedelta(days=1)
            case HouseholdRecorded():
                households[event.household_id] = {
                    "household_id": event.household_id,
                    "village": event.village,
                    "as_of": event.as_of,
                    "persons": len(event.persons),
                    "removed": False,
                }
            case HouseholdRemoved():
                households[event.household_id] = {
                    "household_id": event.household_id,
                    "village": event.village,
                    "as_of": event.as_of,
                    "persons": 0,
                    "removed": True,
                }
    upsert(session, ProblemRow, list(problems.values()), ["problem_id"])
    upsert(session, CaseRow, list(cases.values()), ["case_id"])
    upsert(session, HouseholdRow, list(households.values()), ["household_id"])
    return []
