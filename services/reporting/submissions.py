"""HTTP API of the submissions (报送): a village or unit hands in its half-month's forms, the station reviews
or returns them and hands in the town's summary, the county receives it; and the plan's milestones.

A submission's forms are built here, for the submitter's own scope, from the facts up to the log position
reporting has folded (the cutoff): the event keeps the cutoff and the sha256 of the bytes, and the forms are
never taken from the caller. A village's 书面报告 is stored by its hash in the reports bucket before the
`submission.report_filed` that names it is appended, and is read back only as a download. An action appends
with the submission's last stream sequence as the expected one, so of two reviewers acting at once one wins
and the other gets 409.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, UploadFile
from fastapi.responses import Response
from nats.js.errors import NotFoundError
from pydantic import BaseModel, Field
from sqlmodel import Session

from lookback import objectstore
from lookback.auth.fastapi import check, current_user
from lookback.auth.policy import Action, Scope, allowed
from lookback.auth.users import Role, User
from lookback.calendar import Period
from lookback.catalogue import Catalogue
from lookback.catalogue import load as load_catalogue
from lookback.clock import local_date, now, start_of_day
from lookback.contracts.chain import event_hash, link
from lookback.contracts.envelope import Envelope, derived_id, new_envelope
from lookback.contracts.reporting import SubmissionEvent, SubmittedForm, submission_id
from lookback.contracts.subjects import REPORTS_BUCKET, STREAM, aggregate_subjects
from lookback.downloads import disposition
from lookback.messaging import ConcurrencyConflict
from lookback.service import Runtime
from lookback.store import get_position
from lookback.submissions import (
    STANDING_LABELS,
    STATE_LABELS,
    Org,
    Submission,
    due_day,
    handed_in,
    lower_orgs,
    standing,
)
from services.reporting.adapters.factlog import check_code, people
from services.reporting.adapters.submissions import folded
from services.reporting.adapters.writers import to_xlsx
from services.reporting.api import Log, PeriodQ
from services.reporting.domain.facts import known
from services.reporting.domain.forms import submitted_form
from services.reporting.domain.measures import lines
from services.reporting.domain.milestones import milestones
from services.reporting.domain.state import fold
from services.reporting.domain.submissions import Refused, Verdict, file_report, judge, submit
from services.reporting.domain.written import EXTENSIONS, ReportRefused, accept

router = APIRouter(prefix="/submissions", tags=["submissions"])
Caller = Annotated[User, Depends(current_user)]
"""Who may see or do what depends on whose submission it is: checked per org below."""
DURABLE = "reporting"
SUBMISSION_ID = r"^\d{4}-\d{2}-H[12]-(village|unit|station)-[0-9a-f]{12}$"
SubmissionId = Annotated[str, Path(pattern=SUBMISSION_ID, description="The id GET /submissions lists")]
FORMS: dict[str, tuple[str, ...]] = {
    "village": ("problems", "ledger"),
    "unit": ("problems", "ledger"),
    "station": ("summary", "problems", "ledger"),
}
"""What each org hands in: a village or unit its 问题清单 and 整改台帐 (plan 四(二)), the station also the 汇总表."""


class VerdictBody(BaseModel):
    reason: str = Field("", max_length=500, description="退回原因 (required to return)")


def org_of(user: User, catalogue: Catalogue) -> Org:
    """Whose forms the caller hands in: their village's, their unit's, or the station's summary."""
    if user.role is Role.VILLAGE and user.village:
        return Org("village", user.village)
    if user.role is Role.UNIT and user.unit:
        return Org("unit", user.unit)
    if user.role is Role.STATION:
        return Org("station", catalogue.town)
    raise HTTPException(403, {"zh": "您的角色不报送表格", "en": "your role does not submit forms"})


def _scope(org: Org) -> Scope | None:
    if org.kind == "village":
        return Scope(org.name)
    if org.kind == "unit":
        return Scope("", org.name)
    return None


def _visible(user: User, org: Org) -> bool:
    scope = _scope(org)
    if scope is None:
        return user.role in (Role.STATION, Role.COUNTY, Role.AUDITOR)
    return allowed(user, Action.READ_SUBMISSIONS, scope)


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def view(sub: Submission, due: date, today: date, soon_days: int) -> dict[str, Any]:
    state = standing(handed_in(sub), due, today, soon_days)
    return {
        "submission_id": sub.submission_id,
        "period": sub.period,
        "org_kind": sub.org.kind,
        "org": sub.org.name,
        "state": sub.state,
        "state_label": STATE_LABELS[sub.state],
        "reason": sub.reason,
        "submitted_on": sub.submitted_on.isoformat() if sub.submitted_on else None,
        "forms": [f.model_dump() for f in sub.forms],
        "due": due.isoformat(),
        "standing": state,
        "standing_label": STANDING_LABELS[state],
        "report": sub.report.model_dump() if sub.report else None,
        "report_filed_on": sub.report_filed_on.isoformat() if sub.report_filed_on else None,
    }


def _all(engine: Any, period: str, catalogue: Catalogue) -> dict[Org, Submission]:
    """Every org that owes the period's forms, pending unless its events say otherwise."""
    with Session(engine) as session:
        known_subs = {s.org: s for s in folded(session, period).values()}
    orgs = [*sorted(lower_orgs(catalogue), key=lambda o: (o.kind != "village", o.name)), Org("station", catalogue.town)]
    return {o: known_subs.get(o) or Submission(period, o) for o in orgs} | known_subs


@router.get("", summary="报送情况 / the period's submissions the caller may see")
def list_submissions(request: Request, user: Caller, period: PeriodQ) -> dict[str, Any]:
    runtime = _runtime(request)
    catalogue = load_catalogue()
    due, today = due_day(period, runtime.settings.submission_due_days), local_date(now())
    soon = catalogue.deadlines.due_soon_days
    rows = [
        view(s, due, today, soon) for o, s in _all(runtime.engine, period.code, catalogue).items() if _visible(user, o)
    ]
    return {"period": period.code, "label": period.label, "due": due.isoformat(), "submissions": rows}


@router.post("", summary="报送 / hand in the caller's own forms for the period")
async def submit_forms(request: Request, log: Log, user: Caller, period: PeriodQ) -> dict[str, Any]:
    runtime = _runtime(request)
    catalogue = load_catalogue()
    org = org_of(user, catalogue)
    check(user, Action.SUBMIT_FORMS, _scope(org))
    last, head = await _last(runtime, submission_id(period.code, org.kind, org.name))
    sub = _all(runtime.engine, period.code, catalogue)[org]
    with Session(runtime.engine) as session:
        cutoff = get_position(session, DURABLE)
        names = people(session)
    used = known([f for f in log.facts() if f.seq <= cutoff], period.last_day)
    code = check_code(runtime.engine, used)
    forms = []
    found = lines(fold(used))
    for kind in FORMS[org.kind]:
        sheet = submitted_form(found, kind, period, catalogue, names, org)
        data = to_xlsx(sheet, code)
        forms.append(
            SubmittedForm(
                kind=kind,  # type: ignore[arg-type]
                scope=org.name,
                cutoff=cutoff,
                check_code=code,
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    try:
        event: SubmissionEvent = submit(sub, tuple(forms))
    except Refused as err:
        raise HTTPException(409, {"zh": err.zh, "en": err.en, "state": sub.state}) from err
    return await _append(runtime, user, event, last, head, period.code, catalogue)


@router.post("/{sid}/{verdict}", summary="审核通过 (review) / 退回 (return) / 县级接收 (receive)")
async def decide(
    request: Request,
    user: Caller,
    sid: SubmissionId,
    verdict: Verdict,
    body: VerdictBody,
) -> dict[str, Any]:
    runtime = _runtime(request)
    catalogue = load_catalogue()
    period = sid[:10]
    last, head = await _last(runtime, sid)
    sub = next((s for s in _all(runtime.engine, period, catalogue).values() if s.submission_id == sid), None)
    if sub is None or last == 0:
        raise HTTPException(404, {"zh": "无此报送", "en": f"no submission {sid}"})
    upward = sub.org.kind == "station"
    check(user, Action.RECEIVE_SUMMARY if upward else Action.REVIEW_SUBMISSIONS)
    try:
        event = judge(sub, verdict, body.reason)
    except Refused as err:
        raise HTTPException(409, {"zh": err.zh, "en": err.en, "state": sub.state}) from err
    return await _append(runtime, user, event, last, head, period, catalogue)


@router.post("/written-report", summary="上传书面报告 / a village hands in its written report (PDF, Word, a photo)")
async def file_written_report(request: Request, user: Caller, period: PeriodQ, file: UploadFile) -> dict[str, Any]:
    runtime = _runtime(request)
    catalogue = load_catalogue()
    org = org_of(user, catalogue)
    if org.kind != "village":
        raise HTTPException(403, {"zh": "只有村上传书面报告", "en": "only a village files a written report"})
    check(user, Action.SUBMIT_FORMS, _scope(org))
    limit = runtime.settings.report_max_bytes
    data = await file.read(limit + 1)
    try:
        report = accept(data, limit)
    except ReportRefused as err:
        raise HTTPException(err.status, {"zh": err.zh, "en": err.en}) from None
    store = await objectstore.bucket(runtime.broker.connection, REPORTS_BUCKET, runtime.settings.stream_replicas)
    await objectstore.put(store, data, report.sha256, report.media_type)
    last, head = await _last(runtime, submission_id(period.code, org.kind, org.name))
    sub = _all(runtime.engine, period.code, catalogue)[org]
    return await _append(runtime, user, file_report(sub, report), last, head, period.code, catalogue)


@router.get("/{sid}/written-report", summary="书面报告 / the written report a village filed, as a download")
async def download_written_report(request: Request, user: Caller, sid: SubmissionId) -> Response:
    runtime = _runtime(request)
    sub = next((s for s in _all(runtime.engine, sid[:10], load_catalogue()).values() if s.submission_id == sid), None)
    if sub is None or not _visible(user, sub.org):
        raise HTTPException(404, {"zh": "无此报送", "en": f"no submission {sid}"})
    store = await objectstore.bucket(runtime.broker.connection, REPORTS_BUCKET, runtime.settings.stream_replicas)
    data = await objectstore.read(store, sub.report.sha256) if sub.report else None
    if sub.report is None or data is None:
        raise HTTPException(404, {"zh": "该报送没有书面报告", "en": "no written report was filed with this submission"})
    ext = EXTENSIONS[sub.report.media_type]
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": disposition(f"{sub.org.name}书面报告.{ext}", f"{sid}.{ext}"),
        "Cache-Control": "private, no-cache",
    }
    return Response(data, media_type=sub.report.media_type, headers=headers)


async def _last(runtime: Runtime, sid: str) -> tuple[int, str | None]:
    """The submission's last stream sequence and hash (0 and None before its first event), once folded here."""
    js = runtime.broker.connection.jetstream()
    try:
        msg = await js.get_last_msg(STREAM, aggregate_subjects("submission", sid), direct=True)
    except NotFoundError:
        return 0, None
    await _folded_to(runtime, int(msg.seq or 0))
    return int(msg.seq or 0), event_hash(Envelope.model_validate_json(msg.data or b""))


async def _folded_to(runtime: Runtime, seq: int, timeout: float = 10) -> None:
    consumer = runtime.consumers[0]
    for _ in range(int(timeout / 0.02)):
        if consumer.position >= seq:
            return
        await asyncio.sleep(0.02)
    raise HTTPException(
        503,
        {"zh": "报表服务尚未处理完最新事件，请稍后重试", "en": "reporting is catching up with the log; retry shortly"},
    )


async def _append(
    runtime: Runtime,
    user: User,
    event: SubmissionEvent,
    last: int,
    head: str | None,
    period: str,
    catalogue: Catalogue,
) -> dict[str, Any]:
    today = local_date(now())
    draft = new_envelope(
        event,
        actor=user.actor,
        business_time=start_of_day(today),
        event_id=derived_id("submission", event.submission_id, event.event_type, last),
    )
    (env,), _ = link([draft], {f"submission/{event.submission_id}": head})
    try:
        seq = (await runtime.publisher().publish(env, expected_last_seq=last)).seq
    except ConcurrencyConflict as err:
        raise HTTPException(
            409, {"zh": "报送已被他人更新，请刷新后重试", "en": "the submission changed meanwhile; reload and retry"}
        ) from err
    await _folded_to(runtime, seq)
    sub = next(s for s in _all(runtime.engine, period, catalogue).values() if s.submission_id == event.submission_id)
    due = due_day(Period.parse(period), runtime.settings.submission_due_days)
    return view(sub, due, today, catalogue.deadlines.due_soon_days)


@router.get("/milestones", summary="时间节点 / the plan's dated milestones, with due-soon and overdue")
def get_milestones(request: Request, user: Caller) -> dict[str, Any]:
    catalogue = load_catalogue()
    with Session(_runtime(request).engine) as session:
        subs = folded(session).values()
    today = local_date(now())
    soon = catalogue.deadlines.due_soon_days
    return {"today": today.isoformat(), "milestones": [m.view(today, soon) for m in milestones(catalogue, subs)]}
