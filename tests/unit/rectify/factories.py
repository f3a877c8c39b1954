"""A case opened on the first day of the rectification phase, and ways to walk it to any status."""

from __future__ import annotations

from datetime import date

from lookback.cases.state import Case, evolve
from lookback.contracts.rectify import CaseOpened, CaseStatus
from lookback.contracts.rules import ProblemClearedByData
from services.rectify.domain.commands import (
    AnswerEscalation,
    Assign,
    Command,
    Dismiss,
    Escalate,
    ExtendDeadline,
    ReportRectified,
    StartRectification,
    Verify,
)
from services.rectify.domain.workflow import decide

OPENED_ON = date(2020, 1, 11)
DEADLINE = date(2020, 1, 26)
VILLAGE = "桃园村"
CASE_ID = "c1"

ASSIGN = Assign(person="李四")
START = StartRectification("入户核查，制定改造方案")
REPORT = ReportRectified("已完成危房改造")
PASS = Verify(passed=True)
FAIL = Verify(passed=False, reason="屋面仍漏雨")
ESCALATE = Escalate(county_unit="县危房改造指挥部", reason="镇村无力解决")
ACCEPT = AnswerEscalation(accepted=True)
RETURN = AnswerEscalation(accepted=False, note="按现行政策由镇办理")
EXTEND = ExtendDeadline(new_deadline=date(2020, 2, 26), reason="春节期间无法施工")
DISMISS = Dismiss(reason="经核实住房已鉴定为A级")
CLEARED = ProblemClearedByData(problem_id="p1", rule="R03", village=VILLAGE, as_of=date(2020, 1, 20))

COMMANDS: dict[str, Command] = {
    "assign": ASSIGN,
    "start": START,
    "report": REPORT,
    "pass": PASS,
    "fail": FAIL,
    "escalate": ESCALATE,
    "accept": ACCEPT,
    "return": RETURN,
    "extend": EXTEND,
    "dismiss": DISMISS,
}


def opened(**changes: object) -> CaseOpened:
    fields: dict[str, object] = {
        "case_id": CASE_ID,
        "problem_id": "p1",
        "rule": "R03",
        "item": 3,
        "village": VILLAGE,
        "lead_unit": "集镇办",
        "co_responsible": VILLAGE,
        "policy": "immediate",
        "assigned_on": OPENED_ON,
        "deadline": DEADLINE,
    }
    return CaseOpened.model_validate(fields | changes)


def new_case() -> Case:
    return evolve(None, opened())


def run(case: Case, *commands: Command, today: date = OPENED_ON) -> Case:
    """Decide and fold each command in turn, as the service does."""
    for command in commands:
        for event in decide(case, command, today):
            case = evolve(case, event)
    return case


PATHS: dict[CaseStatus, tuple[Command, ...]] = {
    "pending": (),
    "in_progress": (START,),
    "rectified": (START, REPORT),
    "escalated": (START, ESCALATE),
    "county_accepted": (START, ESCALATE, ACCEPT),
    "verified": (START, REPORT, PASS),
    "dismissed": (DISMISS,),
}


def case_in(status: CaseStatus) -> Case:
    case = run(new_case(), *PATHS[status])
    assert case.status == status
    return case
