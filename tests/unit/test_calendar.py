from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lookback.calendar import Period, period_of, periods_between
from lookback.clock import CST, local_date

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2019, 12, 1), "2019-12-H1"),
        (date(2019, 12, 15), "2019-12-H1"),
        (date(2019, 12, 16), "2019-12-H2"),
        (date(2019, 12, 31), "2019-12-H2"),
        (date(2020, 1, 1), "2020-01-H1"),
        (date(2020, 2, 29), "2020-02-H2"),
        (date(2019, 2, 28), "2019-02-H2"),
    ],
)
def test_a_day_falls_in_its_half_month(day: date, code: str) -> None:
    assert period_of(day).code == code


@pytest.mark.parametrize(
    ("code", "first", "last"),
    [
        ("2019-12-H1", date(2019, 12, 1), date(2019, 12, 15)),
        ("2019-12-H2", date(2019, 12, 16), date(2019, 12, 31)),
        ("2020-02-H2", date(2020, 2, 16), date(2020, 2, 29)),
        ("2019-02-H2", date(2019, 2, 16), date(2019, 2, 28)),
        ("2020-04-H2", date(2020, 4, 16), date(2020, 4, 30)),
    ],
)
def test_first_and_last_days_are_inclusive(code: str, first: date, last: date) -> None:
    period = Period.parse(code)
    assert (period.first_day, period.last_day) == (first, last)


def test_start_and_end_are_cst_midnights_and_end_is_the_next_start() -> None:
    period = Period.parse("2019-12-H2")
    assert period.start == datetime(2019, 12, 16, tzinfo=CST)
    assert period.end == datetime(2020, 1, 1, tzinfo=CST)
    assert period.end == period.next().start
    assert period.start == datetime(2019, 12, 15, 16, tzinfo=UTC)


def test_next_and_previous_roll_over_months_and_years() -> None:
    assert Period.parse("2019-12-H2").next().code == "2020-01-H1"
    assert Period.parse("2020-01-H1").previous().code == "2019-12-H2"
    assert Period.parse("2020-01-H1").next().code == "2020-01-H2"
    assert Period.parse("2020-02-H1").previous().code == "2020-01-H2"


@pytest.mark.parametrize(
    ("instant", "code"),
    [
        (datetime(2019, 12, 15, 15, 59, 59, tzinfo=UTC), "2019-12-H1"),
        (datetime(2019, 12, 15, 16, 0, tzinfo=UTC), "2019-12-H2"),
        (datetime(2019, 12, 15, 16, 30, tzinfo=UTC), "2019-12-H2"),
        (datetime(2019, 12, 31, 16, 0, tzinfo=UTC), "2020-01-H1"),
        (datetime(2019, 12, 31, 15, 59, tzinfo=UTC), "2019-12-H2"),
        (datetime(2020, 1, 1, 0, 0, tzinfo=CST), "2020-01-H1"),
    ],
)
def test_instants_are_placed_by_their_date_in_china(instant: datetime, code: str) -> None:
    assert period_of(local_date(instant)).code == code


@pytest.mark.parametrize(
    "code",
    [
        "2019-13-H1",
        "2019-00-H1",
        "2019-12-H3",
        "2019-12-H0",
        "0000-01-H1",
        "2019-1-H1",
        "2019-12-h1",
        " 2019-12-H1",
        "2019-12-H1 ",
        "garbage",
        "",
        "２０１９-12-H1",
    ],
)
def test_invalid_codes_are_refused_in_both_languages(code: str) -> None:
    with pytest.raises(ValueError, match="半月期编码无效") as raised:
        Period.parse(code)
    assert "invalid half-month period code" in str(raised.value)


def test_a_period_cannot_be_built_with_a_bad_half() -> None:
    with pytest.raises(ValueError, match="invalid half-month period"):
        Period(2019, 12, 3)


def test_periods_order_chronologically() -> None:
    codes = ["2020-01-H1", "2019-12-H2", "2019-02-H1", "2019-12-H1"]
    assert [p.code for p in sorted(map(Period.parse, codes))] == [
        "2019-02-H1",
        "2019-12-H1",
        "2019-12-H2",
        "2020-01-H1",
    ]


def test_periods_between_includes_both_ends() -> None:
    first, last = Period.parse("2019-12-H1"), Period.parse("2020-01-H2")
    assert [p.code for p in periods_between(first, last)] == [
        "2019-12-H1",
        "2019-12-H2",
        "2020-01-H1",
        "2020-01-H2",
    ]
    assert periods_between(first, first) == [first]
    assert periods_between(last, first) == []


@given(days)
def test_code_round_trips_and_the_period_holds_its_day(day: date) -> None:
    period = period_of(day)
    assert Period.parse(period.code) == period
    assert str(period) == period.code
    assert period.first_day <= day <= period.last_day
    assert period.start <= datetime(day.year, day.month, day.day, 12, tzinfo=CST) < period.end


@given(days)
def test_consecutive_periods_tile_the_days(day: date) -> None:
    period = period_of(day)
    assert period.next().first_day == period.last_day + timedelta(days=1)
    assert period.next().previous() == period
    assert period < period.next()


@given(st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)))
def test_an_instant_lies_between_its_period_start_and_end(instant: datetime) -> None:
    period = period_of(local_date(instant))
    assert period.start <= instant < period.end


@pytest.mark.parametrize(("code", "label"), [("2019-12-H1", "2019年12月上半月"), ("2020-01-H2", "2020年1月下半月")])
def test_a_period_reads_as_a_person_says_it(code: str, label: str) -> None:
    assert Period.parse(code).label == label
