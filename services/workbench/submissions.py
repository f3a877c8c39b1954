"""报送: a village or unit hands in its half-month's forms, the station sees who has and has not and reviews or
returns them and hands in the town's summary, the county receives it; the plan's milestones on top.
Everything comes from reporting's API as the signed-in person; which buttons a row has follows from its
state and the person's role, and reporting checks the same again. A village uploads its 书面报告 here and
whoever may see the row downloads it; reporting reads the type from the bytes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lookback.auth.users import Role
from lookback.calendar import Period, period_of
from lookback.clock import local_date, now
from services.workbench.adapters.services import Service, error_of
from services.workbench.adapters.sessions import SignedIn
from services.workbench.pages import Person
from services.workbench.web import HEADERS, form_of, redirect, render, service, upload_of

router = APIRouter(include_in_schema=False)
VERDICTS = {"review": "审核通过", "return": "退回", "receive": "接收"}
FORM_LABELS = {"problems": "问题清单", "ledger": "整改台帐", "summary": "问题排查情况汇总表"}


def _reporting(request: Request, person: SignedIn) -> Service:
    return service(request, person, "reporting")


def _period(text: str | None) -> Period:
    try:
        return Period.parse(text) if text else period_of(local_date(now()))
    except ValueError:
        return period_of(local_date(now()))


def actions(row: dict[str, Any], role: Role) -> list[str]:
    """What this person may do on the row now: the verdicts of its reviewer (the station for a village or
    unit, the county for the station's summary) on a submitted row."""
    if row["state"] != "submitted":
        return []
    reviewer = Role.COUNTY if row["org_kind"] == "station" else Role.STATION
    if role is not reviewer:
        return []
    return ["receive", "return"] if reviewer is Role.COUNTY else ["review", "return"]


def _page(request: Request, person: SignedIn, period: Period, status: int = 200, error: str = "") -> Response:
    api = _reporting(request, person)
    reply = api.get("/submissions", {"period": period.code})
    if reply.status_code != 200:
        return render(request, "error.html", reply.status_code, me=person, error=error_of(reply))
    body = reply.json()
    mine = person.user.role in (Role.VILLAGE, Role.UNIT, Role.STATION)
    own_kind = {Role.VILLAGE: "village", Role.UNIT: "unit", Role.STATION: "station"}.get(person.user.role)
    own = next((r for r in body["submissions"] if mine and r["org_kind"] == own_kind), None)
    milestones = api.get("/submissions/milestones")
    return render(
        request,
        "submissions.html",
        status,
        me=person,
        can_file_report=own is not None and own["org_kind"] == "village",
        body=body,
        own=own,
        can_submit=own is not None and own["state"] in ("pending", "returned"),
        rows=[(r, actions(r, person.user.role)) for r in body["submissions"] if r is not own],
        verdicts=VERDICTS,
        form_labels=FORM_LABELS,
        milestones=milestones.json()["milestones"] if milestones.status_code == 200 else [],
        period_code=period.code,
        error=error,
    )


@router.get("/submissions")
def submissions_page(request: Request, person: Person, period: str | None = None) -> Response:
    return _page(request, person, _period(period))


@router.post("/submissions")
async def submit(request: Request, person: Person) -> Response:
    form = await form_of(request, person.csrf)
    period = _period(form.get("period"))
    reply = _reporting(request, person).post(f"/submissions?period={quote(period.code)}")
    if reply.status_code != 200:
        return _page(request, person, period, reply.status_code if reply.status_code < 500 else 502, error_of(reply))
    return redirect(f"/submissions?period={period.code}")


@router.post("/submissions/{sid}/{verdict}")
async def decide(request: Request, person: Person, sid: str, verdict: str) -> Response:
    form = await form_of(request, person.csrf)
    period = _period(form.get("period"))
    if verdict not in VERDICTS:
        return render(request, "error.html", 404, me=person, error="没有这个操作 / no such action")
    reply = _reporting(request, person).post(f"/submissions/{quote(sid)}/{verdict}", {"reason": form.get("reason", "")})
    if reply.status_code != 200:
        return _page(request, person, period, reply.status_code if reply.status_code < 500 else 502, error_of(reply))
    return redirect(f"/submissions?period={period.code}")


@router.post("/submissions/written-report")
async def file_written_report(request: Request, person: Person) -> Response:
    form, files = await upload_of(request, person.csrf)
    period = _period(form.get("period"))
    if not files:
        return _page(request, person, period, 422, "请选择书面报告文件 / choose the written report's file")
    file = files[0]
    reply = _reporting(request, person).post(
        f"/submissions/written-report?period={quote(period.code)}",
        files={"file": (file.filename, await file.read(), file.content_type or "application/octet-stream")},
    )
    if reply.status_code != 200:
        return _page(request, person, period, reply.status_code if reply.status_code < 500 else 502, error_of(reply))
    return redirect(f"/submissions?period={period.code}")


@router.get("/submissions/{sid}/written-report")
def written_report(request: Request, person: Person, sid: str) -> Response:
    """Fetched from reporting as the person; reporting's type and download name go through, with the
    workbench's own headers (no-sniff among them)."""
    reply = _reporting(request, person).get(f"/submissions/{quote(sid)}/written-report")
    if reply.status_code != 200:
        return render(request, "error.html", reply.status_code, me=person, error=error_of(reply))
    name = {"Content-Disposition": reply.headers["content-disposition"]}
    return Response(reply.content, media_type=reply.headers.get("content-type"), headers=HEADERS | name)
