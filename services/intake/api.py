"""HTTP API of intake: roster imports (streamed progress) and single households."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import StreamingResponse

from lookback.auth.fastapi import require
from lookback.auth.policy import Action
from lookback.auth.users import User
from services.intake.domain.errors import NotARoster
from services.intake.importer import Progress, import_id_of, parse, publish_import, save_files

router = APIRouter(tags=["intake"])


async def _ndjson(progress: AsyncIterator[Progress]) -> AsyncIterator[bytes]:
    try:
        async for step in progress:
            yield (json.dumps(step, ensure_ascii=False) + "\n").encode()
    except Exception as err:  # the client must hear why its import stopped
        yield (json.dumps({"error": f"导入中断 / import stopped: {type(err).__name__}"}) + "\n").encode()
        raise


@router.post(
    "/imports",
    summary="导入花名册 / import a roster",
    description="Multipart upload of one .xlsx or CSV files (人口明细, 村级信息). The response streams progress as "
    "NDJSON lines and ends with a line holding the summary (accepted and rejected rows).",
)
async def post_import(
    request: Request,
    user: Annotated[User, Depends(require(Action.IMPORT_ROSTER))],
    files: Annotated[list[UploadFile], File(description="Roster files")],
    as_of: Annotated[date, Form(description="The roster's reference date")],
    partial: Annotated[bool, Form(description="The files hold part of the town; remove no household")] = False,
) -> StreamingResponse:
    runtime = request.app.state.runtime
    contents = [(f.filename or "roster", await f.read()) for f in files]
    import_id = import_id_of(contents, as_of, partial)
    paths = save_files(runtime, contents, import_id)
    try:
        parsed = await parse(paths)
    except NotARoster as err:
        raise HTTPException(422, str(err)) from err
    progress = publish_import(runtime, parsed, paths, import_id, as_of, partial, user.actor)
    return StreamingResponse(_ndjson(progress), media_type="application/x-ndjson")
