"""The submission state machine's commands and the plan's milestones, without a broker (the states and due
dates themselves: tests/unit/test_submissions.py)."""

from __future__ import annotations

from datetime import date

import pytest

from lookback.catalogue import load as load_catalogue
from lookback.contracts.reporting import SubmittedForm
from lookback.submissions import Org, Submission, evolve, handed_in
from services.reporting.domain.milestones import milestones
from services.reporting.domain.submissions import Refused, judge, submit

VILLAGE = Submission("2019-12-H2", Org("village", "桃园村"))
STATION = Submission("2019-12-H2", Org("station", "干汊河镇"))
FORM = SubmittedForm(kind="ledger", scope="桃园村", cutoff=42, check_code=None, sha256="0" * 64)


def step(sub: Submission, event: object, day: date = date(2020, 1, 2)) -> Submission:
    return evolve(sub, event, day)  # type: ignore[arg-type]


def test_a_village_submits_is_returned_with_a_reason_resubmits_and_is_reviewed() -> None:
    sub = step(VILLAGE, submit(VILLAGE, (FORM,)), date(2020, 1, 1))
    assert (sub.state, sub.forms, sub.submitted_on) == ("submitted", (FORM,), date(2020, 1, 1))
    sub = step(sub, judge(sub, "return", " 缺少整改措施 "))
    assert (sub.state, sub.reason) == ("returned", "缺少整改措施")
    assert not handed_in(sub)
    sub = step(sub, submit(sub, (FORM,)), date(2020, 1, 5))
    assert (sub.state, sub.reason, sub.submitted_on) == ("submitted", None, date(2020, 1, 1))
    sub = step(sub, judge(sub, "review"))
    assert sub.state == "reviewed" and handed_in(sub)


def test_the_station_summary_ends_in_the_countys_receipt() -> None:
    sub = step(STATION, submit(STATION, (FORM,)))
    assert step(sub, judge(sub, "receive")).state == "received"
    with pytest.raises(Refused):
        judge(sub, "review")  # the station does not review its own summary
    with pytest.raises(Refused):
        judge(step(VILLAGE, submit(VILLAGE, ())), "receive")  # the county does not receive a village's forms


@pytest.mark.parametrize("verdict", ["review", "return", "receive"])
def test_only_a_submitted_submission_can_be_judged(verdict: str) -> None:
    with pytest.raises(Refused) as refused:
        judge(VILLAGE, verdict, "原因")  # type: ignore[arg-type]
    assert refused.value.zh and refused.value.en


def test_a_return_needs_a_reason_and_a_handed_in_submission_cannot_be_submitted_again() -> None:
    sub = step(VILLAGE, submit(VILLAGE, ()))
    with pytest.raises(Refused):
        judge(sub, "return", "  ")
    with pytest.raises(Refused):
        submit(sub, ())
    with pytest.raises(Refused):
        submit(step(sub, judge(sub, "review")), ())


def test_the_milestones_follow_the_plans_dates() -> None:
    catalogue = load_catalogue()
    found = {m.key: m for m in milestones(catalogue, [])}
    assert {k: m.due for k, m in found.items()} == {
        "problem_lists": date(2020, 1, 1),
        "county_summary": date(2020, 1, 3),
        "village_reports": date(2020, 6, 10),
    }
    assert found["county_summary"].standing(date(2019, 12, 31), 3) == "due_soon"
    assert found["county_summary"].standing(date(2020, 1, 4), 3) == "overdue"
    station = step(STATION, submit(STATION, ()))
    done = {m.key: m for m in milestones(catalogue, [station])}
    assert done["county_summary"].standing(date(2020, 1, 4), 3) == "done"
    assert done["problem_lists"].view(date(2020, 1, 4), 3)["done"] == 0
