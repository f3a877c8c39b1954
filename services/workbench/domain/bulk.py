"""Acting on many cases at once from 我的待办 (改派, 延期, 上报县级): one form becomes one request per case,
each carrying the sequence its row showed, so every case gets its own event, its own permission check
and its own refusal. Whether a case may take the action is rectify's answer for that case, never
decided here; this only turns the form into the same bodies the case page sends."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lookback.auth.policy import Action, allowed
from lookback.auth.users import User
from lookback.ids import CASE_ID
from services.workbench.domain.forms import action_body

ACTIONS: dict[str, Action] = {
    "assign": Action.ASSIGN,
    "extend": Action.EXTEND_DEADLINE,
    "escalate": Action.ESCALATE,
}
"""The actions the bulk bar offers, with the permission each needs anywhere in the town."""

_PICK = re.compile(rf"({CASE_ID.pattern}) (\d+) (\d{{4}}-\d{{2}}-\d{{2}})")


class BulkError(ValueError):
    """The form as a whole cannot be sent (nothing was); bilingual, safe to show."""


@dataclass(frozen=True)
class Picked:
    """A ticked row: the case, the last sequence the row showed, and the deadline it showed."""

    case_id: str
    seq: int
    deadline: date


@dataclass(frozen=True)
class Outcome:
    case_id: str
    done: bool
    message: str


def offered(user: User) -> list[str]:
    """The bulk actions this person may take town-wide; a cadre or an officer gets none."""
    return [name for name, action in ACTIONS.items() if allowed(user, action)]


def value(case_id: str, seq: int, deadline: str) -> str:
    """A row's checkbox value, read back by `picked`."""
    return f"{case_id} {seq} {deadline}"


def picked(values: list[str]) -> list[Picked]:
    """The ticked rows, each once, in the order of the page."""
    found: dict[str, Picked] = {}
    for raw in values:
        match = _PICK.fullmatch(raw)
        if match is None:
            raise BulkError("选择的案件有误，请刷新后重试 / a selected case is malformed: reload and retry")
        try:
            day = date.fromisoformat(match[3])
        except ValueError:
            raise BulkError("选择的案件有误，请刷新后重试 / a selected case is malformed: reload and retry") from None
        found.setdefault(match[1], Picked(match[1], int(match[2]), day))
    if not found:
        raise BulkError("请先勾选案件 / tick at least one case first")
    return list(found.values())


def _fields(action: str, form: dict[str, str]) -> dict[str, str]:
    """The bar's fields of `action` (`extend.reason` → `reason`), the names the case page's forms use."""
    prefix = f"{action}."
    return {k.removeprefix(prefix): v.strip() for k, v in form.items() if k.startswith(prefix)}


def _extension(fields: dict[str, str]) -> int | None:
    """Days to add to each case's own deadline, or None when one new deadline is given for all."""
    days, deadline = fields.get("days", ""), fields.get("new_deadline", "")
    if bool(days) == bool(deadline):
        raise BulkError("请填写新整改时限或延期天数（二选一） / give either a new deadline or a number of days")
    if not days:
        return None
    if not days.isdigit() or not 1 <= int(days) <= 366:
        raise BulkError("延期天数须为 1-366 的整数 / days must be a whole number from 1 to 366")
    return int(days)


def requests(action: str, form: dict[str, str], cases: list[Picked]) -> list[tuple[Picked, dict[str, Any]]]:
    """Each case with the body of its own request to rectify; raises `BulkError` before anything is sent."""
    if action not in ACTIONS:
        raise BulkError("没有这个批量操作 / no such bulk action")
    fields = _fields(action, form)  # blanks go on: rectify's refusal names what is missing, case by case
    days = _extension(fields) if action == "extend" else None
    out = []
    for case in cases:
        own = dict(fields, expected_seq=str(case.seq))
        if days is not None:
            own["new_deadline"] = (case.deadline + timedelta(days=days)).isoformat()
        body = action_body(action, own)
        assert body is not None  # every bulk action is one of the case page's
        out.append((case, body))
    return out


def outcome(case: Picked, status: int, reply: dict[str, Any] | None, error: str) -> Outcome:
    """What became of one case: done with its new state, or why not in rectify's words (`error`)."""
    if status == 200 and reply is not None:
        state, unit, deadline = (reply.get(k, "") for k in ("status_label", "lead_unit", "deadline"))
        return Outcome(case.case_id, True, f"已办理：{state}，牵头单位 {unit}，时限 {deadline}")
    return Outcome(case.case_id, False, error)
