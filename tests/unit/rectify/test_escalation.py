"""上报县级: cases the town and village cannot solve go to the county (plan 四(二); docs/rules.md)."""

from __future__ import annotations

from datetime import date

import pytest

from lookback.contracts.rectify import CountyAnswer, DeadlineExtended, EscalationAccepted
from services.rectify.domain.commands import AnswerEscalation, Escalate, TransitionRefused
from services.rectify.domain.workflow import decide

from .factories import (
    ACCEPT,
    CLEARED,
    DEADLINE,
    ESCALATE,
    OPENED_ON,
    REPORT,
    RETURN,
    START,
    case_in,
    new_case,
    run,
)

COUNTY_DEADLINE = date(2020, 4, 30)


@pytest.mark.parametrize("before", [(), (START,)])
def test_a_returned_case_resumes_where_it_was(before: tuple) -> None:
    case = run(new_case(), *before)
    status = case.status
    escalated = run(case, ESCALATE)
    assert (escalated.status, escalated.escalated_from, escalated.escalated_to) == (
        "escalated",
        status,
        "县危房改造指挥部",
    )
    answered = run(escalated, RETURN, today=date(2020, 1, 15))
    assert (answered.status, answered.escalated_from, answered.status_since) == (status, None, date(2020, 1, 15))


@pytest.mark.parametrize("before", [(), (START,)])
def test_an_accepted_case_is_the_countys_with_its_own_clock(before: tuple) -> None:
    escalated = run(run(new_case(), *before), ESCALATE, today=date(2020, 1, 13))
    accepted = run(escalated, ACCEPT, today=date(2020, 1, 15))
    assert (accepted.status, accepted.escalated_from, accepted.status_since) == (
        "county_accepted",
        None,
        date(2020, 1, 15),
    )
    done = run(accepted, REPORT, today=date(2020, 2, 1))
    assert (done.status, done.status_since) == ("rectified", date(2020, 2, 1))


def test_only_the_county_answers_and_the_station_enters_a_paper_answer_for_it() -> None:
    case = case_in("escalated")
    with pytest.raises(TransitionRefused, match="只有县级用户能答复上报"):
        decide(case, AnswerEscalation(accepted=True, by="station"), OPENED_ON)
    with pytest.raises(TransitionRefused, match="县级用户直接答复"):
        decide(case, AnswerEscalation(accepted=True, by="county", entered_for="县住建局王科长"), OPENED_ON)
    [entered] = decide(case, AnswerEscalation(accepted=False, by="station", entered_for=" 县住建局王科长 "), OPENED_ON)
    [own] = decide(case, AnswerEscalation(accepted=True), OPENED_ON)
    assert isinstance(entered, CountyAnswer) and isinstance(own, CountyAnswer)
    assert (entered.entered_for, own.entered_for) == ("县住建局王科长", None)


def test_accepted_without_a_new_deadline_keeps_the_deadline() -> None:
    events = decide(case_in("escalated"), AnswerEscalation(accepted=True, note="由县住建局指导"), OPENED_ON)
    assert events == [EscalationAccepted(case_id="c1", on=OPENED_ON, note="由县住建局指导")]
    case = run(case_in("escalated"), ACCEPT)
    assert (case.deadline, case.extensions, case.county_accepted) == (DEADLINE, (), True)


def test_accepted_with_a_new_deadline_extends_it_in_the_history() -> None:
    answer = AnswerEscalation(accepted=True, new_deadline=COUNTY_DEADLINE, note="统一口径后整改")
    accepted, extended = decide(case_in("escalated"), answer, OPENED_ON)
    assert isinstance(accepted, EscalationAccepted)
    assert extended == DeadlineExtended(
        case_id="c1",
        on=OPENED_ON,
        old_deadline=DEADLINE,
        new_deadline=COUNTY_DEADLINE,
        reason="县级受理（县危房改造指挥部）：统一口径后整改",
    )
    case = run(case_in("escalated"), answer)
    assert (case.status, case.deadline, case.extensions[0].previous) == ("county_accepted", COUNTY_DEADLINE, DEADLINE)


def test_the_county_cannot_shorten_the_deadline() -> None:
    with pytest.raises(TransitionRefused, match="新期限须晚于原期限"):
        decide(case_in("escalated"), AnswerEscalation(accepted=True, new_deadline=OPENED_ON), OPENED_ON)


def test_a_returned_case_keeps_its_deadline() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(case_in("escalated"), AnswerEscalation(accepted=False, new_deadline=COUNTY_DEADLINE), OPENED_ON)
    assert refused.value.status == "escalated"
    case = run(case_in("escalated"), RETURN)
    assert (case.deadline, case.county_accepted) == (DEADLINE, False)


def test_a_returned_case_may_be_escalated_again() -> None:
    assert run(case_in("escalated"), RETURN, ESCALATE).status == "escalated"


def test_an_accepted_case_is_not_escalated_twice() -> None:
    with pytest.raises(TransitionRefused, match="县级已受理"):
        decide(run(case_in("escalated"), ACCEPT), ESCALATE, OPENED_ON)


@pytest.mark.parametrize(
    "command", [Escalate(county_unit=" ", reason="无力解决"), Escalate(county_unit="县住建局", reason="")]
)
def test_escalation_names_the_county_unit_and_the_reason(command: Escalate) -> None:
    with pytest.raises(TransitionRefused, match="须填写"):
        decide(new_case(), command, OPENED_ON)


def test_cleared_by_data_while_with_the_county_awaits_verification_and_the_answer_is_refused() -> None:
    case = run(case_in("escalated"), CLEARED)
    assert (case.status, case.escalated_from) == ("rectified", None)
    with pytest.raises(TransitionRefused):
        decide(case, ACCEPT, OPENED_ON)
