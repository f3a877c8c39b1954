"""Projects a batch of events into the reporting tables in one transaction.

Problem and case events are appended to the fact table as they are, submission events to theirs;
every problem the batch touches is then folded again with its cases from all their facts (those stored
before the batch, and the batch's own), so the current-state rows, the overdue windows and the per-period
counters are exactly what the facts say however often a batch is retried.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from lookback.catalogue import Catalogue
from lookback.catalogue import load as load_catalogue
from lookback.consumer import Delivered
from lookback.contracts.envelope import Envelope
from lookback.contracts.intake import HouseholdRecorded
from lookback.store import upsert
from services.reporting.adapters import counters, overdue
from services.reporting.adapters.factlog import facts_of, household_row, lines_of, person_rows, to_row
from services.reporting.adapters.submissions import event_rows
from services.reporting.adapters.tables import (
    CaseRow,
    FactRow,
    HouseholdRow,
    PersonRow,
    ProblemRow,
    SubmissionEventRow,
)
from services.reporting.domain.counters import changes
from services.reporting.domain.facts import Fact, fact_of, is_reported, known
from services.reporting.domain.semimonthly import counted_periods
from services.reporting.domain.state import CaseView, ProblemView, fold


def project(session: Session, batch: Sequence[Delivered]) -> list[Envelope]:
    catalogue = load_catalogue()
    reported = [d for d in batch if is_reported(d.envelope)]
    stored = set(session.exec(select(FactRow.seq).where(col(FactRow.seq).in_([d.seq for d in reported]))))
    reported = [d for d in reported if d.seq not in stored]  # counted once, whoever delivers it again
    facts = [fact_of(d.seq, d.envelope) for d in reported]
    upsert(session, FactRow, [to_row(f, d) for f, d in zip(facts, reported, strict=True)], ["seq"])
    recorded = {d.envelope.aggregate_id: e for d in batch if isinstance(e := d.envelope.event(), HouseholdRecorded)}
    upsert(session, HouseholdRow, [household_row(e) for e in recorded.values()], ["household_id"])
    persons = {(r["household_id"], r["id_number"]): r for e in recorded.values() for r in person_rows(e)}
    upsert(session, PersonRow, list(persons.values()), ["household_id", "id_number"])
    upsert(session, SubmissionEventRow, event_rows(batch), ["seq"])
    if facts:
        count(session, facts, catalogue)
    return []


def count(session: Session, facts: Sequence[Fact], catalogue: Catalogue) -> None:
    """Fold the lines `facts` belong to (each problem with its cases) from all their stored facts, write
    their current rows and overdue windows, and add to the counters what the batch changed
    (`domain/counters.py`). `facts` are already in the session: the stored facts without them are what the
    counters hold so far."""
    counters.lock(session)
    aggregates = lines_of(session, [f.event for f in facts])
    everything = facts_of(session, aggregates, {f.seq: f for f in facts})
    state = fold(known(everything, date.max))
    upsert(session, ProblemRow, [_problem(p) for p in state.problems.values()], ["problem_id"])
    upsert(session, CaseRow, [_case(c, catalogue) for c in state.cases.values()], ["case_id"])
    overdue.rewrite(session, everything)
    counters.apply(session, changes(everything, {f.seq for f in facts}, counted_periods(catalogue), catalogue))


def _problem(view: ProblemView) -> dict[str, Any]:
    p = view.flagged
    return {"problem_id": p.problem_id, "rule": p.rule, "item": p.item, "village": p.village}


def _case(view: CaseView, catalogue: Catalogue) -> dict[str, Any]:
    """`overdue` and `due_soon` are rectify's marks for the deadline in force (its clock, not ours):
    the fold drops a mark when the deadline moves or the case closes."""
    case = view.case
    overdue = case.overdue_for is not None
    return {
        "case_id": case.case_id,
        "problem_id": case.problem_id,
        "item": case.item,
        "category": catalogue.item(case.item).category,
        "village": case.village,
        "lead_unit": case.lead_unit,
        "status": case.status,
        "overdue": overdue,
        "due_soon": case.due_soon_for is not None and not overdue,
    }
