"""整改佐证 over HTTP: a photo or document is uploaded before the 报告整改完成 that names it, and read
back by whoever may read the case. Only what the upload rules (`domain/uploads.py`) made of it is
stored; a PDF goes out only as a download, so no browser renders a document as a page of ours."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session, col, select

from lookback.auth.fastapi import check, current_user
from lookback.auth.policy import Action, Scope
from lookback.auth.users import User
from lookback.cases.state import Case
from lookback.contracts.rectify import Evidence
from lookback.service import Runtime
from services.rectify.adapters import evidence as bucket
from services.rectify.adapters.casebook import Casebook
from services.rectify.adapters.tables import CaseEventRow
from services.rectify.api import CaseId
from services.rectify.domain.uploads import UploadRefused, accept

router = APIRouter(prefix="/cases", tags=["evidence"])
Caller = Annotated[User, Depends(current_user)]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the stored bytes")]


def _case(runtime: Runtime, case_id: str) -> Case:
    with Session(runtime.engine) as session:
        case = Casebook(session).get(case_id)
    if case is None:
        raise HTTPException(404, f"无此案件 / no case {case_id}")
    return case


@router.post("/{case_id}/evidence", summary="上传整改佐证 / upload a photo or a PDF for a rectification report")
async def upload(request: Request, user: Caller, case_id: CaseId, file: UploadFile) -> Evidence:
    runtime: Runtime = request.app.state.runtime
    case = _case(runtime, case_id)
    check(user, Action.REPORT_RECTIFIED, Scope(case.village, case.lead_unit))
    limit = runtime.settings.evidence_max_bytes
    data = await file.read(limit + 1)
    try:
        stored = accept(data, limit)
    except UploadRefused as err:
        raise HTTPException(err.status, {"zh": err.zh, "en": err.en}) from None
    found = stored.evidence
    store = await bucket.bucket(runtime.broker.connection, runtime.settings.stream_replicas)
    await bucket.put(store, stored.data, found)
    return found


@router.get("/{case_id}/evidence/{sha256}", summary="整改佐证 / a photo or document the case's events name")
async def download(request: Request, user: Caller, case_id: CaseId, sha256: Sha256) -> Response:
    runtime: Runtime = request.app.state.runtime
    case = _case(runtime, case_id)
    check(user, Action.READ_CASES, Scope(case.village, case.lead_unit))
    named = _named(runtime, case_id).get(sha256)
    store = await bucket.bucket(runtime.broker.connection, runtime.settings.stream_replicas)
    data = await bucket.read(store, sha256) if named else None
    if named is None or data is None:
        raise HTTPException(404, {"zh": "此案件没有这份佐证", "en": "the case names no such evidence"})
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400, immutable"}
    if named.media_type == "application/pdf":
        headers["Content-Disposition"] = f'attachment; filename="{sha256[:12]}.pdf"'
    return Response(data, media_type=named.media_type, headers=headers)


def _named(runtime: Runtime, case_id: str) -> dict[str, Evidence]:
    """The evidence the case's own events name: a hash of another case's photo reads nothing here."""
    with Session(runtime.engine) as session:
        bodies = session.exec(select(CaseEventRow.body).where(col(CaseEventRow.case_id) == case_id)).all()
    named = {}
    for body in bodies:
        for item in json.loads(body).get("payload", {}).get("evidence", ()):
            named[item["sha256"]] = Evidence.model_validate(item)
    return named
