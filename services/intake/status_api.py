"""HTTP API of intake for imports already sent: the summary an import filed, so a page that started one
can poll until it is done and offer its rejected rows again later (docs/forms.md).

The station reads every import; anyone else only the 问题清单 they sent themselves. An import that is
still running, or that this reader may not see, is not found: whether someone else's import exists is
not theirs to learn.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request

from lookback.auth.fastapi import current_user
from lookback.auth.policy import Action, allowed
from lookback.auth.users import User
from services.intake.importer import read_summary

router = APIRouter(tags=["imports"])


def readable(user: User, summary: dict[str, Any]) -> bool:
    return allowed(user, Action.IMPORT_ROSTER) or summary.get("reporter") == user.actor


@router.get(
    "/imports/{import_id}",
    summary="导入结果 / an import's summary",
    description="The summary an import filed (the roster's or the 问题清单's, as its POST returned it), once it "
    "is done or was refused. 404 while it runs, or when there is no such import this user may read.",
)
def get_import(request: Request, import_id: str, user: Annotated[User, Depends(current_user)]) -> dict[str, Any]:
    summary = read_summary(request.app.state.runtime.settings.data_dir, import_id)
    if summary is None or not readable(user, summary):
        raise HTTPException(404, "没有这次导入，或尚未完成 / no such import, or it is not done yet")
    return summary
