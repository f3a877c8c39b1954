"""The kernel's submissions (lookback/submissions.py), which reporting and rectify both fold: states from
the events, who owes forms, and when they are due."""

from __future__ import annotations

from datetime import date

from lookback.calendar import Period
from lookback.catalogue import load as load_catalogue
from lookback.contracts.reporting import SubmissionReturned, SubmissionReviewed, SubmissionSubmitted, submission_id
from lookback.submissions import Org, Submission, due_day, evolve, handed_in, lower_orgs, standing

VILLAGE = Submission("2019-12-H2", Org("village", "桃园村"))
IDS = {"submission_id": VILLAGE.submission_id, "period": "2019-12-H2", "org_kind": "village", "org": "桃园村"}


def test_due_three_days_after_the_period_then_due_soon_and_overdue() -> None:
    due = due_day(Period.parse("2019-12-H2"), 3)
    assert due == date(2020, 1, 3)
    assert standing(False, due, date(2019, 12, 30), 3) == "open"
    assert standing(False, due, date(2019, 12, 31), 3) == "due_soon"
    assert standing(False, due, date(2020, 1, 3), 3) == "due_soon"  # the due day itself is in time
    assert standing(False, due, date(2020, 1, 4), 3) == "overdue"
    assert standing(True, due, date(2020, 1, 4), 3) == "done"


def test_the_events_fold_into_states_and_a_return_is_no_longer_handed_in() -> None:
    sub = evolve(VILLAGE, SubmissionSubmitted(**IDS, forms=()), date(2020, 1, 2))
    assert (sub.state, sub.submitted_on, handed_in(sub)) == ("submitted", date(2020, 1, 2), True)
    sub = evolve(sub, SubmissionReturned(**IDS, reason="缺表"), date(2020, 1, 3))
    assert (sub.state, sub.reason, handed_in(sub)) == ("returned", "缺表", False)
    sub = evolve(sub, SubmissionSubmitted(**IDS, forms=()), date(2020, 1, 4))
    assert (sub.submitted_on, sub.reason) == (date(2020, 1, 2), None)  # late or on time: the first day counts
    assert handed_in(evolve(sub, SubmissionReviewed(**IDS), date(2020, 1, 5)))
    assert not handed_in(VILLAGE)
    assert VILLAGE.submission_id == submission_id("2019-12-H2", "village", "桃园村")


def test_every_village_and_unit_owes_forms_the_station_its_summary_apart() -> None:
    catalogue = load_catalogue()
    orgs = lower_orgs(catalogue)
    assert {o.name for o in orgs if o.kind == "village"} == set(catalogue.villages)
    assert orgs and all(o.kind in ("village", "unit") for o in orgs)
