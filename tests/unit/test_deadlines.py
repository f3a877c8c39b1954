from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lookback.cases.deadlines import (
    Extension,
    ExtensionRefused,
    add_days,
    default_deadline,
    due_soon,
    extend,
    overdue_days,
)
from lookback.catalogue import Calendar, DeadlineSettings

CALENDAR_DAYS = DeadlineSettings(immediate_days=15, day_kind="calendar", holidays=frozenset(), due_soon_days=3)
WORKING_DAYS = DeadlineSettings(immediate_days=15, day_kind="working", holidays=frozenset(), due_soon_days=3)
SPRING_FESTIVAL = frozenset(date(2020, 1, 24) + timedelta(days=n) for n in range(7))  # 2020-01-24 … 01-30
WITH_HOLIDAYS = DeadlineSettings(immediate_days=15, day_kind="working", holidays=SPRING_FESTIVAL, due_soon_days=3)
PLAN = Calendar(
    investigation=(date(2019, 12, 1), date(2020, 1, 1)),
    problem_lists_due=date(2020, 1, 1),
    county_summary_due=date(2020, 1, 3),
    rectification=(date(2020, 1, 11), date(2020, 6, 30)),
    village_reports_due=date(2020, 6, 10),
)


def test_immediate_is_fifteen_calendar_days_after_assignment() -> None:
    assert default_deadline("immediate", date(2020, 1, 11), CALENDAR_DAYS, PLAN) == date(2020, 1, 26)


def test_timed_runs_to_the_end_of_the_rectification_phase() -> None:
    assert default_deadline("timed", date(2020, 1, 11), CALENDAR_DAYS, PLAN) == date(2020, 6, 30)
    assert default_deadline("timed", date(2020, 6, 15), CALENDAR_DAYS, PLAN) == date(2020, 6, 30)


def test_timed_never_gets_less_time_than_immediate() -> None:
    assert default_deadline("timed", date(2020, 6, 20), CALENDAR_DAYS, PLAN) == date(2020, 7, 5)
    assert default_deadline("timed", date(2020, 9, 1), CALENDAR_DAYS, PLAN) == date(2020, 9, 16)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2020, 1, 20), 15, date(2020, 2, 4)),  # across a month end
        (date(2020, 2, 20), 15, date(2020, 3, 6)),  # leap February
        (date(2019, 2, 20), 15, date(2019, 3, 7)),
        (date(2019, 12, 20), 15, date(2020, 1, 4)),  # across a year end
        (date(2020, 1, 3), 1, date(2020, 1, 4)),  # a Saturday counts as a calendar day
        (date(2020, 1, 3), 0, date(2020, 1, 3)),
    ],
)
def test_calendar_days(start: date, days: int, due: date) -> None:
    assert add_days(start, days, CALENDAR_DAYS) == due


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2020, 1, 3), 1, date(2020, 1, 6)),  # Friday + 1 working day = Monday
        (date(2020, 1, 4), 1, date(2020, 1, 6)),  # assigned on a Saturday
        (date(2020, 1, 5), 5, date(2020, 1, 10)),  # assigned on a Sunday: Mon … Fri
        (date(2020, 1, 6), 5, date(2020, 1, 13)),  # Monday + 5 = next Monday
        (date(2020, 1, 11), 15, date(2020, 1, 31)),  # three whole weeks
        (date(2020, 2, 20), 15, date(2020, 3, 12)),  # across leap February
        (date(2019, 12, 20), 15, date(2020, 1, 10)),  # across the year end
        (date(2020, 1, 6), 0, date(2020, 1, 6)),
    ],
)
def test_working_days_skip_weekends(start: date, days: int, due: date) -> None:
    assert add_days(start, days, WORKING_DAYS) == due


def test_working_days_skip_configured_holidays() -> None:
    # 2020-01-20 (Mon) + 15 working days, with 01-24 … 01-30 off: 21–23, 31, Feb 3–7, 10–14, 17.
    assert add_days(date(2020, 1, 20), 15, WITH_HOLIDAYS) == date(2020, 2, 17)
    assert add_days(date(2020, 1, 20), 15, WORKING_DAYS) == date(2020, 2, 10)
    assert add_days(date(2020, 1, 23), 1, WITH_HOLIDAYS) == date(2020, 1, 31)


def test_working_day_immediate_deadline() -> None:
    assert default_deadline("immediate", date(2020, 1, 11), WORKING_DAYS, PLAN) == date(2020, 1, 31)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        add_days(date(2020, 1, 1), -1, CALENDAR_DAYS)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 60))
def test_a_working_day_deadline_is_a_working_day_and_never_earlier(start: date, days: int) -> None:
    due = add_days(start, days, WITH_HOLIDAYS)
    assert due.weekday() < 5 and due not in SPRING_FESTIVAL
    assert due >= add_days(start, days, CALENDAR_DAYS)


def test_the_deadline_day_itself_is_not_overdue_and_each_day_after_it_counts_one() -> None:
    deadline = date(2020, 1, 26)  # assigned 2020-01-11, 15 days
    assert overdue_days(deadline, date(2020, 1, 25)) == 0
    assert overdue_days(deadline, deadline) == 0
    assert overdue_days(deadline, date(2020, 1, 27)) == 1
    assert overdue_days(deadline, date(2020, 2, 10)) == 15


@pytest.mark.parametrize(
    ("today", "soon"),
    [
        (date(2020, 1, 22), False),  # four days left
        (date(2020, 1, 23), True),  # three days left: the window opens
        (date(2020, 1, 25), True),
        (date(2020, 1, 26), True),  # the deadline day
        (date(2020, 1, 27), False),  # overdue, no longer "soon"
    ],
)
def test_due_soon_window_edges(today: date, soon: bool) -> None:
    assert due_soon(date(2020, 1, 26), today, 3) is soon


def test_due_soon_with_no_window_is_the_deadline_day_only() -> None:
    assert due_soon(date(2020, 1, 26), date(2020, 1, 26), 0)
    assert not due_soon(date(2020, 1, 26), date(2020, 1, 25), 0)


def test_extension_moves_the_deadline_later_with_a_reason() -> None:
    assert extend(date(2020, 1, 26), date(2020, 2, 26), "  春节停工  ") == Extension(
        previous=date(2020, 1, 26), deadline=date(2020, 2, 26), reason="春节停工"
    )


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_extension_without_a_reason_is_refused(reason: str) -> None:
    with pytest.raises(ExtensionRefused, match="needs a reason"):
        extend(date(2020, 1, 26), date(2020, 2, 26), reason)


@pytest.mark.parametrize("new_deadline", [date(2020, 1, 26), date(2020, 1, 20)])
def test_extension_to_the_same_or_an_earlier_date_is_refused(new_deadline: date) -> None:
    with pytest.raises(ExtensionRefused, match="must be later") as refused:
        extend(date(2020, 1, 26), new_deadline, "材料未齐")
    assert "新期限须晚于原期限" in str(refused.value)
    assert isinstance(refused.value, ValueError)
