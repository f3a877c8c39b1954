"""问题清单 entry: one problem by form, or a whole 问题清单 (.xlsx/CSV) with its blank template, through
intake's `POST /issues` and `POST /issue-lists` as the signed-in person. A village cadre reports for
their own village only: the form fixes the village, and intake refuses any other (403 for one problem,
a rejected row in a list)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from lookback.auth.policy import Action
from lookback.catalogue import load as load_catalogue
from services.workbench.adapters.services import error_of
from services.workbench.adapters.sessions import SignedIn
from services.workbench.domain import imports
from services.workbench.imports import result
from services.workbench.web import form_of, may, render, service, signed_in, upload_of

router = APIRouter(include_in_schema=False)
Person = Annotated[SignedIn, Depends(signed_in)]
NOT_YOURS = "您的角色不能上报问题 / your role does not report problems"


def _form(request: Request, person: SignedIn, status: int = 200, **values: Any) -> Response:
    if not may(person.user, Action.REPORT_ISSUE):
        return render(request, "error.html", 403, me=person, error=NOT_YOURS)
    catalogue = load_catalogue()
    return render(
        request,
        "issues.html",
        status,
        me=person,
        items=sorted(catalogue.items.values(), key=lambda i: i.number),
        places=[*catalogue.villages, *sorted(catalogue.units())],
        entered=values.pop("entered", {}),
        **values,
    )


@router.get("/issues")
def issue_form(request: Request, person: Person) -> Response:
    return _form(request, person)


@router.post("/issues")
async def report_issue(request: Request, person: Person) -> Response:
    form = await form_of(request, person.csrf)
    body = imports.issue_body(form, person.user.village)
    reply = await run_in_threadpool(service(request, person, "intake").post, "/issues", body)
    if reply.status_code in (200, 201):
        return _form(request, person, reported=reply.json())
    return _form(request, person, reply.status_code, issue_error=error_of(reply), entered=form)


@router.post("/issues/list")
async def send_issue_list(request: Request, person: Person) -> Response:
    _, files = await upload_of(request, person.csrf)
    whole = partial(_form, request, person)
    if len(files) != 1:
        return result(request, person, whole, 422, error="请选择一个问题清单文件 / choose one 问题清单 file")
    [f] = files
    sent = {"file": (f.filename, f.file, f.content_type or "application/octet-stream")}
    reply = await run_in_threadpool(service(request, person, "intake").post, "/issue-lists", files=sent)
    if reply.status_code != 200:
        return result(request, person, whole, reply.status_code, refused=error_of(reply))
    summary = reply.json()
    return result(
        request,
        person,
        whole,
        200,
        import_id=summary["import_id"],
        summary=summary,
        counts=imports.counts(summary),
        rejects=imports.rejects(summary),
    )
