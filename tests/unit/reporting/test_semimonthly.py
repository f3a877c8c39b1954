"""The half-monthly statistics from events: period edges, flows and stocks, rates, groups, determinism."""

from __future__ import annotations

import json
import random
from datetime import date

from lookback.calendar import Period
from lookback.catalogue import load
from services.reporting.domain.measures import rate
from services.reporting.domain.semimonthly import reportable, semimonthly, span, trend

from .factories import Log

CATALOGUE = load()
H1, H2 = Period.parse("2019-12-H1"), Period.parse("2019-12-H2")


def report(log: Log, period: Period) -> dict:
    return semimonthly(log.facts, period, CATALOGUE)


def test_a_problem_counts_in_the_period_of_its_business_day_both_edges_included() -> None:
    log = Log()
    for pid, day in {
        "a": date(2019, 12, 1),
        "b": date(2019, 12, 15),
        "c": date(2019, 12, 16),
        "d": date(2019, 12, 31),
    }.items():
        log.problem(pid, day)

    first, second = report(log, H1)["current"], report(log, H2)["current"]

    assert (first["found"], first["found_cumulative"]) == (2, 2)
    assert (second["found"], second["found_cumulative"]) == (2, 4)
    assert report(log, Period.parse("2020-01-H1"))["current"]["found"] == 0


def test_each_period_stands_next_to_the_previous_one() -> None:
    log = Log()
    log.problem("a", date(2019, 12, 2))
    log.problem("b", date(2019, 12, 20))

    out = report(log, H2)

    assert (out["period"], out["first_day"], out["last_day"]) == ("2019-12-H2", "2019-12-16", "2019-12-31")
    assert out["previous"]["period"] == "2019-12-H1"
    assert (out["previous"]["found"], out["current"]["found"]) == (1, 1)
    assert out["previous"]["last_day"] == "2019-12-15"


def test_flows_count_within_the_period_and_stocks_at_its_end() -> None:
    log = Log()
    for pid in "abcde":
        log.problem(pid, date(2019, 12, 1), deadline=date(2020, 6, 30))
    log.rectify("a", date(2019, 12, 5))
    log.fail("a", date(2019, 12, 8))
    log.rectify("a", date(2019, 12, 10))  # twice in the period, one case
    log.verify("a", date(2019, 12, 20), date(2020, 6, 30))
    log.rectify("b", date(2019, 12, 14))
    log.dismiss("c", date(2019, 12, 18))
    log.escalate("d", date(2019, 12, 3))

    first, second = report(log, H1)["current"], report(log, H2)["current"]

    assert (first["rectified"], first["verified"], first["escalated"], first["dismissed"]) == (2, 0, 1, 0)
    assert first["status"] == {
        "pending": 2,
        "in_progress": 0,
        "rectified": 2,
        "escalated": 1,
        "county_accepted": 0,
        "verified": 0,
        "dismissed": 0,
    }
    assert (second["rectified"], second["verified"], second["dismissed"]) == (0, 1, 1)
    assert (second["rectified_cumulative"], second["verified_cumulative"], second["escalated_cumulative"]) == (2, 1, 1)
    assert (first["open"], second["open"]) == (5, 3)


def test_rectification_rate_leaves_dismissed_problems_out_and_has_no_value_without_problems() -> None:
    log = Log()
    assert report(log, H1)["current"]["rectification_rate"] is None
    for pid in "abcd":
        log.problem(pid, date(2019, 12, 1))
    log.rectify("a", date(2019, 12, 2))
    log.dismiss("b", date(2019, 12, 2))

    current = report(log, H1)["current"]

    assert current["rectification_rate"] == rate(1, 3) == 0.3333
    assert current["verified_rate"] == 0.0
    log.dismiss("c", date(2019, 12, 3))
    log.dismiss("d", date(2019, 12, 3))
    log.dismiss("a", date(2019, 12, 3))
    assert report(log, H1)["current"]["rectification_rate"] is None  # all dismissed: nothing real to rectify


def test_groups_by_village_category_item_unit_and_rule() -> None:
    log = Log()
    log.problem("a", date(2019, 12, 1), village="桃园村", item=1)
    log.problem("b", date(2019, 12, 1), village="新河村", item=3)
    log.problem("c", date(2019, 12, 1), village="新河村", item=7)

    current = report(log, H1)["current"]

    assert {k: v["found"] for k, v in current["by_village"].items()} == {"桃园村": 1, "新河村": 2}
    nine = ("一", "二", "三", "四", "五", "六", "七", "八", "九")
    assert {k: v["found"] for k, v in current["by_category"].items()} == {k: 0 for k in nine} | {"一": 2, "二": 1}
    assert {k: v["found"] for k, v in current["by_item"].items()} == {"1": 1, "3": 1, "7": 1}
    assert {k: v["found"] for k, v in current["by_unit"].items()} == {"干汊河中心校": 1, "集镇办": 1, "扶贫工作站": 1}
    assert set(current["by_rule"]) == {"R01", "R03", "R07A"}


def test_cleared_by_data_counts_in_the_period_of_the_roster_that_cleared_it() -> None:
    log = Log()
    log.problem("a", date(2019, 12, 1))
    log.clear("a", date(2019, 12, 20))
    log.rectify("a", date(2019, 12, 20), by="data")

    assert report(log, H1)["current"]["cleared_by_data"] == 0
    second = report(log, H2)["current"]
    assert (second["cleared_by_data"], second["rectified"], second["open"]) == (1, 1, 1)  # awaits verification


def test_the_same_events_in_any_arrival_order_give_the_same_bytes() -> None:
    log = Log()
    for n in range(12):
        pid = f"p{n}"
        log.problem(pid, date(2019, 12, 1 + n), village=["桃园村", "新河村"][n % 2], item=[1, 3, 7][n % 3])
        if n % 2:
            log.rectify(pid, date(2019, 12, 20))
    shuffled = list(log.facts)
    random.Random(4).shuffle(shuffled)

    def dump(facts: list) -> str:
        return json.dumps(semimonthly(facts, H2, CATALOGUE), ensure_ascii=False, sort_keys=True)

    assert dump(shuffled) == dump(log.facts)


def test_trend_runs_from_the_first_period_with_facts_to_the_one_asked() -> None:
    log = Log()
    log.problem("a", date(2019, 12, 1), deadline=date(2019, 12, 10))
    log.problem("b", date(2020, 1, 2))
    log.rectify("a", date(2020, 1, 5))

    points = trend(log.facts, Period.parse("2020-01-H2"), CATALOGUE)

    assert [p["period"] for p in points] == ["2019-12-H1", "2019-12-H2", "2020-01-H1", "2020-01-H2"]
    assert [p["found"] for p in points] == [1, 0, 1, 0]
    assert [p["overdue"] for p in points] == [1, 1, 1, 2]  # awaiting verification is still open
    assert [p["rectified"] for p in points] == [0, 0, 1, 0]
    assert [p.code for p in span([f.day for f in log.facts])] == ["2019-12-H1", "2019-12-H2", "2020-01-H1"]


def test_reports_may_be_asked_for_the_periods_the_log_spans_up_to_today_or_the_campaigns_end() -> None:
    log = Log()
    log.problem("a", date(2019, 12, 3))
    log.problem("b", date(2020, 1, 20))
    ends = date(2020, 6, 30)
    days = [f.day for f in log.facts]

    assert reportable(days, date(2026, 12, 2), ends) == (Period.parse("2019-12-H1"), Period.parse("2026-12-H1"))
    assert reportable(days, date(2019, 12, 20), ends) == (Period.parse("2019-12-H1"), Period.parse("2020-06-H2"))
    assert reportable(days, date(2019, 12, 20), date(2019, 12, 31)) == (
        Period.parse("2019-12-H1"),
        Period.parse("2020-01-H2"),
    )
    assert reportable([], date(2020, 2, 1), ends) == (Period.parse("2020-02-H1"), Period.parse("2020-06-H2"))
