"""我的待办's bulk bar: the station ticks cases and assigns, extends or escalates them at once. Each case
is one call to rectify's own endpoint, exactly as its case page would make it (one event, one
permission check, one `expected_seq` each), and the answer page lists every case, done or why not."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from services.workbench.adapters.services import ServiceDown
from services.workbench.adapters.sessions import SignedIn
from services.workbench.domain import bulk
from services.workbench.domain.forms import endpoint
from services.workbench.pages import ACTION_LABELS, _error
from services.workbench.web import form_of, render, service, signed_in

router = APIRouter(include_in_schema=False)
Person = Annotated[SignedIn, Depends(signed_in)]


@router.post("/work/bulk")
async def act_on_many(request: Request, person: Person) -> Response:
    form = await form_of(request, person.csrf)
    action = form.get("action", "")
    if action not in bulk.offered(person.user):
        return render(request, "error.html", 403, me=person, error="无权批量办理 / you may not act on many cases")
    ticked = [v for v in (await request.form()).getlist("case") if isinstance(v, str)]
    try:
        sends = bulk.requests(action, form, bulk.picked(ticked))
    except bulk.BulkError as err:
        return render(request, "error.html", 400, me=person, error=str(err))
    api = service(request, person, "rectify")

    def send(case: bulk.Picked, body: dict[str, object]) -> bulk.Outcome:
        try:
            reply = api.post(f"/cases/{case.case_id}/{endpoint(action)}", body)
        except ServiceDown as err:
            return bulk.Outcome(case.case_id, False, f"{err.service} 服务暂时无法访问 / {err.service} is not answering")
        answer = reply.json() if reply.status_code == 200 else None
        return bulk.outcome(case, reply.status_code, answer, _error(reply))

    # One case after another, off the event loop: the calls block, and order keeps the page's order.
    outcomes = await run_in_threadpool(lambda: [send(case, body) for case, body in sends])
    return render(
        request,
        "bulk.html",
        me=person,
        label=ACTION_LABELS[action],
        outcomes=outcomes,
        done=sum(o.done for o in outcomes),
    )
