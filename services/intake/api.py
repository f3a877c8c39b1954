"""HTTP API of intake: roster imports (streamed progress) and single households."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from lookback.auth.fastapi import require
from lookback.auth.policy import Action
from lookback.auth.users import User
from lookback.catalogue import load as load_catalogue
from services.intake.domain.errors import NotARoster, NotImportable
from services.intake.domain.limits import ImportLimits
from services.intake.domain.refusal import refuse_full_roster
from services.intake.household_batcher import HouseholdBatcher, HouseholdSent
from services.intake.importer import (
    Progress,
    import_id_of,
    outcome_of,
    parse,
    plan_import,
    publish_import,
    record_refusal,
    save_files,
)
from services.intake.uploads import read_uploads

router = APIRouter(tags=["intake"])


async def _ndjson(progress: AsyncIterator[Progress]) -> AsyncIterator[bytes]:
    try:
        async for step in progress:
            yield (json.dumps(step, ensure_ascii=False) + "\n").encode()
    except Exception as err:  # the client must hear why its import stopped
        yield (json.dumps({"error": f"导入中断 / import stopped: {type(err).__name__}"}) + "\n").encode()
        raise


def in_campaign(as_of: date) -> None:
    calendar = load_catalogue().calendar
    if not calendar.in_campaign_years(as_of):
        first, last = calendar.investigation[0].year, calendar.rectification[1].year
        raise HTTPException(
            422, f"基准日期应在{first}至{last}年之间 / the as-of date must fall in {first}–{last}, the campaign's years"
        )


@router.post(
    "/imports",
    summary="导入花名册 / import a roster",
    description="Multipart upload of one .xlsx or CSV files (人口明细, 村级信息). The response streams progress as "
    "NDJSON lines and ends with a line holding the summary (accepted and rejected rows). A full roster that lacks "
    "a required column, has no acceptable row, or would remove too many households is refused whole (422, "
    "nothing published); an upload over the size caps gets 413.",
)
async def post_import(
    request: Request,
    user: Annotated[User, Depends(require(Action.IMPORT_ROSTER))],
    files: Annotated[list[UploadFile], File(description="Roster files")],
    as_of: Annotated[date, Form(description="The roster's reference date")],
    partial: Annotated[bool, Form(description="The files hold part of the town; remove no household")] = False,
    allow_removal: Annotated[
        bool, Form(description="A full roster may remove more than LOOKBACK_ROSTER_MAX_REMOVAL_SHARE of the households")
    ] = False,
) -> StreamingResponse:
    in_campaign(as_of)
    runtime = request.app.state.runtime
    limits: ImportLimits = request.app.state.limits
    uploads = await read_uploads(files, limits)
    contents = [(f.filename or "roster", content) for f, content in zip(files, uploads, strict=True)]
    import_id = import_id_of(contents, as_of, partial)
    paths = save_files(runtime, contents, import_id)
    try:
        parsed = await parse(paths)
    except NotARoster as err:
        raise HTTPException(422, str(err)) from err
    plan = await plan_import(runtime, parsed, import_id, as_of, partial, user.actor)
    if not partial and (
        refusal := refuse_full_roster(outcome_of(parsed, plan), limits.max_removal_share, allow_removal)
    ):
        record_refusal(parsed, plan, paths, import_id, as_of, refusal)
        raise HTTPException(422, str(refusal))
    progress = publish_import(runtime, parsed, plan, paths, import_id, as_of)
    return StreamingResponse(_ndjson(progress), media_type="application/x-ndjson")


class HouseholdBody(BaseModel):
    """One household as JSON: its 人口明细 rows with the roster's column names."""

    as_of: date = Field(description="The roster's reference date for this household")
    persons: list[dict[str, str | int | float]] = Field(
        min_length=1, description="One object per person row: column name → value, as in the 人口明细 sheet"
    )


@router.post(
    "/households",
    summary="登记一户 / record one household",
    description="The household goes through the same checks as a roster row (rejected rows are reported and kept) "
    "and is published only if it changed since the roster on record. Returns the import summary once its events "
    "are stored; nothing is filed under the import's id (GET /imports/{id} does not know it).",
)
async def post_household(
    request: Request, user: Annotated[User, Depends(require(Action.IMPORT_ROSTER))], body: HouseholdBody
) -> dict[str, Any]:
    in_campaign(body.as_of)
    header = sorted({column for row in body.persons for column in row})
    rows = [(n + 2, [str(row.get(column, "")) for column in header]) for n, row in enumerate(body.persons)]
    import_id = import_id_of([("household.json", body.model_dump_json().encode())], body.as_of, True)
    sent = HouseholdSent(body.as_of, header, rows, import_id, user.actor)
    households: HouseholdBatcher = request.app.state.households
    try:
        return await households.record(sent)
    except NotImportable as err:
        raise HTTPException(422, str(err)) from err
