"""Downloads of the half-monthly forms: 问题清单, 整改台帐 and the town's summary, as .xlsx, CSV or JSON.

ID numbers leave unmasked only for a reader whose role may export personal data (the station);
everyone else who may read reports gets them masked (docs/rules.md, "Reading the roster").
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlmodel import Session

from lookback.auth.fastapi import require
from lookback.auth.policy import Action, allowed
from lookback.auth.users import User
from lookback.calendar import Period
from lookback.catalogue import load as load_catalogue
from lookback.downloads import disposition
from services.reporting.adapters.factlog import CHECK_CODE_HEADER, FactLog, check_code, heads
from services.reporting.adapters.writers import MEDIA_TYPES, WRITERS
from services.reporting.api import Facts, KnownAtQ, Log, PeriodQ
from services.reporting.domain.facts import Fact, known
from services.reporting.domain.forms import build_form
from services.reporting.domain.sheets import Sheet

router = APIRouter(prefix="/reports/exports", tags=["exports"])


class Kind(StrEnum):
    problems = "problems"
    ledger = "ledger"
    summary = "summary"


class Format(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


def build_sheet(log: FactLog, used: list[Fact], kind: Kind, period: Period, reveal: bool) -> Sheet:
    """`used`: the facts known at the end of the period (`known`), which the sheet is made from."""
    with Session(log.engine) as session:
        names = heads(session)
    return build_form(used, kind.value, period.last_day, load_catalogue(), names, reveal=reveal)


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
    used = known(facts, period.last_day, known_at)
    sheet = build_sheet(log, used, kind, period, allowed(user, Action.EXPORT_PERSONAL_DATA))
    code = check_code(log.engine, used)
    name, fallback = f"{sheet.name}-{period.code}.{format.value}", f"{kind.value}-{period.code}.{format.value}"
    headers = {"Content-Disposition": disposition(name, fallback), "Cache-Control": "no-store"}
    return Response(
        WRITERS[format.value](sheet, code),
        media_type=MEDIA_TYPES[format.value],
        headers=headers | ({CHECK_CODE_HEADER: code} if code else {}),
    )
