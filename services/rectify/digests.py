"""Digests: composed once a day on the business clock, kept for the start page, read by the person's owner.

The tick composes every owner's digest for today once rectify has folded everything in the log (a digest
of a half-read log would count too little), and publishes each expecting subject sequence 0 on its own
`lb.digest.<key>.*`: a second rectify process, or this one after a restart, finds it stored and moves
on, on any day, not only within the duplicate window. A partitioned rectify (`LOOKBACK_PARTITION`)
holds only its share of the cases, so it composes nothing (docs/decisions.md). The digests come back
through rectify's consumer into `rectify_digests` (handlers.py), which a replay rebuilds.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, col, select

from lookback.auth.fastapi import current_user
from lookback.auth.users import Role, User
from lookback.catalogue import load as load_catalogue
from lookback.clock import local_date, now, start_of_day
from lookback.contracts.chain import link
from lookback.contracts.digests import OwnerKind
from lookback.contracts.envelope import Envelope, derived_id, new_envelope
from lookback.contracts.rectify import CLOSED_STATUSES
from lookback.messaging import ConcurrencyConflict
from lookback.service import Runtime
from services.rectify.adapters import submissionbook
from services.rectify.adapters.casebook import Casebook
from services.rectify.adapters.tables import CaseSummary, DigestRow
from services.rectify.domain.digest import COUNTY, WHOLE_TOWN, compose, town_owners
from services.rectify.domain.dues import dues, owed_periods

log = logging.getLogger("lookback.rectify.digests")
ACTOR = "service:rectify"
router = APIRouter(tags=["workbench"])


async def tick(runtime: Runtime, interval: float = 1.0) -> None:
    composed_for: date | None = None
    while True:
        try:
            today = local_date(now())
            if today != composed_for and runtime.settings.replica() is None and await _caught_up(runtime):
                await publish_day(runtime, today)
                composed_for = today
        except Exception:
            log.exception("composing digests failed; retrying")
        await asyncio.sleep(interval)


async def _caught_up(runtime: Runtime) -> bool:
    return all([await c.pending() == 0 for c in runtime.consumers])


def day_envelopes(session: Session, today: date, due_days: int) -> list[Envelope]:
    """Every owner's digest for `today`, each the first event of its own aggregate; `due_days`: when a
    half-month's submissions are due (LOOKBACK_SUBMISSION_DUE_DAYS, as reporting reads it)."""
    catalogue = load_catalogue()
    book = Casebook(session)
    book.load(session.exec(select(CaseSummary.case_id).where(col(CaseSummary.status).not_in(CLOSED_STATUSES))).all())
    cases = [c for c in book.cases.values() if c is not None]
    soon = catalogue.deadlines.due_soon_days
    periods = owed_periods(catalogue, today)
    subs = submissionbook.known(session, [p.code for p in periods])
    envelopes = [
        new_envelope(
            digest,
            actor=ACTOR,
            business_time=start_of_day(today),
            event_id=derived_id("digest-composed", digest.aggregate_id()),
        )
        for digest in (
            compose(owner, today, cases, soon, *dues(owner, catalogue, periods, subs, due_days))
            for owner in town_owners(catalogue)
        )
    ]
    return [link([env], {})[0][0] for env in envelopes]


async def publish_day(runtime: Runtime, today: date) -> int:
    """Publishes what no process has stored yet; returns how many this call stored."""
    with Session(runtime.engine) as session:
        envelopes = day_envelopes(session, today, runtime.settings.submission_due_days)
    publisher = runtime.publisher()
    stored = 0
    for env in envelopes:
        try:
            ack = await publisher.publish(env, expected_last_seq=0)
        except ConcurrencyConflict:
            continue
        stored += not ack.duplicate
    return stored


def owner_of(user: User) -> tuple[OwnerKind, str] | None:
    """Whose digests a person reads: their village's, their unit's, the station's or the county's."""
    if user.role is Role.VILLAGE and user.village:
        return "village", user.village
    if user.role is Role.UNIT and user.unit:
        return "unit", user.unit
    if user.role is Role.STATION:
        return "station", WHOLE_TOWN
    if user.role is Role.COUNTY:
        return "county", COUNTY
    return None


@router.get("/digests/mine", summary="今日提醒 / the latest digest of the caller's village, unit, station or county")
def mine(request: Request, user: Annotated[User, Depends(current_user)]) -> dict[str, Any]:
    owner = owner_of(user)
    row = None
    if owner is not None:
        with Session(request.app.state.runtime.engine) as session:
            row = session.exec(
                select(DigestRow)
                .where(DigestRow.owner_kind == owner[0], DigestRow.owner == owner[1])
                .order_by(col(DigestRow.day).desc())
                .limit(1)
            ).first()
    return {"digest": json.loads(row.body) if row else None}
