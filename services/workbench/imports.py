"""花名册导入 and the results of every import: the station sends a roster to intake's `POST /imports`
with the browser showing the upload's progress, then the page polls the import's own progress (one line
per published chunk) until intake has filed its summary, whose rejected rows are a table and an .xlsx.

Who may import is intake's decision, asked again on every call: the page only hides what the person's
role could not do anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from lookback.auth.policy import Action
from lookback.downloads import XLSX, disposition
from lookback.spreadsheets import xlsx_of
from services.workbench.adapters.import_runs import ImportRuns, Refused
from services.workbench.adapters.services import error_of
from services.workbench.adapters.sessions import SignedIn
from services.workbench.domain import imports
from services.workbench.web import HEADERS, may, render, service, signed_in, upload_of

router = APIRouter(include_in_schema=False)
Person = Annotated[SignedIn, Depends(signed_in)]
NOT_YOURS = "只有扶贫工作站可以导入花名册 / only the station imports rosters"
MISSING = "请选择花名册文件并填写基准日期 / choose the roster's files and give its as-of date"


def _runs(request: Request) -> ImportRuns:
    return request.app.state.import_runs  # type: ignore[no-any-return]


def result(
    request: Request, person: SignedIn, whole: Callable[..., Response], status: int = 200, **values: Any
) -> Response:
    """htmx swaps in an import's result alone; a browser without script gets `whole(status, **values)`,
    the page around it."""
    if request.headers.get("HX-Request") == "true":  # htmx swaps only 2xx: the fragment says what failed
        return render(request, "import_result.html", me=person, **values)
    return whole(status, **values)


def _roster_page(request: Request, person: SignedIn) -> Callable[..., Response]:
    def whole(status: int, **values: Any) -> Response:
        return render(request, "imports.html", status, me=person, **values)

    return whole


@router.get("/imports/roster")
def roster_form(request: Request, person: Person) -> Response:
    if not may(person.user, Action.IMPORT_ROSTER):
        return render(request, "error.html", 403, me=person, error=NOT_YOURS)
    return render(request, "imports.html", me=person)


@router.post("/imports/roster")
async def send_roster(request: Request, person: Person) -> Response:
    form, files = await upload_of(request, person.csrf)
    data = imports.roster_fields(form)
    if not files or data is None:
        return result(request, person, _roster_page(request, person), 422, error=MISSING)
    sent = [("files", (f.filename, f.file, f.content_type or "application/octet-stream")) for f in files]
    api = service(request, person, "intake")
    started = await run_in_threadpool(_runs(request).send, api, files=sent, data=data)
    if isinstance(started, Refused):
        return result(request, person, _roster_page(request, person), started.status, refused=started.detail)
    return await run_in_threadpool(_state, request, person, started)


@router.get("/imports/{import_id}")
def import_status(request: Request, person: Person, import_id: str) -> Response:
    return _state(request, person, import_id)


def _state(request: Request, person: SignedIn, import_id: str) -> Response:
    """The import's progress while this workbench reads it, else the summary intake filed."""
    step = _runs(request).latest(import_id)
    if step is not None and "error" not in step:
        return result(
            request,
            person,
            _roster_page(request, person),
            import_id=import_id,
            step=step,
            percent=imports.percent(step),
        )
    reply = service(request, person, "intake").get(f"/imports/{import_id}")
    if reply.status_code != 200:
        error = step["error"] if step else error_of(reply)
        return result(request, person, _roster_page(request, person), reply.status_code, error=error)
    summary = reply.json()
    if refused := imports.refusal(summary):
        return result(request, person, _roster_page(request, person), 200, refused=refused)
    return result(
        request,
        person,
        _roster_page(request, person),
        200,
        import_id=import_id,
        summary=summary,
        counts=imports.counts(summary),
        rejects=imports.rejects(summary),
    )


@router.get("/imports/{import_id}/rejects.xlsx")
def rejects_download(request: Request, person: Person, import_id: str) -> Response:
    reply = service(request, person, "intake").get(f"/imports/{import_id}")
    if reply.status_code != 200:
        return render(request, "error.html", reply.status_code, me=person, error=error_of(reply))
    body = xlsx_of("被拒行", imports.REJECT_COLUMNS, imports.rejects(reply.json()))
    name = disposition(f"被拒行-{import_id}.xlsx", f"rejects-{import_id}.xlsx")
    return Response(body, media_type=XLSX, headers=HEADERS | {"Content-Disposition": name})


@router.get("/templates/{form}")
def template_download(request: Request, person: Person, form: str) -> Response:
    """Intake's blank form (roster or issues), passed on as intake names it: the person stays on the
    workbench's address."""
    reply = service(request, person, "intake").get(f"/templates/{form}")
    if reply.status_code != 200:
        return render(request, "error.html", 404, me=person, error="没有这个模板 / no such form")
    name = reply.headers.get("content-disposition", "attachment")
    return Response(reply.content, media_type=XLSX, headers=HEADERS | {"Content-Disposition": name})
