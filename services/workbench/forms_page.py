"""报表下载: the forms the signed-in person may download, for every half month reporting knows.

Which forms, and for which village or unit, is reporting's answer (`GET /reports/exports`), and each
download is fetched from reporting as the person (the browser has no bearer token), so reporting's policy
decides, masking included; the file goes back to the browser as reporting sent it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.workbench.adapters.sessions import SignedIn
from services.workbench.pages import _error
from services.workbench.web import HEADERS, render, service, signed_in

router = APIRouter(include_in_schema=False)
Person = Annotated[SignedIn, Depends(signed_in)]
KINDS = ("problems", "ledger", "summary")
FORMATS = {"xlsx": "Excel", "csv": "CSV"}
PASSED_ON = ("content-type", "content-disposition", "lb-check-code")


@router.get("/forms")
def forms(request: Request, person: Person) -> Response:
    reply = service(request, person, "reporting").get("/reports/exports")
    if reply.status_code != 200:
        return render(request, "error.html", reply.status_code, me=person, error=_error(reply))
    offered = reply.json()
    return render(
        request,
        "forms.html",
        me=person,
        periods=[(code, offered["labels"][code]) for code in reversed(offered["periods"])],
        forms=offered["forms"],
        formats=FORMATS,
    )


@router.get("/forms/{kind}")
def download(request: Request, person: Person, kind: str) -> Response:
    if kind not in KINDS:
        return render(request, "error.html", 404, me=person, error="没有这种报表 / no such form")
    wanted = {k: v for k, v in request.query_params.items() if k in ("period", "format", "village", "unit")}
    reply = service(request, person, "reporting").get(f"/reports/exports/{kind}", wanted)
    if reply.status_code != 200:
        return render(request, "error.html", reply.status_code, me=person, error=_error(reply))
    passed = {k: v for k, v in reply.headers.items() if k.lower() in PASSED_ON}
    return Response(reply.content, headers={**HEADERS, **passed})
