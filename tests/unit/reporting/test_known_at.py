"""Business time decides the period; recorded time decides what was known: a late entry counts in the
period it happened in, and a report "as known at" an earlier instant leaves it out."""

from __future__ import annotations

from datetime import date, datetime

from lookback.calendar import Period
from lookback.catalogue import load
from lookback.clock import CST
from services.reporting.domain.semimonthly import semimonthly

from .factories import Log, noon

CATALOGUE = load()
H1 = Period.parse("2020-01-H1")


def campaign() -> Log:
    """Verified on 01-10, but entered only on 01-20: a late entry."""
    log = Log()
    deadline = date(2020, 1, 31)
    log.problem("a", date(2019, 12, 1), deadline=deadline)
    log.problem("b", date(2019, 12, 1), deadline=deadline)
    log.rectify("a", date(2020, 1, 5))
    log.verify("a", date(2020, 1, 10), deadline, recorded=noon(date(2020, 1, 20)))
    return log


def test_a_late_entry_counts_in_the_period_of_its_business_day() -> None:
    current = semimonthly(campaign().facts, H1, CATALOGUE)["current"]
    assert (current["verified"], current["open"]) == (1, 1)


def test_as_known_at_an_earlier_instant_the_late_entry_is_left_out() -> None:
    log = campaign()
    at_period_end = datetime(2020, 1, 16, 9, tzinfo=CST)

    then = semimonthly(log.facts, H1, CATALOGUE, known_at=at_period_end)
    now = semimonthly(log.facts, H1, CATALOGUE, known_at=datetime(2020, 1, 21, tzinfo=CST))

    assert (then["current"]["verified"], then["current"]["open"], then["current"]["rectified"]) == (0, 2, 1)
    assert then["known_at"] == "2020-01-16T09:00:00+08:00"
    assert now["current"] == semimonthly(log.facts, H1, CATALOGUE)["current"]


def test_known_at_is_inclusive_and_zone_aware() -> None:
    log = campaign()
    recorded = noon(date(2020, 1, 20))

    same_instant_in_utc = recorded.astimezone(datetime.now().astimezone().tzinfo)
    assert semimonthly(log.facts, H1, CATALOGUE, known_at=same_instant_in_utc)["current"]["verified"] == 1


def test_steps_fold_in_the_order_they_happened_not_the_order_they_were_entered() -> None:
    """Started on 12-03 but entered after the rectification of 12-05: the case still ends 已整改待验收,
    and its time in 整改中 runs from 12-03 to 12-05."""
    log = Log()
    log.problem("a", date(2019, 12, 1), deadline=date(2020, 6, 30))
    log.rectify("a", date(2019, 12, 5))
    log.start("a", date(2019, 12, 3), recorded=noon(date(2019, 12, 6)))

    current = semimonthly(log.facts, Period.parse("2019-12-H1"), CATALOGUE)["current"]

    assert current["status"]["rectified"] == 1
    assert current["time_in_status"]["in_progress"]["days"] == 2
