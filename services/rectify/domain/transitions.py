"""Which command a case takes in which status: the plan's road from a problem to 销号 at a glance.

待整改 → 整改中 → 已整改待验收 → 已销号 (plan 三(二) 整改落实阶段), with 验收不通过 back to 整改中,
上报县级 and back or on to 县级已受理 (plan 四(二) 健全工作机制), and 不属实. A case moves only along
`ALLOWED`; anything else is refused before an event exists, so the log never holds a step the plan does
not allow.
"""

from __future__ import annotations

from lookback.cases.state import Case
from lookback.contracts.rectify import STATUS_LABELS, CaseStatus
from services.rectify.domain.commands import (
    AnswerEscalation,
    Assign,
    Command,
    Dismiss,
    Escalate,
    ExtendDeadline,
    ReportRectified,
    StartRectification,
    TransitionRefused,
    Verify,
)

OPEN: frozenset[CaseStatus] = frozenset({"pending", "in_progress", "rectified", "escalated", "county_accepted"})

ALLOWED: dict[type, frozenset[CaseStatus]] = {
    Assign: OPEN,
    StartRectification: frozenset({"pending"}),
    ReportRectified: frozenset({"pending", "in_progress", "county_accepted"}),
    Verify: frozenset({"rectified"}),
    Escalate: frozenset({"pending", "in_progress"}),
    AnswerEscalation: frozenset({"escalated"}),
    ExtendDeadline: OPEN,
    Dismiss: frozenset({"pending", "in_progress", "rectified", "county_accepted"}),
}
"""The statuses in which each command may be given. 已销号 and 不属实 are final: no command moves them.
ReportRectified from 待整改 is 立行立改 — fixed on the spot, so starting and finishing are one act.
县级已受理 is the county's work in progress: it ends when the work is reported done (or found not real)."""

CLEARABLE_BY_DATA: frozenset[CaseStatus] = frozenset({"pending", "in_progress", "escalated", "county_accepted"})
"""Where a later roster showing the problem gone sends the case to 已整改待验收 (docs/rules.md)."""

_ACTIONS: dict[type, tuple[str, str]] = {
    Assign: ("改派", "be reassigned"),
    StartRectification: ("开始整改", "start rectification"),
    ReportRectified: ("报告整改完成", "be reported rectified"),
    Verify: ("验收", "be verified"),
    Escalate: ("上报县级", "be escalated to the county"),
    AnswerEscalation: ("答复上报", "take the county's answer"),
    ExtendDeadline: ("延期", "have its deadline extended"),
    Dismiss: ("认定不属实", "be dismissed"),
}


def open_commands(case: Case) -> set[type]:
    """The commands the case takes now, so a page offers only these (and `decide` still has the last word)."""
    found = {command for command, statuses in ALLOWED.items() if case.status in statuses}
    return found - {Escalate} if case.county_accepted else found


def check_allowed(case: Case, command: Command) -> None:
    """Refuses, in the words a 镇/村 user and an auditor both read, a command the status does not take."""
    if case.status not in ALLOWED[type(command)]:
        zh, en = _ACTIONS[type(command)]
        raise TransitionRefused(
            f"{STATUS_LABELS[case.status]}的案件不能{zh}",
            f"a case that is {case.status} cannot {en}",
            status=case.status,
            command=command,
        )
