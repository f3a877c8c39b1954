"""Downloads of the half-monthly forms: 问题清单, 整改台帐 and the town's summary, as .xlsx, CSV or JSON.

A village and a unit file their own 问题清单 and 整改台帐 (plan 四(二)): `village=` or `unit=` asks for
that scope's form, which the reader may download when the scope is theirs (`export_own_forms`); the town's
forms and the 汇总表 are the station's, the county's and the auditor's. ID numbers and the names of the
persons problems are about leave unmasked only for a reader whose role may export personal data (the
station); everyone else gets them masked (docs/rules.md, "Reading the roster").
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from sqlmodel import Session

from lookback.auth.fastapi import check, current_user
from lookback.auth.policy import Action, Scope, allowed
from lookback.auth.users import Role, User
from lookback.calendar import Period
from lookback.catalogue import load as load_catalogue
from lookback.clock import local_date
from lookback.downloads import disposition
from services.reporting.adapters.factlog import CHECK_CODE_HEADER, FactLog, check_code, people
from services.reporting.adapters.writers import MEDIA_TYPES, WRITERS
from services.reporting.api import CanonicalJSON, Facts, KnownAtQ, Log, PeriodQ, get_periods
from services.reporting.domain.facts import Fact, known
from services.reporting.domain.forms import build_form
from services.reporting.domain.measures import lines
from services.reporting.domain.sheets import Filing, Sheet
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


FORM_NAMES = {Kind.problems: "问题清单", Kind.ledger: "整改台帐", Kind.summary: "问题排查情况汇总表"}
OWN_FORMS = (Kind.problems, Kind.ledger)


def filed_on(period: Period, known_at: datetime | None) -> date:
    """The period's last day, or the day it is known at when that is earlier: never the day of the download."""
    return min(period.last_day, local_date(known_at)) if known_at else period.last_day


def build_sheet(
    log: FactLog,
    used: list[Fact],
    kind: Kind,
    filing: Filing,
    reveal: bool,
    village: str | None = None,
    unit: str | None = None,
) -> Sheet:
    """`used`: the facts known at the end of the period (`known`), which the sheet is made from. A village or
    unit must be the town's (the catalogue's, or one the events name), so only such a name is printed."""
    catalogue = load_catalogue()
    found = lines(fold(used))
    if village is not None and village not in {*catalogue.villages, *(ln.flagged.village for ln in found)}:
        raise HTTPException(422, "不是本镇的行政村 / village: not a village of the town")
    if unit is not None and unit not in {*catalogue.units(), *(ln.unit(catalogue) for ln in found)}:
        raise HTTPException(422, "不是本镇的责任单位 / unit: not a unit of the town")
    with Session(log.engine) as session:
        names = people(session)
    return build_form(found, kind.value, filing, catalogue, names, reveal=reveal, village=village, unit=unit)


def scope_of(user: User, kind: Kind, village: str | None, unit: str | None) -> None:
    """403 unless the reader may download this form for this scope (zh/en, naming no one)."""
    if village is not None and unit is not None:
        raise HTTPException(422, "village 与 unit 只能给一个 / give village or unit, not both")
    if kind is Kind.summary:
        if village is not None or unit is not None:
            raise HTTPException(422, "汇总表是全镇的，不分村或单位 / the summary is the town's: no village or unit")
        check(user, Action.READ_REPORTS)
        return
    scope = Scope(village, None) if village is not None else Scope("", unit) if unit is not None else None
    if not allowed(user, Action.EXPORT_OWN_FORMS, scope):
        raise HTTPException(
            403,
            "只能下载本村或本单位的问题清单和整改台帐 / "
            "you may download the problem list and ledger of your own village or unit only",
        )


@router.get(
    "/{kind}",
    summary="下载 问题清单 (problems) / 整改台帐 (ledger) / 问题排查情况汇总表 (summary) as of the period's end",
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
)
def export(
    user: Annotated[User, Depends(current_user)],
    log: Log,
    facts: Facts,
    kind: Kind,
    period: PeriodQ,
    format: Format = Format.xlsx,
    known_at: KnownAtQ = None,
    village: Annotated[str | None, Query(description="本村的表: the rows of this village")] = None,
    unit: Annotated[str | None, Query(description="本单位的表: the cases this unit leads")] = None,
) -> Response:
    scope_of(user, kind, village, unit)
    used = known(facts, period.last_day, known_at)
    filing = Filing(load_catalogue().town, village or unit, period, filed_on(period, known_at))
    sheet = build_sheet(log, used, kind, filing, allowed(user, Action.EXPORT_PERSONAL_DATA), village, unit)
    code = check_code(log.engine, used)
    place = f"-{village or unit}" if village or unit else ""
    name = f"{sheet.name}{place}-{period.code}.{format.value}"
    fallback = f"{kind.value}-{period.code}.{format.value}"
    headers = {"Content-Disposition": disposition(name, fallback), "Cache-Control": "no-store"}
    return Response(
        WRITERS[format.value](sheet, code),
        media_type=MEDIA_TYPES[format.value],
        headers=headers | ({CHECK_CODE_HEADER: code} if code else {}),
    )


@router.get("", summary="可下载的报表 / the forms this reader may download, by period", response_class=CanonicalJSON)
def downloadable(user: Annotated[User, Depends(current_user)], log: Log) -> dict[str, Any]:
    """For the workbench's 报表下载: each form with the scope the reader files it for (none: the town's)."""
    scope: dict[str, str] = {}
    if user.role is Role.VILLAGE and user.village:
        scope = {"village": user.village}
    elif user.role is Role.UNIT and user.unit:
        scope = {"unit": user.unit}
    kinds = [k for k in Kind if k in OWN_FORMS or allowed(user, Action.READ_REPORTS)]
    forms = [{"kind": k.value, "name": FORM_NAMES[k], "scope": {} if k is Kind.summary else scope} for k in kinds]
    return {**get_periods(log), "forms": forms}
