"""Every status × command: where the case goes, or that it is refused (plan 三(二), 四(二))."""

from __future__ import annotations

import pytest

from lookback.cases.state import evolve
from lookback.contracts.rectify import STATUS_LABELS, CaseRectified, CaseStatus
from services.rectify.domain.commands import (
    Assign,
    Dismiss,
    ReportRectified,
    StartRectification,
    TransitionRefused,
    Verify,
)
from services.rectify.domain.transitions import ALLOWED
from services.rectify.domain.workflow import decide

from .factories import CLEARED, COMMANDS, OPENED_ON, PATHS, START, case_in, new_case, run

# Rows: the command; columns: the status the case is in; cells: the status it moves to ("-" = refused).
# The escalated case was escalated from 整改中, so a returned one resumes there; an accepted one is the
# county's (县级已受理) until its work is reported done.
TABLE = """
          pending      in_progress  rectified    escalated        county_accepted  verified  dismissed
assign    pending      in_progress  rectified    escalated        county_accepted  -         -
start     in_progress  -            -            -                -                -         -
report    rectified    rectified    -            -                rectified        -         -
pass      -            -            verified     -                -                -         -
fail      -            -            in_progress  -                -                -         -
escalate  escalated    escalated    -            -                -                -         -
accept    -            -            -            county_accepted  -                -         -
return    -            -            -            in_progress      -                -         -
extend    pending      in_progress  rectified    escalated        county_accepted  -         -
dismiss   dismissed    dismissed    dismissed    -                dismissed        -         -
"""


def _table() -> list[tuple[str, str, str]]:
    header, *rows = (line.split() for line in TABLE.strip().splitlines())
    return [(status, row[0], cell) for row in rows for status, cell in zip(header, row[1:], strict=True)]


def test_the_table_covers_every_status_and_command() -> None:
    cells = _table()
    assert {status for status, _, _ in cells} == set(STATUS_LABELS) == set(PATHS)
    assert {name for _, name, _ in cells} == set(COMMANDS)


@pytest.mark.parametrize(("status", "command", "expected"), _table())
def test_transition(status: CaseStatus, command: str, expected: str) -> None:
    case = case_in(status)
    if expected == "-":
        with pytest.raises(TransitionRefused) as refused:
            decide(case, COMMANDS[command], OPENED_ON)
        assert refused.value.status == status
        assert refused.value.command is COMMANDS[command]
        return
    assert run(case, COMMANDS[command]).status == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", "rectified"),
        ("in_progress", "rectified"),
        ("escalated", "rectified"),
        ("county_accepted", "rectified"),
        ("rectified", None),
        ("verified", None),
        ("dismissed", None),
    ],
)
def test_cleared_by_data(status: CaseStatus, expected: str | None) -> None:
    """A fact from the rules service is never refused; where it has nothing to change it says nothing."""
    events = decide(case_in(status), CLEARED, OPENED_ON)
    if expected is None:
        assert events == []
        return
    assert events == [CaseRectified(case_id="c1", on=OPENED_ON, by="data")]
    case = evolve(case_in(status), events[0])
    assert (case.status, case.escalated_from) == (expected, None)


def test_cleared_by_data_for_an_unknown_case_is_nothing() -> None:
    assert decide(None, CLEARED, OPENED_ON) == []


def test_a_refusal_speaks_both_languages() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(case_in("verified"), START, OPENED_ON)
    assert refused.value.message_zh == "已销号的案件不能开始整改"
    assert refused.value.message_en == "a case that is verified cannot start rectification"
    assert str(refused.value) == "已销号的案件不能开始整改 / a case that is verified cannot start rectification"
    assert isinstance(refused.value, ValueError)


def test_there_is_no_case_to_command() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(None, START, OPENED_ON)
    assert refused.value.status is None


def test_every_command_has_a_row_in_the_allowed_table() -> None:
    assert {type(c) for c in COMMANDS.values()} == set(ALLOWED)


@pytest.mark.parametrize("command", [StartRectification("  "), ReportRectified("")])
def test_measures_are_required(command: StartRectification | ReportRectified) -> None:
    with pytest.raises(TransitionRefused, match="须填写整改措施"):
        decide(new_case(), command, OPENED_ON)


def test_measures_are_recorded_with_the_transitions() -> None:
    case = run(new_case(), START, COMMANDS["report"])
    assert case.measures == ("入户核查，制定改造方案", "已完成危房改造")


def test_status_since_is_the_day_of_the_move() -> None:
    case = run(new_case(), START, today=OPENED_ON.replace(day=15))
    assert case.status_since == OPENED_ON.replace(day=15)


def test_immediate_rectification_skips_in_progress() -> None:
    """立行立改: fixed on the spot, reported at once."""
    assert run(new_case(), COMMANDS["report"]).status == "rectified"


def test_failed_verification_goes_back_to_work_and_can_pass_later() -> None:
    case = run(case_in("rectified"), COMMANDS["fail"])
    assert case.status == "in_progress"
    assert run(case, COMMANDS["report"], COMMANDS["pass"]).status == "verified"


def test_failed_verification_needs_a_reason() -> None:
    with pytest.raises(TransitionRefused, match="验收不通过的原因"):
        decide(case_in("rectified"), Verify(passed=False), OPENED_ON)


def test_dismissal_needs_a_reason_and_counts_neither_on_time_nor_late() -> None:
    with pytest.raises(TransitionRefused):
        decide(new_case(), Dismiss(reason=" "), OPENED_ON)
    case = case_in("dismissed")
    assert (case.closed_on, case.on_time) == (OPENED_ON, None)


class TestAssignment:
    def test_opened_with_lead_unit_and_village_no_person_yet(self) -> None:
        case = new_case()
        assert (case.lead_unit, case.co_responsible, case.person) == ("集镇办", "桃园村", None)

    def test_person_set_later_keeps_the_unit(self) -> None:
        case = run(new_case(), Assign(person="李四"))
        assert (case.lead_unit, case.person) == ("集镇办", "李四")

    def test_reassign_unit_keeps_the_person_and_the_village(self) -> None:
        case = run(new_case(), Assign(person="李四"), Assign(lead_unit="扶贫工作站", note="职责调整"))
        assert (case.lead_unit, case.person, case.co_responsible) == ("扶贫工作站", "李四", "桃园村")

    def test_reassign_both_at_once(self) -> None:
        [event] = decide(new_case(), Assign(lead_unit="水利站", person="王五"), OPENED_ON)
        assert (event.lead_unit, event.person) == ("水利站", "王五")  # type: ignore[union-attr]

    def test_nothing_to_assign_is_refused(self) -> None:
        with pytest.raises(TransitionRefused, match="须指定牵头单位或责任人"):
            decide(new_case(), Assign(lead_unit=" ", person=None), OPENED_ON)

    def test_assigning_what_is_already_so_changes_nothing(self) -> None:
        assert decide(new_case(), Assign(lead_unit="集镇办"), OPENED_ON) == []

    def test_assignment_does_not_restart_the_status_clock(self) -> None:
        case = run(new_case(), Assign(person="李四"), today=OPENED_ON.replace(day=20))
        assert case.status_since == OPENED_ON
