"""Overdue at the end of a period, by how long past the deadline: the deadline day is still in time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lookback.calendar import Period
from lookback.catalogue import load
from services.reporting.domain.measures import overdue_bucket
from services.reporting.domain.overdue import overdue_cases
from services.reporting.domain.semimonthly import semimonthly

from .factories import Log

CATALOGUE = load()
PERIOD = Period.parse("2020-01-H2")  # ends 2020-01-31
END = PERIOD.last_day


@pytest.mark.parametrize(
    ("days", "bucket"), [(1, "1-7"), (7, "1-7"), (8, "8-30"), (30, "8-30"), (31, "31+"), (120, "31+")]
)
def test_buckets(days: int, bucket: str) -> None:
    assert overdue_bucket(days) == bucket


@pytest.mark.parametrize(("days", "bucket"), [(0, None), (7, "1-7"), (8, "8-30"), (30, "8-30"), (31, "31+")])
def test_a_case_days_past_its_deadline_at_the_period_end(days: int, bucket: str | None) -> None:
    log = Log()
    log.problem("a", date(2019, 12, 1), deadline=END - timedelta(days=days))

    current = semimonthly(log.facts, PERIOD, CATALOGUE)["current"]
    listed = overdue_cases(log.facts, PERIOD, CATALOGUE)

    assert current["overdue"] == (bucket is not None)
    assert current["overdue_days"] == {b: int(b == bucket) for b in ("1-7", "8-30", "31+")}
    assert [(c["days_overdue"], c["bucket"]) for c in listed] == ([(days, bucket)] if bucket else [])


def test_closed_cases_are_never_overdue_and_an_extension_counts_from_its_day() -> None:
    log = Log()
    deadline = date(2020, 1, 10)
    log.problem("closed", date(2019, 12, 1), deadline=deadline)
    log.rectify("closed", date(2020, 1, 20))
    log.verify("closed", date(2020, 1, 25), deadline)
    log.problem("extended", date(2019, 12, 1), deadline=deadline)
    log.extend("extended", date(2020, 1, 20), deadline, date(2020, 2, 29))

    before = semimonthly(log.facts, Period.parse("2020-01-H1"), CATALOGUE)["current"]
    after = semimonthly(log.facts, PERIOD, CATALOGUE)["current"]

    assert before["overdue"] == 2  # both past 01-10 at the end of 01-15
    assert after["overdue"] == 0
    assert overdue_cases(log.facts, PERIOD, CATALOGUE) == []


def test_the_overdue_list_names_no_person_and_puts_the_longest_first() -> None:
    log = Log()
    log.problem("a", date(2019, 12, 1), deadline=date(2020, 1, 20), id_number="110101199003077777")
    log.problem("b", date(2019, 12, 1), deadline=date(2019, 12, 20))

    listed = overdue_cases(log.facts, PERIOD, CATALOGUE)

    assert [c["case_id"] for c in listed] == ["b", "a"]
    assert "110101199003077777" not in repr(listed)
    assert listed[0]["lead_unit"] == "集镇办" and listed[0]["status_label"] == "待整改"
