"""A digest: counts per owner on a business day, links in 我的待办's words, no person anywhere, and the
bodies 企业微信 and 钉钉 robots take."""

from __future__ import annotations

import json
from datetime import date, timedelta

import httpx
import pytest

from lookback.cases.state import evolve
from lookback.catalogue import load as load_catalogue
from lookback.contracts.digests import WebhookFormat, digest_key
from services.rectify.domain.digest import Owner, compose, town_owners
from services.rectify.domain.robots import message
from services.rectify.sender import DigestSettings, accepted, retry_delay

from .factories import ASSIGN, DEADLINE, ESCALATE, OPENED_ON, START, VILLAGE, case_in, new_case, opened, run

OTHER = "杨湾村"
SOON = 3


def town() -> list:
    """Four open cases in 桃园村 (one assigned to a named person), one closed, one in another village."""
    mine = [
        run(new_case(), ASSIGN),  # pending, person 李四 named
        run(evolve(None, opened(case_id="c2", deadline=OPENED_ON + timedelta(days=2))), START),
        run(evolve(None, opened(case_id="c3")), START, ESCALATE),
        evolve(None, opened(case_id="c4", deadline=OPENED_ON - timedelta(days=1))),
    ]
    return [*mine, case_in("verified"), evolve(None, opened(case_id="c9", village=OTHER, co_responsible=OTHER))]


def test_a_village_gets_its_own_open_cases_counted() -> None:
    day = OPENED_ON + timedelta(days=1)
    digest = compose(Owner("village", VILLAGE), day, town(), SOON)
    assert (digest.newly_assigned, digest.due_soon, digest.overdue, digest.escalated) == (4, 1, 1, 1)
    assert digest.submissions_due == 0
    assert digest.kind == "daily" and digest.period is None


def test_newly_assigned_is_what_opened_since_the_previous_day() -> None:
    assert compose(Owner("village", VILLAGE), OPENED_ON + timedelta(days=2), town(), SOON).newly_assigned == 0


def test_the_station_and_the_county_count_every_case_and_a_unit_what_it_leads() -> None:
    day = OPENED_ON + timedelta(days=1)
    assert compose(Owner("station", "全镇"), day, town(), SOON).newly_assigned == 5
    assert compose(Owner("county", "县级"), day, town(), SOON).escalated == 1
    assert compose(Owner("unit", "集镇办"), day, town(), SOON).newly_assigned == 5
    assert compose(Owner("unit", "民政办"), day, town(), SOON).newly_assigned == 0


def test_the_day_after_a_half_month_ends_is_the_period_end_digest() -> None:
    digest = compose(Owner("village", VILLAGE), date(2020, 1, 16), town(), SOON)
    assert (digest.kind, digest.period) == ("period_end", "2020-01-H1")
    assert compose(Owner("village", VILLAGE), date(2020, 2, 1), town(), SOON).period == "2020-01-H2"


def test_submissions_due_soon_or_late_are_counted() -> None:
    day = date(2020, 1, 18)
    due = [day - timedelta(days=1), day + timedelta(days=3), day + timedelta(days=4)]
    assert compose(Owner("village", VILLAGE), day, [], SOON, submissions_due=due).submissions_due == 2


def test_only_the_station_is_told_of_the_villages_and_units_submissions() -> None:
    day = date(2020, 1, 18)
    late = [day - timedelta(days=1)] * 4
    station = compose(Owner("station", "全镇"), day, [], SOON, [day], late)
    assert (station.submissions_due, station.lower_submissions_due) == (1, 4)
    text = message(station, "dingtalk", "http://wb")["markdown"]["text"]
    assert "[村和单位未报送：4 件](http://wb/submissions)" in text and "[待报送：1 件](http://wb/submissions)" in text
    village = message(compose(Owner("village", VILLAGE), day, [], SOON, late), "json", "")
    assert village["counts"]["submissions_due"] == 4 and "lower_submissions_due" not in village["counts"]


def test_links_are_worklist_filters_of_the_owner() -> None:
    links = compose(Owner("village", VILLAGE), OPENED_ON, town(), SOON).links
    assert links["overdue"] == "/work?overdue=true&village=%E6%A1%83%E5%9B%AD%E6%9D%91"
    assert compose(Owner("station", "全镇"), OPENED_ON, town(), SOON).links["due_soon"] == "/work?due_soon=true"
    assert links["submissions_due"] == "/submissions" and "lower_submissions_due" not in links


def test_every_owner_of_the_town_once_and_one_key_per_owner_and_day() -> None:
    owners = town_owners(load_catalogue())
    assert len({(o.kind, o.name) for o in owners}) == len(owners)
    kinds = {o.kind for o in owners}
    assert kinds == {"village", "unit", "station", "county"}
    keys = {digest_key(o.kind, o.name, d) for o in owners for d in (OPENED_ON, DEADLINE)}
    assert len(keys) == 2 * len(owners)
    assert all(k.isalnum() and k.isascii() for k in keys)


@pytest.mark.parametrize("fmt", ["wecom", "dingtalk", "json"])
def test_no_person_is_named_in_any_format(fmt: WebhookFormat) -> None:
    cases = town()
    assert any(c.person for c in cases)
    for owner in (Owner("village", VILLAGE), Owner("station", "全镇")):
        body = json.dumps(
            message(compose(owner, OPENED_ON + timedelta(1), cases, SOON), fmt, "http://wb"), ensure_ascii=False
        )
        assert "李四" not in body
        assert "c1" not in body  # nor a case id: counts and links only


def test_robot_bodies() -> None:
    digest = compose(Owner("village", VILLAGE), OPENED_ON + timedelta(1), town(), SOON)
    wecom = message(digest, "wecom", "http://wb")
    assert wecom["msgtype"] == "markdown" and set(wecom["markdown"]) == {"content"}
    assert "[逾期：1 件](http://wb/work?overdue=true&village=" in wecom["markdown"]["content"]
    assert "桃园村 今日提醒（2020-01-12）" in wecom["markdown"]["content"]
    ding = message(digest, "dingtalk", "http://wb")
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"] == "桃园村 今日提醒（2020-01-12）"
    assert ding["markdown"]["text"] == wecom["markdown"]["content"]
    plain = message(digest, "json", "http://wb")
    assert plain["counts"]["overdue"] == 1 and plain["links"]["overdue"].startswith("http://wb/work?")
    ended = message(compose(Owner("village", VILLAGE), date(2020, 1, 16), [], SOON), "dingtalk", "")
    assert ended["markdown"]["title"] == "桃园村 2020年1月上半月结束提醒（2020-01-16）"


def test_a_robot_refusal_in_a_200_is_a_failure() -> None:
    refused = httpx.Response(200, json={"errcode": 93000, "errmsg": "invalid webhook url"})
    assert not accepted("wecom", refused) and not accepted("dingtalk", refused)
    assert accepted("json", refused)
    assert accepted("dingtalk", httpx.Response(200, json={"errcode": 0, "errmsg": "ok"}))
    assert not accepted("json", httpx.Response(502))


def test_retries_back_off_up_to_ten_minutes() -> None:
    settings = DigestSettings(retry_seconds=5)
    assert [retry_delay(settings, n) for n in (1, 2, 3)] == [5, 10, 20]
    assert retry_delay(settings, 30) == 600
