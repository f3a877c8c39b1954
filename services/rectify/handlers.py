"""Rectify's consumer: problems become cases; case events are folded into rectify's own table.

Problem and case events come through one consumer, in stream order, so a case's state is always
what its events say when the next problem event about it is decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlmodel import Session, select

from lookback.catalogue import Catalogue
from lookback.clock import start_of_day
from lookback.consumer import Delivered
from lookback.contracts.envelope import Envelope, derived_id, new_envelope
from lookback.contracts.rectify import CaseOpened, CaseOverdue
from lookback.contracts.rules import ProblemFlagged
from lookback.store import upsert
from services.rectify.adapters.tables import CaseState
from services.rectify.domain.cases import open_case

ACTOR = "service:rectify"


def case_id_for(problem_id: str) -> str:
    """One case per problem: the case id is the problem id, so opening it twice is one case."""
    return problem_id


def make_handler(catalogue: Catalogue):  # type: ignore[no-untyped-def]
    def handle(session: Session, batch: Sequence[Delivered]) -> list[Envelope]:
        events = [(d.envelope, d.envelope.event()) for d in batch]
        ids = {case_id_for(e.problem_id) for _, e in events if isinstance(e, ProblemFlagged)}
        ids |= {e.case_id for _, e in events if isinstance(e, CaseOpened | CaseOverdue)}
        known = {c.case_id: c.model_dump() for c in session.exec(select(CaseState).where(CaseState.case_id.in_(ids)))}  # type: ignore[attr-defined]
        out: list[Envelope] = []
        for env, event in events:
            match event:
                case ProblemFlagged() if case_id_for(event.problem_id) not in known:
                    opened = open_case(event, catalogue, case_id_for(event.problem_id))
                    out.append(
                        new_envelope(
                            opened,
                            actor=ACTOR,
                            business_time=start_of_day(opened.assigned_on),
                            caused_by=env,
                            event_id=derived_id("case-opened", opened.case_id),
                        )
                    )
                    known[opened.case_id] = _state(opened)
                case CaseOpened():
                    known[event.case_id] = _state(event)
                case CaseOverdue() if event.case_id in known:
                    known[event.case_id]["overdue_for"] = event.deadline
        upsert(session, CaseState, list(known.values()), ["case_id"])
        return out

    return handle


def _state(opened: CaseOpened) -> dict:
    return {
        "case_id": opened.case_id,
        "problem_id": opened.problem_id,
        "item": opened.item,
        "village": opened.village,
        "state": "pending",
        "deadline": opened.deadline,
        "overdue_for": None,
    }


def overdue_event(case: CaseState) -> Envelope:
    """Once per case and deadline: the id is derived from both, so a restart or a second rectify
    process publishing it again is stored once."""
    event = CaseOverdue(case_id=case.case_id, deadline=case.deadline, village=case.village, item=case.item)
    return new_envelope(
        event,
        actor=ACTOR,
        business_time=start_of_day(case.deadline + timedelta(days=1)),
        event_id=derived_id("case-overdue", case.case_id, case.deadline),
    )
