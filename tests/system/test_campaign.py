"""The 2019–2020 campaign as the town lives it, step by step on a moved business clock (issue 14).

One demo town, the real services as processes, and the clock moved with `LOOKBACK_NOW` per step:
investigation (December) → rectification (January) → an escalation and an answer the station enters
on the county's behalf → extensions (February). Each step checks what the plan says must hold then.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from lookback_log import raw_client
from lookback_town import Town

from apps import demo
from lookback.auth.users import Role, UserStore
from lookback.contracts.subjects import STREAM

PLACEHOLDERS = {"各村", "各指挥部"}


@dataclass
class Campaign:
    town: Town
    county: str

    def move_clock(self, day: str) -> None:
        """The services that read the business clock: intake (found-on dates), rectify (action dates,
        the deadline watch) and reporting (the periods a report may be asked for end at today's)."""
        for service in ("intake", "rectify", "reporting"):
            self.town.restart(service, LOOKBACK_NOW=day)
        self.town.wait_idle()

    def call(self, method: str, path: str, token: str | None = None, **body: Any) -> httpx.Response:
        return self.town.call(method, "rectify", path, token, **body)

    def cases(self, **params: str) -> list[dict[str, Any]]:
        reply = self.call("GET", "/cases?" + "&".join(f"{k}={v}" for k, v in params.items()))
        return reply.json()  # type: ignore[no-any-return]

    def case_cli(self, *args: str) -> Any:
        return self.town.cli("case", *args, "--api-url", self.town.system.url("rectify"), check=False)

    def report(self, period: str, **params: str) -> dict[str, Any]:
        return self.town.get("reporting", "/reports/semimonthly", period=period, **params)  # type: ignore[no-any-return]


def said(result: Any) -> str:
    """What a refused command printed, without the line breaks a narrow terminal puts in it."""
    return "".join(result.stderr.split())


def log_types(nats_url: str, subjects: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        nc = await raw_client(nats_url)
        js = nc.jetstream()
        info = await js.stream_info(STREAM, subjects_filter=subjects)
        total = sum((info.state.subjects or {}).values())
        sub = await js.subscribe(subjects, ordered_consumer=True)
        out = [json.loads((await sub.next_msg(timeout=10)).data) for _ in range(total)]
        await nc.close()
        return out

    return asyncio.run(read())


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    town = Town(tmp_path_factory.mktemp("campaign") / "town")  # the business clock stands on 2019-12-01
    try:
        roster, villages = demo.write_csv(demo.generate(80, seed=14), town.root / "demo")
        town.import_roster(roster, villages, as_of="2019-12-01")
        town.wait_idle()
        county = UserStore(town.root / "users.json").add("county-zhou", Role.COUNTY)
        yield Campaign(town, county)
    finally:
        town.stop()


def test_1_investigation_lists_counts_and_owns_but_nothing_is_overdue(campaign: Campaign) -> None:
    campaign.move_clock("2019-12-31")
    cases = campaign.cases()
    assert cases and not any(c["overdue"] for c in cases)
    assert min(c["deadline"] for c in cases) == "2020-01-26"  # 2020-01-11, the phase's start, + 15 days
    assert log_types(campaign.town.nats.url_as("admin"), "lb.case.*.overdue") == []

    report = campaign.report("2019-12-H2")["current"]
    assert report["found_cumulative"] == len(cases) and report["overdue"] == 0
    assert PLACEHOLDERS.isdisjoint(report["by_unit"])

    for c in cases:  # 各村 is the household's village; 各指挥部 the item's command
        assert c["lead_unit"] not in PLACEHOLDERS
        if c["item"] in (12, 13):
            assert c["lead_unit"] == c["village"]
        if c["item"] == 15:
            assert (c["lead_unit"], c["co_units"]) == ("扶贫工作站", ["农综中心"])
    assert {c["item"] for c in cases} & {12, 13}

    ledger = campaign.town.get("reporting", "/reports/exports/ledger", period="2019-12-H2", format="json")
    rows = ledger["rows"]
    assert PLACEHOLDERS.isdisjoint(r["责任单位"] for r in rows)
    if any(c["item"] == 15 for c in cases):
        assert "农综中心" in {r["配合单位"] for r in rows}
    metrics = httpx.get(f"{campaign.town.system.url('reporting')}/metrics", timeout=30).text
    assert 'unit="各村"' not in metrics and 'unit="各指挥部"' not in metrics


def test_2_dates_that_cannot_lie(campaign: Campaign) -> None:
    """Still 2019-12-31: before the case opened, after today, or not a date at all is refused in words."""
    case = campaign.cases(status="pending")[0]["case_id"]
    before = campaign.case_cli("start", case, "--measures", "x", "--on", "2019-11-01")
    future = campaign.case_cli("start", case, "--measures", "x", "--on", "2020/01/12")
    garbage = campaign.case_cli("start", case, "--measures", "x", "--on", "一月十二日")
    for refused in (before, future, garbage):
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "早于本案立案日期2019-12-01" in said(before)
    assert "晚于今天2019-12-31" in said(future)
    assert "日期无法识别" in said(garbage) and "notadate" in said(garbage)
    assert campaign.call("GET", f"/cases/{case}").json()["status"] == "pending"

    found_later = campaign.town.cli(
        "report-issue",
        "--place",
        "杨店村",
        "--item",
        "32",
        "--description",
        "会议过多",
        "--found-on",
        "2020年1月5日",
        check=False,
    )
    assert found_later.returncode == 2 and "发现日期晚于今天" in said(found_later)
    found = campaign.town.cli(
        "report-issue", "--place", "杨店村", "--item", "32", "--description", "会议过多", "--found-on", "2019.12.30"
    )
    assert json.loads(found.stdout)["new"] is True


def test_3_rectification_takes_every_written_date_and_a_backdated_dismissal_is_refused(campaign: Campaign) -> None:
    campaign.move_clock("2020-01-20")
    first, second = (c["case_id"] for c in campaign.cases(status="pending")[:2])
    started = campaign.case_cli("start", first, "--measures", "入户核查", "--on", "2020/01/12")
    assert started.returncode == 0, started.stderr
    assert campaign.call("GET", f"/cases/{first}").json()["status_since"] == "2020-01-12"

    backdated = campaign.case_cli("dismiss", first, "--reason", "不属实", "--on", "2020-01-11")
    assert backdated.returncode == 2 and "早于本案上一次办理日期2020-01-12" in said(backdated)
    assert campaign.case_cli("dismiss", first, "--reason", "经核实不属实", "--on", "2020.1.15").returncode == 0
    assert campaign.case_cli("rectified", second, "--measures", "已落实", "--on", "2020年1月14日").returncode == 0
    campaign.town.wait_idle()

    listed = Counter(c["status"] for c in campaign.cases())
    report = campaign.report("2020-01-H2")["current"]
    assert {s: n for s, n in report["status"].items() if n} == dict(listed)
    assert campaign.report("2020-01-H1")["current"]["dismissed"] == 1
    assert campaign.call("GET", f"/cases/{first}").json()["status"] == "dismissed"


def test_4_only_the_county_answers_and_the_station_enters_its_paper_answer(campaign: Campaign) -> None:
    paper, own = (c["case_id"] for c in campaign.cases(status="pending")[:2])
    for case in (paper, own):
        escalated = campaign.call("POST", f"/cases/{case}/escalate", county_unit="县住建局", reason="需县级资金")
        assert escalated.json()["status"] == "escalated"

    by_station = campaign.call("POST", f"/cases/{paper}/answer", accepted=True, on="2020-01-18")
    assert by_station.status_code == 403
    entered = campaign.call(
        "POST", f"/cases/{paper}/answer", accepted=True, entered_for="县住建局王科长", note="纸质答复：纳入县级计划"
    )
    assert entered.status_code == 200 and entered.json()["status"] == "county_accepted"
    answered = campaign.call(
        "POST", f"/cases/{own}/answer", campaign.county, accepted=True, new_deadline="2020年5月31日"
    )
    assert answered.status_code == 200
    assert (answered.json()["status"], answered.json()["deadline"]) == ("county_accepted", "2020-05-31")
    again = campaign.call("POST", f"/cases/{paper}/answer", campaign.county, accepted=False)
    assert again.status_code == 409

    [accepted] = [e for e in campaign.call("GET", f"/cases/{paper}/history").json() if e["type"].endswith("accepted")]
    assert (accepted["actor"], accepted["payload"]["entered_for"]) == ("user:station", "县住建局王科长")
    campaign.town.wait_idle()
    report = campaign.report("2020-01-H2")["current"]
    assert report["status"]["county_accepted"] == 2
    assert report["time_in_status"]["county_accepted"]["cases"] == 2


def test_5_extensions_and_what_was_known_at_a_business_instant(campaign: Campaign) -> None:
    """Still 2020-01-20: an extension before the first deadlines pass; then the clock moves past them."""
    extended, late = [c["case_id"] for c in campaign.cases(status="pending") if c["deadline"] == "2020-01-26"][:2]
    reply = campaign.case_cli("extend", extended, "--new-deadline", "2020年3月31日", "--reason", "春节停工")
    assert reply.returncode == 0, reply.stderr
    campaign.move_clock("2020-02-10")
    assert campaign.case_cli("rectified", late, "--measures", "补录", "--on", "2020-01-25").returncode == 0
    campaign.town.wait_idle()

    overdue = campaign.cases(overdue="true")
    assert overdue and all(c["deadline"] < "2020-02-10" for c in overdue)
    assert extended not in {c["case_id"] for c in overdue}
    assert campaign.call("GET", f"/cases/{extended}").json()["deadline"] == "2020-03-31"
    assert extended not in {
        e["aggregate_id"] for e in log_types(campaign.town.nats.url_as("admin"), "lb.case.*.overdue")
    }

    # What was known at the end of 2020-01-H2 on the campaign's clock: the late entry made on 2020-02-10
    # is left out; with the wall clock it would have left out everything.
    known = campaign.report("2020-01-H2", known_at="2020-01-31T23:59:59+08:00")["current"]
    now = campaign.report("2020-01-H2")["current"]
    assert known["found_cumulative"] == now["found_cumulative"] > 0
    assert now["rectified"] == known["rectified"] + 1
