"""The overdue watch: publishes `case overdue` for every open case whose deadline has passed.

The clock is injectable (`LOOKBACK_NOW`), so the 2019–2020 campaign can be run today. The watch only
reads rectify's table and publishes; the mark that a case is overdue comes back through the stream.
"""

from __future__ import annotations

import asyncio
import logging

from sqlmodel import Session, col, select

from lookback.clock import local_date, now
from lookback.service import Runtime
from services.rectify.adapters.tables import CaseState
from services.rectify.handlers import overdue_event

log = logging.getLogger("lookback.rectify.overdue")
CLOSED = ("verified", "dismissed")


async def watch(runtime: Runtime, interval: float = 1.0) -> None:
    while True:
        try:
            await check_once(runtime)
        except Exception:
            log.exception("overdue check failed; retrying")
        await asyncio.sleep(interval)


async def check_once(runtime: Runtime) -> int:
    today = local_date(now())
    with Session(runtime.engine) as session:
        due = session.exec(
            select(CaseState).where(
                col(CaseState.deadline) < today,
                col(CaseState.state).not_in(CLOSED),
                (col(CaseState.overdue_for).is_(None)) | (col(CaseState.overdue_for) != col(CaseState.deadline)),
            )
        ).all()
    if due:
        await runtime.publisher().publish_batch([overdue_event(c) for c in due])
    return len(due)
