"""Rectify's consumer: problems become cases; every case event is folded into rectify's casebook, every
digest kept for the start page, and every submission's state kept for the digests' 待报送.

Problem and case events come through one consumer in stream order, so what is decided for a problem
event is decided on the case as its earlier events left it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlmodel import Session

from lookback.catalogue import Catalogue
from lookback.clock import start_of_day
from lookback.consumer import Delivered, output_id
from lookback.contracts.digests import DigestComposed
from lookback.contracts.envelope import Envelope, derived_id, new_envelope
from lookback.contracts.rectify import CaseEvent
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged
from services.rectify.adapters import digestbook, submissionbook
from services.rectify.adapters.casebook import Casebook
from services.rectify.domain.opening import open_case, reopened
from services.rectify.domain.workflow import decide

ACTOR = "service:rectify"


def case_id_for(problem_id: str) -> str:
    """One case per problem: the case id is the problem id, so opening it twice is one case."""
    return problem_id


def make_handler(catalogue: Catalogue) -> Callable[[Session, Sequence[Delivered]], list[Envelope]]:
    def handle(session: Session, batch: Sequence[Delivered]) -> list[Envelope]:
        digests = [e for d in batch if isinstance(e := d.envelope.event(), DigestComposed)]
        digestbook.keep(session, digests)
        submissionbook.fold(session, batch)
        batch = [d for d in batch if d.envelope.aggregate_type not in ("digest", "submission")]
        book = Casebook(session)
        envelopes = [d.envelope for d in batch]
        book.load(
            (case_id_for(e.aggregate_id) if e.aggregate_type == "problem" else e.aggregate_id for e in envelopes),
            (str(e.id) for e in envelopes if e.aggregate_type == "case"),
        )
        out: list[Envelope] = []
        for item in batch:
            env = item.envelope
            if env.aggregate_type == "case":
                book.apply(env, item.seq)
                continue
            derived = book.chain(_decide(book, env, catalogue))
            for emitted in derived:
                book.apply(emitted, None)
            out += derived
        book.save()
        return out

    return handle


def _decide(book: Casebook, env: Envelope, catalogue: Catalogue) -> list[Envelope]:
    event = env.event()
    if isinstance(event, ProblemFlagged):
        case_id = case_id_for(event.problem_id)
        case = book.get(case_id)
        if case is not None:
            return _answers(env, reopened(case, event.as_of), event.as_of)
        opened = open_case(event, catalogue, case_id)
        return [
            new_envelope(
                opened,
                actor=ACTOR,
                business_time=start_of_day(opened.assigned_on),
                caused_by=env,
                event_id=derived_id("case-opened", case_id),
            )
        ]
    if isinstance(event, ProblemClearedByData):
        case = book.get(case_id_for(event.problem_id))
        if case is None:
            return []
        return _answers(env, decide(case, event, event.as_of), event.as_of)
    return []


def _answers(cause: Envelope, events: Sequence[CaseEvent], on: date) -> list[Envelope]:
    """What rectify decides on a case for a problem event, dated by the event's day; ids from the cause,
    so a redelivered problem event gives the same ids."""
    return [
        new_envelope(
            e, actor=ACTOR, business_time=start_of_day(on), caused_by=cause, event_id=output_id("rectify", cause, n)
        )
        for n, e in enumerate(events)
    ]
