"""HTTP API of intake for issues reported by hand: one issue as JSON, or a whole 问题清单 file.

Both check a report exactly as a 问题清单 row is checked, so a refused report reads the same (422,
Chinese and English) however it came. A village cadre reports only for their own village: a single
report for another place is refused (403); in a list, such a row is rejected and kept like any bad row.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, Response, UploadFile
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from lookback.auth.fastapi import check, current_user
from lookback.auth.policy import Action, Scope, allowed
from lookback.auth.users import User
from lookback.clock import local_date, now
from services.intake.adapters.problem_lists import read_problem_list
from services.intake.domain.errors import NotAProblemList
from services.intake.domain.faults import Fault
from services.intake.domain.issue_columns import (
    DEADLINE,
    DESCRIPTION,
    FOUND_ON,
    HOUSEHOLD_ID,
    ITEM,
    LEAD_UNIT,
    MEASURES,
    PERSON,
    PLACE,
)
from services.intake.domain.issues import issue_cells, read_issue
from services.intake.importer import import_id_of, save_files
from services.intake.issues import current_places, import_problem_list, report_issue
from services.intake.uploads import read_uploads

router = APIRouter(tags=["issues"])


_FIELDS = {
    PLACE: "village_or_unit",
    ITEM: "item",
    DESCRIPTION: "description",
    FOUND_ON: "found_on",
    HOUSEHOLD_ID: "household_id",
    LEAD_UNIT: "lead_unit",
    PERSON: "person",
    DEADLINE: "deadline",
    MEASURES: "measures",
}


def _field(column: str, description: str) -> Any:
    """Each field also takes its 问题清单 column name, so a client can send a sheet row as it is."""
    return Field(None, validation_alias=AliasChoices(_FIELDS[column], column), description=f"{column}: {description}")


class IssueReport(BaseModel):
    """One issue. Every field may be missing here: the 问题清单 checks say what is required, bilingually."""

    model_config = ConfigDict(extra="forbid")

    village_or_unit: str | None = _field(PLACE, "a village of the town or a unit (required)")
    item: int | str | None = _field(ITEM, "item 1–34 of the plan (required)")
    description: str | None = _field(DESCRIPTION, "what is wrong (required)")
    found_on: str | None = _field(
        FOUND_ON, "date found, YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日 or YYYYMMDD; not after today (required)"
    )
    household_id: str | None = _field(HOUSEHOLD_ID, "the household it is about")
    lead_unit: str | None = _field(LEAD_UNIT, "the unit to answer for it; default the item's lead unit")
    person: str | None = _field(PERSON, "the person to answer for it")
    deadline: str | None = _field(DEADLINE, "rectification deadline; default by the item's policy")
    measures: str | None = _field(MEASURES, "planned measures")

    def cells(self) -> dict[str, str]:
        return issue_cells({column: getattr(self, name) for column, name in _FIELDS.items()})


def _home(user: User) -> Scope | None:
    """Where a user reports by default: a cadre's own village; the whole town for everyone else."""
    return Scope(user.village) if user.village else None


@router.post(
    "/issues",
    status_code=201,
    summary="上报问题 / report an issue",
    description="One issue of any of the 34 items. 201 with its id when new; 200 when the same reporter "
    "already reported the same issue (nothing is published). 422 names the column at fault.",
)
async def post_issue(
    request: Request, response: Response, body: IssueReport, user: Annotated[User, Depends(current_user)]
) -> dict[str, Any]:
    check(user, Action.REPORT_ISSUE, _home(user))
    runtime = request.app.state.runtime
    draft = read_issue(body.cells(), current_places(runtime), today=local_date(now()))
    if isinstance(draft, Fault):
        raise HTTPException(422, str(draft))
    check(user, Action.REPORT_ISSUE, Scope(draft.village))
    result = await report_issue(runtime, draft, user.actor)
    if not result["new"]:
        response.status_code = 200
    return result


@router.post(
    "/issue-lists",
    summary="导入问题清单 / import a problem list",
    description="Multipart upload of one .xlsx (sheet 问题清单) or CSV file (UTF-8, BOM or GBK). Returns the "
    "summary: accepted and rejected rows (sheet, row, column, reason), new and already-known issues.",
)
async def post_issue_list(
    request: Request,
    user: Annotated[User, Depends(current_user)],
    file: Annotated[UploadFile, File(description="问题清单 file")],
) -> dict[str, Any]:
    check(user, Action.REPORT_ISSUE, _home(user))
    runtime = request.app.state.runtime
    [content] = await read_uploads([file], request.app.state.limits)
    name = file.filename or "问题清单.csv"
    import_id = import_id_of([(name, content)], "issues", user.actor)
    [path] = save_files(runtime, [(name, content)], import_id)

    def may_report(village: str) -> bool:
        return allowed(user, Action.REPORT_ISSUE, Scope(village))

    try:
        parsed = await asyncio.to_thread(
            read_problem_list, path, current_places(runtime), may_report, local_date(now())
        )
    except NotAProblemList as err:
        raise HTTPException(422, str(err)) from err
    return await import_problem_list(runtime, parsed, path, import_id, user.actor)
