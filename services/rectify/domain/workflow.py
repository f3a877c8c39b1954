"""What a command does to a case once `transitions` has let it through: the events, and their content.

Every step records its day and its words (measures, reasons, notes) in the event itself, so the
half-monthly ledger (问题清单和整改台帐, plan 四(二)) is read from the log, never re-asked of people.
"""

from __future__ import annotations

from datetime import date

from lookback.cases import deadlines
from lookback.cases.state import Case
from lookback.contracts.rectify import (
    CaseAssigned,
    CaseDismissed,
    CaseEscalated,
    CaseEvent,
    CaseRectified,
    CaseVerified,
    DeadlineExtended,
    EscalationAccepted,
    EscalationReturned,
    RectificationStarted,
    VerificationFailed,
)
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
    TransitionRefused,
    Verify,
)
from services.rectify.domain.transitions import CLEARABLE_BY_DATA, check_allowed


def decide(case: Case | None, command: Command, today: date) -> list[CaseEvent]:
    """The events that carry out `command` on `today`, or `TransitionRefused` naming why not."""
    if isinstance(command, ProblemClearedByData):
        return _cleared_by_data(case, today)
    if case is None:
        raise TransitionRefused("案件不存在", "there is no such case", status=None, command=command)
    check_allowed(case, command)
    match command:
        case Assign():
            return _assign(case, command, today)
        case StartRectification():
            measures = _required(command.measures, "整改措施", "the measures", case, command)
            return [RectificationStarted(case_id=case.case_id, on=today, measures=measures)]
        case ReportRectified():
            measures = _required(command.measures, "整改措施", "the measures", case, command)
            return [
                CaseRectified(
                    case_id=case.case_id,
                    on=today,
                    measures=measures,
                    by="person",
                    evidence=command.evidence,
                    location=command.location,
                )
            ]
        case Verify():
            return _verify(case, command, today)
        case Escalate():
            return _escalate(case, command, today)
        case AnswerEscalation():
            return _answer(case, command, today)
        case ExtendDeadline():
            return _extended(case, command, command.new_deadline, command.reason, today)
        case Dismiss():
            reason = _required(command.reason, "不属实的理由", "the reason", case, command)
            return [CaseDismissed(case_id=case.case_id, on=today, reason=reason)]


def _cleared_by_data(case: Case | None, today: date) -> list[CaseEvent]:
    """A fact from the rules service is never refused: a case already awaiting verification, closed,
    or not opened has nothing to do, and re-importing a roster must change nothing (docs/rules.md)."""
    if case is None or case.status not in CLEARABLE_BY_DATA:
        return []
    return [CaseRectified(case_id=case.case_id, on=today, by="data")]


def _assign(case: Case, command: Assign, today: date) -> list[CaseEvent]:
    """The lead unit and 责任人 can change at any time while open (plan 三(二): 明确责任单位和责任人)."""
    unit, person = _given(command.lead_unit), _given(command.person)
    if unit is None and person is None:
        raise TransitionRefused(
            "须指定牵头单位或责任人", "a lead unit or a person must be given", status=case.status, command=command
        )
    unit, person = unit or case.lead_unit, person or case.person
    if (unit, person) == (case.lead_unit, case.person):
        return []
    return [CaseAssigned(case_id=case.case_id, on=today, lead_unit=unit, person=person, note=command.note.strip())]


def _verify(case: Case, command: Verify, today: date) -> list[CaseEvent]:
    """销号 judges on-time against the deadline in force that day, once: later events never revisit it."""
    if command.passed:
        on_time = deadlines.overdue_days(case.deadline, today) == 0
        return [
            CaseVerified(
                case_id=case.case_id, on=today, deadline=case.deadline, on_time=on_time, note=command.reason.strip()
            )
        ]
    reason = _required(command.reason, "验收不通过的原因", "the reason verification failed", case, command)
    return [VerificationFailed(case_id=case.case_id, on=today, reason=reason)]


def _escalate(case: Case, command: Escalate, today: date) -> list[CaseEvent]:
    """Once the county has accepted a case it is the county's; escalating again would ask it twice."""
    if case.county_accepted:
        raise TransitionRefused(
            "县级已受理此案件，不能再次上报",
            "the county has already accepted this case",
            status=case.status,
            command=command,
        )
    county_unit = _required(command.county_unit, "县级单位", "the county unit", case, command)
    reason = _required(command.reason, "上报理由", "the reason", case, command)
    return [CaseEscalated(case_id=case.case_id, on=today, county_unit=county_unit, reason=reason)]


def _answer(case: Case, command: AnswerEscalation, today: date) -> list[CaseEvent]:
    """A case keeps its deadline unless the county sets a new one (docs/rules.md, "Deadlines and
    overdue"); a new one is an extension like any other, so the old deadline stays in the history."""
    entered_for = _answerer(case, command)
    note = command.note.strip()
    if not command.accepted:
        if command.new_deadline is not None:
            raise TransitionRefused(
                "退回的案件沿用原期限，县级不能为其设定新期限",
                "a returned case keeps its deadline; only a case the county accepts can get a new one",
                status=case.status,
                command=command,
            )
        return [EscalationReturned(case_id=case.case_id, on=today, note=note, entered_for=entered_for)]
    accepted: list[CaseEvent] = [EscalationAccepted(case_id=case.case_id, on=today, note=note, entered_for=entered_for)]
    if command.new_deadline is None:
        return accepted
    reason = f"县级受理（{case.escalated_to}）" + (f"：{note}" if note else "")
    return accepted + _extended(case, command, command.new_deadline, reason, today)


def _answerer(case: Case, command: AnswerEscalation) -> str | None:
    """Only the county answers an escalation (plan 四(二): 提交县有关脱贫攻坚指挥部研究); the station may
    enter the county's answer from paper, and then says whose answer it is."""
    entered_for = _given(command.entered_for)
    if command.by == "county":
        if entered_for is not None:
            raise TransitionRefused(
                "县级用户直接答复，无需代录", "a county user answers for itself", status=case.status, command=command
            )
        return None
    if entered_for is None:
        raise TransitionRefused(
            "只有县级用户能答复上报；代录县级纸质答复须注明县级答复人",
            "only a county user answers an escalation; entering the county's answer from paper must name who gave it",
            status=case.status,
            command=command,
        )
    return entered_for


def _extended(case: Case, command: Command, new_deadline: date, reason: str, today: date) -> list[CaseEvent]:
    try:
        extension = deadlines.extend(case.deadline, new_deadline, reason)
    except deadlines.ExtensionRefused as refused:
        zh, _, en = str(refused).partition(" / ")
        raise TransitionRefused(zh, en or zh, status=case.status, command=command) from refused
    return [
        DeadlineExtended(
            case_id=case.case_id,
            on=today,
            old_deadline=extension.previous,
            new_deadline=extension.deadline,
            reason=extension.reason,
        )
    ]


def _required(text: str, what_zh: str, what_en: str, case: Case, command: Command) -> str:
    """A blank reason or measure would put a step in the ledger that nobody can account for."""
    text = text.strip()
    if not text:
        raise TransitionRefused(f"须填写{what_zh}", f"{what_en} must be given", status=case.status, command=command)
    return text


def _given(text: str | None) -> str | None:
    return (text or "").strip() or None
