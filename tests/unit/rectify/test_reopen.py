"""A problem flagged again reopens the case only a roster had cleared, to the status it had then."""

from __future__ import annotations

from datetime import date

import pytest

from lookback.cases.state import Case, evolve
from lookback.contracts.rectify import CaseStatus
from services.rectify.domain.opening import reopened

from .factories import ACCEPT, CLEARED, REPORT, case_in, run

BACK_ON = date(2020, 1, 25)


def flagged_again(case: Case) -> Case:
    for event in reopened(case, BACK_ON):
        case = evolve(case, event)
    return case


@pytest.mark.parametrize("status", ["pending", "in_progress", "escalated"])
def test_a_case_the_data_cleared_goes_back_to_where_it_was(status: CaseStatus) -> None:
    cleared = run(case_in(status), CLEARED)
    assert (cleared.status, cleared.escalated_from) == ("rectified", None)
    back = flagged_again(cleared)
    assert (back.status, back.status_since, back.cleared_from) == (status, BACK_ON, None)


def test_a_reopened_escalated_case_can_still_be_answered_by_the_county() -> None:
    back = flagged_again(run(case_in("escalated"), CLEARED))
    assert run(back, ACCEPT).status == run(case_in("escalated"), ACCEPT).status


@pytest.mark.parametrize("status", ["pending", "in_progress", "escalated", "verified", "dismissed"])
def test_a_case_no_roster_cleared_is_left_alone(status: CaseStatus) -> None:
    assert reopened(case_in(status), BACK_ON) == []


def test_a_fix_a_person_reported_waits_for_verification() -> None:
    assert reopened(run(case_in("in_progress"), REPORT), BACK_ON) == []


def test_a_second_clearing_after_a_reopen_reopens_again() -> None:
    twice = flagged_again(run(flagged_again(run(case_in("pending"), CLEARED)), CLEARED))
    assert twice.status == "pending"
