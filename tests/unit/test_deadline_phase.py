"""A deadline's clock starts when the rectification phase opens (docs/rules.md, "Deadlines and overdue")."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from lookback.cases.deadlines import clock_starts, default_deadline, overdue_days
from lookback.catalogue import default_data, load
from lookback.contracts.rules import ProblemFlagged
from services.rectify.domain.opening import open_case

CATALOGUE = load()
PHASE_OPENS = date(2020, 1, 11)


def flagged(item: int, as_of: date, **more: object) -> ProblemFlagged:
    fields: dict[str, object] = {
        "problem_id": "p1",
        "rule": "R12",
        "item": item,
        "village": "桃园村",
        "household_id": "H1",
        "subject_key": "household:H1",
        "description": "无帮扶责任人",
        "as_of": as_of,
    }
    return ProblemFlagged.model_validate(fields | more)


@pytest.mark.parametrize(
    ("assigned", "starts"),
    [
        (date(2019, 12, 1), PHASE_OPENS),  # the investigation phase: listed and owned, not yet timed
        (date(2020, 1, 5), PHASE_OPENS),  # between the phases
        (PHASE_OPENS, PHASE_OPENS),
        (date(2020, 2, 3), date(2020, 2, 3)),  # found during rectification: from its assignment
    ],
)
def test_the_clock_starts_at_the_later_of_assignment_and_the_phase(assigned: date, starts: date) -> None:
    assert clock_starts(assigned, CATALOGUE.calendar) == starts


def test_nothing_found_in_the_investigation_phase_is_overdue_before_the_rectification_phase() -> None:
    for found in (date(2019, 12, 1), date(2019, 12, 16), date(2020, 1, 1)):
        case = open_case(flagged(12, found), CATALOGUE, "p1")
        assert (case.assigned_on, case.deadline) == (found, date(2020, 1, 26))
        days = (PHASE_OPENS - found).days
        assert not any(overdue_days(case.deadline, found + timedelta(days=n)) for n in range(days + 16))
        assert overdue_days(case.deadline, date(2020, 1, 27)) == 1


def test_a_town_that_moves_the_phase_moves_the_clock(tmp_path: Path) -> None:
    calendar = {**default_data()["calendar"], "rectification": ["2020-02-01", "2020-06-30"]}
    town = tmp_path / "town.json"
    town.write_text(json.dumps({"calendar": calendar}), "utf-8")
    moved = load(str(town))
    assert default_deadline("immediate", date(2019, 12, 1), moved.deadlines, moved.calendar) == date(2020, 2, 16)
