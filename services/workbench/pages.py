"""我的待办 and the case page. Everything shown comes from rectify's API as the signed-in person, and
every button posts the same command as the CLI; which buttons a case has is rectify's answer
(`/cases/{id}/timeline`: `actions`), never worked out here."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from lookback.catalogue import load as load_catalogue
from lookback.clock import local_date, now
from lookback.contracts.digests import count_labels
from lookback.contracts.rectify import STATUS_LABELS
from services.workbench.adapters.services import Service, error_of
from services.workbench.adapters.sessions import SignedIn
from services.workbench.domain import bulk, worklist
from services.workbench.domain.forms import action_body, endpoint
from services.workbench.web import HEADERS, form_of, redirect, render, service, signed_in

router = APIRouter(include_in_schema=False)
Person = Annotated[SignedIn, Depends(signed_in)]
ACTION_LABELS = {
    "start": "开始整改",
    "rectified": "报告整改完成",
    "verify": "验收",
    "escalate": "上报县级",
    "answer": "县级答复",
    "enter_answer": "录入县级答复",
    "extend": "延期",
    "assign": "改派",
    "dismiss": "认定不属实",
}


def _rectify(request: Request, person: SignedIn) -> Service:
    return service(request, person, "rectify")


@router.get("/")
def home(person: Person) -> Response:
    return redirect("/work")


@router.get("/work")
def work(request: Request, person: Person) -> Response:
    query = dict(request.query_params)
    reply = _rectify(request, person).get("/worklist", worklist.api_params(query))
    if reply.status_code != 200:
        return render(request, "error.html", reply.status_code, me=person, error=error_of(reply))
    body = reply.json()
    digest = _rectify(request, person).get("/digests/mine")
    mine = digest.json()["digest"] if digest.status_code == 200 else None
    filters = worklist.chosen(query)
    page = worklist.page_number(query)
    catalogue = load_catalogue()
    return render(
        request,
        "work.html",
        me=person,
        body=body,
        filters=filters,
        cards=[(label, body["counts"][key], worklist.link(f)) for key, label, f in worklist.CARDS],
        page=page,
        pages=worklist.pages(body["total"]),
        prev_link=worklist.link(filters, page - 1) if page > 1 else None,
        next_link=worklist.link(filters, page + 1) if page < worklist.pages(body["total"]) else None,
        items={n: catalogue.item(n).name for n in sorted({c["item"] for c in body["cases"]})},
        statuses=list(STATUS_LABELS.items()),
        bulk=bulk.offered(person.user),
        pick=bulk.value,
        digest=mine,
        digest_counts=count_labels(mine["owner_kind"]) if mine else (),
    )


def _case_page(request: Request, person: SignedIn, case_id: str, status: int = 200, **extra: Any) -> Response:
    api = _rectify(request, person)
    reply = api.get(f"/cases/{case_id}")
    if reply.status_code != 200:
        return render(request, "error.html", reply.status_code, me=person, error=error_of(reply))
    case = reply.json()
    timeline = api.get(f"/cases/{case_id}/timeline").json()
    item = load_catalogue().item(case["item"])
    days_left = (date.fromisoformat(case["deadline"]) - local_date(now())).days
    return render(
        request,
        "case.html",
        status,
        me=person,
        case=case,
        item=item,
        days_left=days_left,
        timeline=timeline,
        actions=[(a, ACTION_LABELS[a]) for a in timeline["actions"]],
        **extra,
    )


@router.get("/cases/{case_id}")
def case_page(request: Request, person: Person, case_id: str) -> Response:
    return _case_page(request, person, case_id)


@router.post("/cases/{case_id}/{action}")
async def act(request: Request, person: Person, case_id: str, action: str) -> Response:
    form = await form_of(request, person.csrf)
    body = action_body(action, form)
    if body is None:
        return render(request, "error.html", 404, me=person, error="没有这个操作 / no such action")
    api = _rectify(request, person)
    uploaded = await _upload_evidence(request, api, case_id) if action == "rectified" else []
    if isinstance(uploaded, list):
        body |= {"evidence": uploaded} if uploaded else {}
        reply = api.post(f"/cases/{case_id}/{endpoint(action)}", body)
    else:
        reply = uploaded
    if reply.status_code == 200:
        return redirect(f"/cases/{case_id}")
    detail = (
        reply.json().get("detail") if reply.headers.get("content-type", "").startswith("application/json") else None
    )
    changed = detail.get("changed") if isinstance(detail, dict) else None
    return _case_page(
        request,
        person,
        case_id,
        reply.status_code if reply.status_code < 500 else 502,
        error=error_of(reply),
        changed=changed,
        retry={"action": action, "form": form} if changed is not None else None,
    )


async def _upload_evidence(request: Request, api: Service, case_id: str) -> list[dict[str, Any]] | httpx.Response:
    """Each chosen file goes to rectify first, which stores what its upload rules make of it; the report
    then names what was stored. The first refusal is rectify's answer to the whole form."""
    stored = []
    for file in (await request.form()).getlist("evidence"):
        if not isinstance(file, UploadFile) or not file.filename:
            continue  # the file input left empty
        content = await file.read()
        reply = api.post(
            f"/cases/{case_id}/evidence",
            files={"file": (file.filename, content, file.content_type or "application/octet-stream")},
        )
        if reply.status_code != 200:
            return reply
        stored.append(reply.json())
    return stored


@router.get("/cases/{case_id}/evidence/{sha256}")
def evidence(request: Request, person: Person, case_id: str, sha256: str) -> Response:
    """The browser has no bearer token: the page fetches the photo from rectify as the person, who must
    be allowed to read the case; rectify's type and its download header (a PDF) go through unchanged, and
    the workbench's own headers (no-sniff among them) are added as on every page."""
    reply = _rectify(request, person).get(f"/cases/{case_id}/evidence/{sha256}")
    if reply.status_code != 200:
        return render(request, "error.html", reply.status_code, me=person, error=error_of(reply))
    download = (
        {"Content-Disposition": reply.headers["content-disposition"]} if "content-disposition" in reply.headers else {}
    )
    return Response(reply.content, media_type=reply.headers.get("content-type"), headers=HEADERS | download)
