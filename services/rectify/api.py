"""HTTP API of rectify: read cases, and act on them (整改台帐 workflow) as the authenticated user.

An action reads the case's last stream sequence, waits until rectify has folded the case that far,
decides on that state and appends with that sequence as the expected one: of two people acting on
the same case at once, exactly one wins and the other gets 409.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from nats.js.errors import NotFoundError
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from lookback.auth.fastapi import check, current_user
from lookback.auth.policy import Action, Scope, allowed
from lookback.auth.users import Role, User
from lookback.cases.state import Case, is_overdue
from lookback.clock import local_date, now, start_of_day
from lookback.contracts.envelope import new_envelope
from lookback.contracts.rectify import STATUS_LABELS, Evidence, Location
from lookback.contracts.subjects import STREAM, aggregate_subjects
from lookback.dates import Day
from lookback.ids import CASE_ID, CASE_PREFIX, AmbiguousId, UnknownId, resolve
from lookback.messaging import ConcurrencyConflict
from lookback.service import Runtime
from lookback.store import get_position
from services.rectify.adapters import evidence
from services.rectify.adapters.casebook import Casebook
from services.rectify.adapters.tables import CaseEventRow, CaseSummary
from services.rectify.domain import commands as cmd
from services.rectify.domain.action_days import check_day
from services.rectify.domain.timeline import entry
from services.rectify.domain.workflow import decide

router = APIRouter(prefix="/cases", tags=["cases"])
NAME = "rectify"
Caller = Annotated[User, Depends(current_user)]


def case_id_of(
    request: Request,
    case_id: Annotated[
        str, Path(pattern=CASE_PREFIX, description="案件编号 (the problem id) or a unique prefix of it")
    ],
) -> str:
    """The full id a path names. A full id is taken as it is: a case just reported may not be folded yet."""
    if CASE_ID.fullmatch(case_id):
        return case_id
    with Session(_runtime(request).engine) as session:
        found = session.exec(select(CaseSummary.case_id).where(col(CaseSummary.case_id).startswith(case_id))).all()
    try:
        return resolve(case_id, found)
    except UnknownId as err:
        raise HTTPException(404, str(err)) from err
    except AmbiguousId as err:
        raise HTTPException(400, str(err)) from err


CaseId = Annotated[str, Depends(case_id_of)]


class ActionBody(BaseModel):
    on: Day | None = Field(
        None,
        description="办理日期: the day it happened; today by the business clock if omitted; never before the "
        "case opened or its last step, never after today",
    )
    expected_seq: int | None = Field(
        None, description="The case's last stream sequence the caller saw; 409 with what changed since, if not the last"
    )


class AssignBody(ActionBody):
    lead_unit: str | None = Field(None, description="责任单位")
    person: str | None = Field(None, description="责任人")
    note: str = ""


class MeasuresBody(ActionBody):
    measures: str = Field(description="整改措施")


class RectifiedBody(MeasuresBody):
    evidence: tuple[Evidence, ...] = Field(
        (), description="整改佐证 as `POST /cases/{id}/evidence` answered for each upload"
    )
    location: Location | None = Field(None, description="位置, when the person's browser gave it")


class VerifyBody(ActionBody):
    passed: bool = Field(description="验收通过 (销号) or not (验收不通过)")
    reason: str = ""


class EscalateBody(ActionBody):
    county_unit: str = Field(description="县级指挥部 the case goes to")
    reason: str


class AnswerBody(ActionBody):
    accepted: bool
    new_deadline: Day | None = None
    note: str = ""
    entered_for: str | None = Field(
        None, description="县级答复人: a station user entering the county's answer from paper names who gave it"
    )


class ExtendBody(ActionBody):
    new_deadline: Day
    reason: str


class DismissBody(ActionBody):
    reason: str = Field(description="不属实的理由")


def view(case: Case, today: date) -> dict[str, Any]:
    body = dataclasses.asdict(case)
    body["status_label"] = STATUS_LABELS[case.status]
    body["overdue"] = is_overdue(case, today)
    return body


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def _folded_to(runtime: Runtime, case_id: str, seq: int, timeout: float = 10) -> None:
    """Wait until the rectify process that folds this case (this one, or its replica) has reached `seq`."""
    consumer = runtime.consumers[0]
    partition = runtime.settings.replica()
    owner = None if partition is None or partition.owns(case_id) else partition.consumer(NAME, partition.owner(case_id))
    for _ in range(int(timeout / 0.02)):
        if owner is None:
            position = consumer.position
        else:
            with Session(runtime.engine) as session:
                position = get_position(session, owner)
        if position >= seq:
            return
        await asyncio.sleep(0.02)
    raise HTTPException(
        503, "整改服务尚未处理完最新事件，请稍后重试 / rectify is catching up with the log; retry shortly"
    )


async def _act(
    request: Request, user: User, case_id: str, action: Action, command: cmd.Command, body: ActionBody
) -> dict[str, Any]:
    on = body.on
    runtime = _runtime(request)
    js = runtime.broker.connection.jetstream()
    try:
        last = int((await js.get_last_msg(STREAM, aggregate_subjects("case", case_id), direct=True)).seq or 0)
    except NotFoundError as err:
        raise HTTPException(404, f"无此案件 / no case {case_id}") from err
    await _folded_to(runtime, case_id, last)
    with Session(runtime.engine) as session:
        book = Casebook(session)
        case = book.get(case_id)
    if case is None:
        raise HTTPException(404, f"无此案件 / no case {case_id}")
    check(user, action, Scope(case.village, case.lead_unit))
    if body.expected_seq is not None and body.expected_seq != last:
        raise HTTPException(409, _changed_since(runtime, case, body.expected_seq, user))
    today = local_date(now())
    day = on or today
    try:
        check_day(case, day, today, command)
        events = decide(case, command, day)
    except cmd.TransitionRefused as err:
        raise HTTPException(409, {"zh": err.message_zh, "en": err.message_en, "status": err.status}) from err
    expected = last
    publisher = runtime.publisher()
    envelopes = book.chain([new_envelope(e, actor=user.actor, business_time=start_of_day(day)) for e in events])
    try:
        for env in envelopes:
            expected = (await publisher.publish(env, expected_last_seq=expected)).seq
    except ConcurrencyConflict as err:
        raise HTTPException(
            409,
            {
                "zh": "案件已被他人更新，请刷新后重试",
                "en": "the case changed meanwhile; reload and retry",
                "status": case.status,
            },
        ) from err
    await _folded_to(runtime, case_id, expected)
    with Session(runtime.engine) as session:
        updated = Casebook(session).get(case_id)
    assert updated is not None
    return view(updated, today)


def _changed_since(runtime: Runtime, case: Case, seen: int, user: User) -> dict[str, Any]:
    """A 409 that says what others did since the caller looked, so the page can show it and offer a retry."""
    with Session(runtime.engine) as session:
        rows = session.exec(
            select(CaseEventRow.seq, CaseEventRow.body)
            .where(CaseEventRow.case_id == case.case_id, col(CaseEventRow.seq) > seen)
            .order_by(col(CaseEventRow.n))
        ).all()
    names = allowed(user, Action.READ_HISTORY)
    return {
        "zh": "案件已被他人更新，请核对后重试",
        "en": "the case changed meanwhile; check what changed and retry",
        "status": case.status,
        "changed": [entry(json.loads(body), seq, user.actor, names) for seq, body in rows],
    }


@router.get("", summary="案件列表 / cases the caller may see")
def list_cases(
    request: Request,
    user: Caller,
    village: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
) -> list[dict[str, Any]]:
    today = local_date(now())
    query = select(CaseSummary)
    if village:
        query = query.where(CaseSummary.village == village)
    if unit:
        query = query.where(CaseSummary.lead_unit == unit)
    if status:
        query = query.where(CaseSummary.status == status)
    with Session(_runtime(request).engine) as session:
        rows = [
            r
            for r in session.exec(query.order_by(col(CaseSummary.case_id)))
            if allowed(user, Action.READ_CASES, Scope(r.village, r.lead_unit))
        ]
        book = Casebook(session)
        book.load(r.case_id for r in rows)
        cases = [view(c, today) for c in book.cases.values() if c is not None]
    if overdue is not None:
        cases = [c for c in cases if c["overdue"] == overdue]
    return sorted(cases, key=lambda c: c["case_id"])


@router.get("/{case_id}", summary="案件 / one case")
def get_case(request: Request, user: Caller, case_id: CaseId) -> dict[str, Any]:
    with Session(_runtime(request).engine) as session:
        case = Casebook(session).get(case_id)
    if case is None:
        raise HTTPException(404, f"无此案件 / no case {case_id}")
    check(user, Action.READ_CASES, Scope(case.village, case.lead_unit))
    return view(case, local_date(now()))


@router.get("/{case_id}/history", summary="案件历史 / every event of the case, in order")
def get_history(request: Request, user: Caller, case_id: CaseId) -> list[dict[str, Any]]:
    check(user, Action.READ_HISTORY)
    with Session(_runtime(request).engine) as session:
        rows = session.exec(
            select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(col(CaseEventRow.n))
        ).all()
    if not rows:
        raise HTTPException(404, f"无此案件 / no case {case_id}")
    return [{"seq": r.seq, **json.loads(r.body)} for r in rows]


@router.post("/{case_id}/assign", summary="分派 / set the lead unit and 责任人")
async def assign(request: Request, user: Caller, case_id: CaseId, body: AssignBody) -> dict[str, Any]:
    return await _act(request, user, case_id, Action.ASSIGN, cmd.Assign(body.lead_unit, body.person, body.note), body)


@router.post("/{case_id}/start", summary="开始整改 / start rectifying")
async def start(request: Request, user: Caller, case_id: CaseId, body: MeasuresBody) -> dict[str, Any]:
    return await _act(request, user, case_id, Action.START, cmd.StartRectification(body.measures), body)


@router.post("/{case_id}/rectified", summary="已整改待验收 / report rectified")
async def rectified(request: Request, user: Caller, case_id: CaseId, body: RectifiedBody) -> dict[str, Any]:
    await _stored(_runtime(request), body.evidence)
    command = cmd.ReportRectified(body.measures, body.evidence, body.location)
    return await _act(request, user, case_id, Action.REPORT_RECTIFIED, command, body)


async def _stored(runtime: Runtime, given: tuple[Evidence, ...]) -> None:
    """A report names only evidence in the bucket, as it was stored: 422 naming the first that is not."""
    if not given:
        return
    store = await evidence.bucket(runtime.broker.connection, runtime.settings.stream_replicas)
    for item in given:
        if await evidence.find(store, item.sha256) != item:
            raise HTTPException(
                422,
                {
                    "zh": f"佐证 {item.sha256[:12]} 未上传或与上传的不符，请重新上传",
                    "en": f"evidence {item.sha256[:12]} is not stored as given; upload it again",
                },
            )


@router.post("/{case_id}/verify", summary="验收 / verify: 销号 or 验收不通过")
async def verify(request: Request, user: Caller, case_id: CaseId, body: VerifyBody) -> dict[str, Any]:
    return await _act(request, user, case_id, Action.VERIFY, cmd.Verify(body.passed, body.reason), body)


@router.post("/{case_id}/escalate", summary="上报县级 / escalate to the county")
async def escalate(request: Request, user: Caller, case_id: CaseId, body: EscalateBody) -> dict[str, Any]:
    return await _act(request, user, case_id, Action.ESCALATE, cmd.Escalate(body.county_unit, body.reason), body)


@router.post(
    "/{case_id}/answer",
    summary="县级答复 / the county's answer to an escalation",
    description="A county user answers; a station user may only enter an answer the county gave on paper, "
    "with `entered_for` naming its answerer. Accepting puts the case in 县级已受理.",
)
async def answer(request: Request, user: Caller, case_id: CaseId, body: AnswerBody) -> dict[str, Any]:
    county = user.role is Role.COUNTY
    return await _act(
        request,
        user,
        case_id,
        Action.ANSWER_ESCALATION if county or body.entered_for is None else Action.ENTER_COUNTY_ANSWER,
        cmd.AnswerEscalation(
            body.accepted,
            body.new_deadline,
            body.note,
            by="county" if county else "station",
            entered_for=body.entered_for,
        ),
        body,
    )


@router.post("/{case_id}/extend", summary="延期 / extend the deadline (reason required)")
async def extend(request: Request, user: Caller, case_id: CaseId, body: ExtendBody) -> dict[str, Any]:
    return await _act(
        request, user, case_id, Action.EXTEND_DEADLINE, cmd.ExtendDeadline(body.new_deadline, body.reason), body
    )


@router.post("/{case_id}/dismiss", summary="不属实 / dismiss with a reason")
async def dismiss(request: Request, user: Caller, case_id: CaseId, body: DismissBody) -> dict[str, Any]:
    return await _act(request, user, case_id, Action.DISMISS, cmd.Dismiss(body.reason), body)
