"""The submissions' events as reporting stores them, and the submissions folded from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from lookback.clock import local_date
from lookback.consumer import Delivered
from lookback.contracts.envelope import Envelope
from lookback.contracts.reporting import SubmissionEvent
from lookback.submissions import Org, Submission, evolve
from services.reporting.adapters.tables import SubmissionEventRow

AGGREGATE = "submission"


def event_rows(batch: Sequence[Delivered]) -> list[dict[str, Any]]:
    return [
        {
            "seq": d.seq,
            "submission_id": d.envelope.aggregate_id,
            "day": local_date(d.envelope.business_time),
            "body": d.envelope.model_dump_json(),
        }
        for d in batch
        if d.envelope.aggregate_type == AGGREGATE
    ]


def folded(session: Session, period: str | None = None) -> dict[str, Submission]:
    """Every submission (of one period), by id, as its events leave it."""
    query = select(SubmissionEventRow).order_by(col(SubmissionEventRow.seq))
    if period is not None:
        query = query.where(col(SubmissionEventRow.submission_id).startswith(f"{period}-"))
    out: dict[str, Submission] = {}
    for row in session.exec(query):
        event = Envelope.model_validate_json(row.body).event()
        assert isinstance(event, SubmissionEvent)
        sub = out.get(row.submission_id) or Submission(event.period, Org(event.org_kind, event.org))
        out[row.submission_id] = evolve(sub, event, row.day)
    return out
