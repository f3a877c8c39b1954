"""The deadline watch: `case due soon` before a deadline and `case overdue` after it, once per deadline.

The clock is injectable (`LOOKBACK_NOW`), so the 2019–2020 campaign can be run today. The watch only
reads the casebook and publishes; the marks come back through the stream. Event ids are derived from
the case and the deadline, so a restart, a replay or a second rectify process stores each one once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

from sqlmodel import Session, col, select

from lookback.catalogue import load as load_catalogue
from lookback.clock import local_date, now, start_of_day
from lookback.contracts.envelope import Envelope, derived_id, new_envelope
from lookback.contracts.rectify import CLOSED_STATUSES
from lookback.partition import Partition
from lookback.service import Runtime
from services.rectify.adapters.casebook import Casebook
from services.rectify.adapters.tables import CaseSummary
from services.rectify.domain.reminders import due_soon_events, overdue_events

log = logging.getLogger("lookback.rectify.overdue")
ACTOR = "service:rectify"


async def watch(runtime: Runtime, interval: float = 1.0) -> None:
    while True:
        try:
            await check_once(runtime, local_date(now()))
        except Exception:
            log.exception("deadline check failed; retrying")
        await asyncio.sleep(interval)


def due_envelopes(session: Session, today: date, soon_days: int, partition: Partition | None = None) -> list[Envelope]:
    horizon = today + timedelta(days=soon_days)
    deadline, overdue_for, due_soon_for = (
        col(CaseSummary.deadline),
        col(CaseSummary.overdue_for),
        col(CaseSummary.due_soon_for),
    )
    unmarked_overdue = (deadline < today) & (overdue_for.is_(None) | (overdue_for != deadline))
    unmarked_soon = (deadline >= today) & (deadline <= horizon) & (due_soon_for.is_(None) | (due_soon_for != deadline))
    ids = session.exec(
        select(CaseSummary.case_id).where(
            col(CaseSummary.status).not_in(CLOSED_STATUSES), unmarked_overdue | unmarked_soon
        )
    ).all()
    book = Casebook(session)
    book.load(i for i in ids if partition is None or partition.owns(i))
    out: list[Envelope] = []
    for case in filter(None, book.cases.values()):
        for overdue in overdue_events(case, today):
            out.append(
                new_envelope(
                    overdue,
                    actor=ACTOR,
                    business_time=start_of_day(overdue.deadline + timedelta(1)),
                    event_id=derived_id("case-overdue", case.case_id, overdue.deadline),
                )
            )
        for soon in due_soon_events(case, today, soon_days):
            out.append(
                new_envelope(
                    soon,
                    actor=ACTOR,
                    business_time=start_of_day(soon.deadline - timedelta(soon_days)),
                    event_id=derived_id("case-due-soon", case.case_id, soon.deadline),
                )
            )
    return book.chain(out)


async def check_once(runtime: Runtime, today: date) -> int:
    with Session(runtime.engine) as session:
        due = due_envelopes(session, today, load_catalogue().deadlines.due_soon_days, runtime.settings.replica())
    if due:
        await runtime.publisher().publish_batch(due)
    return len(due)
