"""Rectify's memory of the submissions (报送): each one's state, folded with the kernel's `evolve` as
reporting folds them, so a digest counts as handed in exactly what the 报送 page shows as handed in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlmodel import Session, col, select

from lookback.clock import local_date
from lookback.consumer import Delivered
from lookback.contracts.reporting import OrgKind, SubmissionEvent
from lookback.store import upsert
from lookback.submissions import Org, State, Submission, evolve
from services.rectify.adapters.tables import SubmissionRow


def fold(session: Session, batch: Sequence[Delivered]) -> None:
    """The batch's submission events onto the rows; the position is committed with them by the consumer."""
    events = [
        (e, local_date(d.envelope.business_time)) for d in batch if isinstance(e := d.envelope.event(), SubmissionEvent)
    ]
    if not events:
        return
    ids = {e.submission_id for e, _ in events}
    subs = {s.submission_id: s for s in _read(session, col(SubmissionRow.submission_id).in_(ids))}
    for event, day in events:
        sub = subs.get(event.submission_id) or Submission(event.period, Org(event.org_kind, event.org))
        subs[event.submission_id] = evolve(sub, event, day)
    rows = [
        {
            "submission_id": s.submission_id,
            "period": s.period,
            "org_kind": s.org.kind,
            "org": s.org.name,
            "state": s.state,
            "submitted_on": s.submitted_on,
        }
        for s in subs.values()
    ]
    upsert(session, SubmissionRow, rows, ["submission_id"])


def known(session: Session, periods: Sequence[str]) -> list[Submission]:
    """The submissions of `periods` that have events; one without any is still pending."""
    return _read(session, col(SubmissionRow.period).in_(periods))


def _read(session: Session, where: object) -> list[Submission]:
    return [
        Submission(
            r.period,
            Org(cast(OrgKind, r.org_kind), r.org),
            state=cast(State, r.state),
            submitted_on=r.submitted_on,
        )
        for r in session.exec(select(SubmissionRow).where(where))  # type: ignore[arg-type]
    ]
