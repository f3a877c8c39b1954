"""Downloads of the half-monthly forms: 问题清单, 整改台帐 and the town's summary, as .xlsx, CSV or JSON.

ID numbers leave unmasked only for a reader whose role may export personal data (the station);
everyone else who may read reports gets them masked (docs/rules.md, "Reading the roster").
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlmodel import Session

from lookback.auth.fastapi import require
from lookback.auth.policy import Action, allowed
from lookback.auth.users import User
from lookback.calendar import Period
from lookback.catalogue import load as load_catalogue
from services.reporting.adapters.factlog import FactLog, heads
from services.reporting.adapters.writers import MEDIA_TYPES, WRITERS, disposition
from services.reporting.api import Facts, KnownAtQ, Log, PeriodQ
from services.reporting.domain.facts import Fact, known
from services.reporting.domain.measures import lines
from services.reporting.domain.sheets import Sheet, ledger, problem_list, summary
from services.reporting.domain.state import fold

router = APIRouter(prefix="/reports/exports", tags=["exports"])


class Kind(StrEnum):
    problems = "problems"
    ledger = "ledger"
    summary = "summary"


class Format(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


def build_sheet(
    log: FactLog, facts: list[Fact], kind: Kind, period: Period, known_at: datetime | None, reveal: bool
) -> Sheet:
    day = period.last_day
    found = lines(fold(known(facts, day, known_at)))
    catalogue = load_catalogue()
    if kind is Kind.summary:
        return summary(found, catalogue, day)
    with Session(log.engine) as session:
        names = heads(session)
    if kind is Kind.ledger:
        return ledger(found, catalogue, names, day)
    return problem_list(found, catalogue, names, day, reveal=reveal)


@router.get(
    "/{kind}",
    summary="下载 问题清单 (problems) / 整改台帐 (ledger) / 问题排查情况汇总表 (summary) as of the period's end",
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
)
def export(
    user: Annotated[User, Depends(require(Action.READ_REPORTS))],
    log: Log,
    facts: Facts,
    kind: Kind,
    period: PeriodQ,
    format: Format = Format.xlsx,
    known_at: KnownAtQ = None,
) -> Response:
    sheet = build_sheet(log, facts, kind, period, known_at, allowed(user, Action.EXPORT_PERSONAL_DATA))
    name, fallback = f"{sheet.name}-{period.code}.{format.value}", f"{kind.value}-{period.code}.{format.value}"
    return Response(
        WRITERS[format.value](sheet),
        media_type=MEDIA_TYPES[format.value],
        headers={"Content-Disposition": disposition(name, fallback), "Cache-Control": "no-store"},
    )
