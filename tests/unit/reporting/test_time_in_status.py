"""Time in each status, from the days the events name: every move ends one stay and starts the next."""

from __future__ import annotations

from datetime import date

from lookback.calendar import Period
from lookback.catalogue import load
from services.reporting.domain.semimonthly import semimonthly

from .factories import Log

CATALOGUE = load()


def times(log: Log, period: str) -> dict:
    return semimonthly(log.facts, Period.parse(period), CATALOGUE)["current"]["time_in_status"]


def test_each_stay_lasts_from_its_move_to_the_next_and_the_last_to_the_period_end() -> None:
    log = Log()
    deadline = date(2020, 6, 30)
    log.problem("a", date(2019, 12, 1), deadline=deadline)
    log.start("a", date(2019, 12, 5))
    log.rectify("a", date(2019, 12, 10))
    log.verify("a", date(2019, 12, 12), deadline)

    spent = times(log, "2019-12-H1")

    assert {s: t["days"] for s, t in spent.items()} == {
        "pending": 4,
        "in_progress": 5,
        "rectified": 2,
        "escalated": 0,
        "county_accepted": 0,
        "verified": 4,
        "dismissed": 0,
    }
    assert spent["pending"] == {"cases": 1, "days": 4, "mean_days": 4.0}
    assert spent["escalated"] == {"cases": 0, "days": 0, "mean_days": None}


def test_a_status_entered_twice_adds_up_and_counts_the_case_once() -> None:
    log = Log()
    log.problem("a", date(2019, 12, 1), deadline=date(2020, 6, 30))
    log.start("a", date(2019, 12, 2))
    log.rectify("a", date(2019, 12, 4))
    log.fail("a", date(2019, 12, 6))
    log.problem("b", date(2019, 12, 10))

    spent = times(log, "2019-12-H1")

    assert spent["in_progress"] == {"cases": 1, "days": 2 + 10, "mean_days": 12.0}  # 12-02..04, then 12-06..15
    assert spent["pending"] == {"cases": 2, "days": 1 + 6, "mean_days": 3.5}


def test_a_case_opened_on_the_last_day_has_spent_one_day() -> None:
    log = Log()
    log.problem("a", date(2019, 12, 15))
    assert times(log, "2019-12-H1")["pending"]["days"] == 1
