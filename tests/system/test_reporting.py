"""A scripted campaign through the real services, checked against counts the test computes on its own.

Two rosters (2019-12-01 and a corrected one of 2019-12-20) give the problems; the case steps are
published to the stream as the rectify API will publish them, over three months of business days.
The expected numbers come from a small fold written here from the plan's words, over the raw events
read back from the stream, never from reporting's code.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from lookback_log import raw_client
from lookback_town import Town

from apps import demo
from apps.runner import wait_for
from lookback.auth.users import Role, UserStore
from lookback.calendar import Period, periods_between
from lookback.clock import start_of_day
from lookback.contracts import rectify as ev
from lookback.contracts.envelope import Envelope, Event, new_envelope
from lookback.contracts.subjects import STREAM
from lookback.messaging import Publisher, connect

PERIODS = periods_between(Period.parse("2019-12-H1"), Period.parse("2020-02-H1"))
CHECKED = (
    "found",
    "found_cumulative",
    "cleared_by_data",
    "rectified",
    "verified",
    "dismissed",
    "escalated",
    "open",
    "overdue",
    "status",
)
CLOCK_MOVED_TO = date(2020, 2, 10)  # past the first 立行立改 deadlines: 2020-01-11 (the phase opens) + 15 days


@dataclass
class Case:
    village: str
    deadline: date
    status: str = "pending"
    escalated_from: str = ""
    moves: list[tuple[str, date]] = field(default_factory=list)


async def read_log(url: str) -> list[dict[str, Any]]:
    nc = await raw_client(url)
    js = nc.jetstream()
    total = (await js.stream_info(STREAM)).state.messages
    sub = await js.subscribe("lb.>", ordered_consumer=True)
    out = [dict(json.loads((await sub.next_msg(timeout=10)).data), seq=n + 1) for n in range(total)]
    await nc.close()
    return out


def expected(log: list[dict[str, Any]], period: Period) -> dict[str, Any]:
    """The plan's words, folded by business day: open = not 已销号/不属实; overdue = open past its deadline."""
    first, last = period.first_day, period.last_day

    def day(e: dict[str, Any]) -> date:
        p = e["payload"]
        return date.fromisoformat(p.get("on") or p.get("as_of") or p.get("assigned_on") or e["business_time"][:10])

    found: dict[str, tuple[date, str]] = {}
    cleared: set[str] = set()
    cases: dict[str, Case] = {}
    for e in sorted((e for e in log if day(e) <= last), key=lambda e: (day(e), e["seq"])):
        kind, p, d = e["type"], e["payload"], day(e)
        if kind == "problem.flagged":
            found.setdefault(p["problem_id"], (d, p["village"]))
        elif kind == "problem.cleared_by_data" and first <= d:
            cleared.add(p["problem_id"])
        elif kind == "case.opened":
            cases[p["case_id"]] = Case(p["village"], date.fromisoformat(p["deadline"]))
        elif kind.startswith("case.") and "on" in p:
            case = cases[p["case_id"]]
            case.moves.append((kind, d))
            if kind == "case.deadline_extended":
                case.deadline = date.fromisoformat(p["new_deadline"])
            elif kind == "case.escalated":
                case.escalated_from, case.status = case.status, "escalated"
            elif kind == "case.escalation_accepted":
                case.status = "county_accepted"
            elif kind == "case.escalation_returned":
                case.status = case.escalated_from
            else:
                case.status = {
                    "case.rectification_started": "in_progress",
                    "case.verification_failed": "in_progress",
                    "case.rectified": "rectified",
                    "case.verified": "verified",
                    "case.dismissed": "dismissed",
                }.get(kind, case.status)
    open_ = {c for c, case in cases.items() if case.status not in ("verified", "dismissed")}

    def moved(kind: str) -> int:
        return sum(any(k == kind and first <= d for k, d in case.moves) for case in cases.values())

    statuses = [case.status for case in cases.values()]
    return {
        "found": sum(first <= d for d, _ in found.values()),
        "found_cumulative": len(found),
        "cleared_by_data": len(cleared),
        "rectified": moved("case.rectified"),
        "verified": moved("case.verified"),
        "dismissed": moved("case.dismissed"),
        "escalated": moved("case.escalated"),
        "open": len(open_),
        "overdue": sum(cases[c].deadline < last for c in open_),
        "status": {s: statuses.count(s) for s in ev.STATUS_LABELS},
        "overdue_now": sum(cases[c].deadline < CLOCK_MOVED_TO for c in open_),
        "by_village": {
            v: {
                "found": sum(first <= d for d, vv in found.values() if vv == v),
                "found_cumulative": sum(vv == v for _, vv in found.values()),
            }
            for _, v in found.values()
        },
    }


def step(event: Event) -> Envelope:
    return new_envelope(event, actor="user:station", business_time=start_of_day(event.on))  # type: ignore[attr-defined]


async def publish(url: str, events: list[Event]) -> None:
    nc = await connect(url, "test")
    await Publisher(nc).publish_batch([step(e) for e in events])
    await nc.close()


def script(opened: list[dict[str, Any]]) -> tuple[list[Event], list[Event], Event]:
    """Steps for the cases of the first roster, by group; returns the steps up to 12-15, those after,
    and one verification of 2020-01-08 that is entered late."""
    ids = sorted(p["case_id"] for p in opened)
    g1, g2, g3, g4, g5 = ids[0:3], ids[3:6], ids[6:8], ids[8:10], ids[10:12]
    d = date
    early: list[Event] = []
    late: list[Event] = []
    for c in g1:
        early += [
            ev.RectificationStarted(case_id=c, on=d(2019, 12, 5), measures="入户核查"),
            ev.CaseRectified(case_id=c, on=d(2019, 12, 12), measures="已整改", by="person"),
            ev.CaseVerified(case_id=c, on=d(2019, 12, 14), deadline=d(2020, 6, 30), on_time=True),
        ]
    for c in g5:
        deadline = next(date.fromisoformat(p["deadline"]) for p in opened if p["case_id"] == c)
        early.append(
            ev.DeadlineExtended(
                case_id=c,
                on=d(2019, 12, 10),
                old_deadline=deadline,
                new_deadline=d(2020, 2, 29),
                reason="春节期间无法施工",
            )
        )
    for c in g2:
        late += [
            ev.CaseRectified(case_id=c, on=d(2019, 12, 18), measures="已整改", by="person"),
            ev.VerificationFailed(case_id=c, on=d(2019, 12, 22), reason="资料不全"),
            ev.CaseRectified(case_id=c, on=d(2020, 1, 3), measures="补充资料", by="person"),
        ]
    for c in g3:
        late += [
            ev.CaseEscalated(case_id=c, on=d(2019, 12, 20), county_unit="县住建局", reason="需县级资金"),
            ev.EscalationAccepted(case_id=c, on=d(2019, 12, 28), note="纳入县级计划"),
        ]
    for c in g4:
        late.append(ev.CaseDismissed(case_id=c, on=d(2020, 1, 5), reason="经核实不属实"))
    late += [ev.CaseVerified(case_id=c, on=d(2020, 1, 8), deadline=d(2020, 6, 30), on_time=True) for c in g2[1:]]
    entered_late = ev.CaseVerified(case_id=g2[0], on=d(2020, 1, 8), deadline=d(2020, 6, 30), on_time=True)
    return early, late, entered_late


def raw(town: Town, path: str, **params: str) -> bytes:
    token = town.system.station_token()
    response = httpx.get(
        f"{town.system.url('reporting')}{path}", params=params, timeout=60, headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    return response.content


@dataclass
class Campaign:
    town: Town
    log: list[dict[str, Any]]
    known_at: str
    before_late_entry: dict[str, Any]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    town = Town(tmp_path_factory.mktemp("reporting") / "town", env={"LOOKBACK_NOW": "2019-12-10"})
    try:
        base = demo.generate(80, seed=11)
        town.import_roster(*demo.write_csv(base, town.root / "first"), as_of="2019-12-01")
        town.wait_idle()
        opened = [e["payload"] for e in asyncio.run(read_log(town.nats.url_as("admin"))) if e["type"] == "case.opened"]
        early, late, entered_late = script(opened)
        asyncio.run(publish(town.nats.url_as("admin"), early))
        town.import_roster(*demo.write_csv(demo.correct(base, 0.3, seed=2), town.root / "second"), as_of="2019-12-20")
        asyncio.run(publish(town.nats.url_as("admin"), late))
        town.wait_idle()
        before = json.loads(raw(town, "/reports/semimonthly", period="2020-01-H1"))
        known_at = datetime.now(UTC).isoformat()
        asyncio.run(publish(town.nats.url_as("admin"), [entered_late]))
        town.wait_idle()
        yield Campaign(town, asyncio.run(read_log(town.nats.url_as("admin"))), known_at, before)
    finally:
        town.stop()


def test_each_period_matches_the_script(campaign: Campaign) -> None:
    assert sum(e["type"] == "problem.cleared_by_data" for e in campaign.log) > 0
    for period in PERIODS:
        report = campaign.town.get("reporting", "/reports/semimonthly", period=period.code)
        want = expected(campaign.log, period)
        assert {k: report["current"][k] for k in CHECKED} == {k: want[k] for k in CHECKED}, period.code
        by_village = {
            v: {k: s[k] for k in ("found", "found_cumulative")} for v, s in report["current"]["by_village"].items()
        }
        assert by_village == want["by_village"], period.code
        previous = expected(campaign.log, period.previous())
        assert {k: report["previous"][k] for k in CHECKED} == {k: previous[k] for k in CHECKED}, period.code


def test_as_known_at_leaves_the_late_entry_out(campaign: Campaign) -> None:
    now = campaign.town.get("reporting", "/reports/semimonthly", period="2020-01-H1")
    then = campaign.town.get("reporting", "/reports/semimonthly", period="2020-01-H1", known_at=campaign.known_at)

    assert now["current"]["verified"] == campaign.before_late_entry["current"]["verified"] + 1
    assert (then["current"], then["previous"]) == (
        campaign.before_late_entry["current"],
        campaign.before_late_entry["previous"],
    )
    # the same events, so the same 校验码; the late entry is after its cutoff, but in today's report
    assert then["check_code"] == campaign.before_late_entry["check_code"] != now["check_code"]


def test_exports_open_with_the_plan_columns_and_mask_for_the_county(campaign: Campaign, tmp_path: Path) -> None:
    town = campaign.town
    town.cli("report", "export", "ledger", "--period", "2020-01-H1", "--output", str(tmp_path / "ledger.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "ledger.xlsx")["整改台帐"]
    filed = list(sheet.iter_rows(values_only=True))
    rows = [r for r in filed[2:] if r[0] == "序号" or isinstance(r[0], int)]  # the header, then the rows
    assert filed[0][0] == "干汊河镇脱贫攻坚“回头看”整改台帐" and filed[-1][0].startswith("填表人")
    assert rows[0] == (
        "序号",
        "案件编号",
        "行政村",
        "户编号",
        "户主",
        "问题类别",
        "问题条目",
        "问题描述",
        "发现日期",
        "责任单位",
        "配合单位",
        "责任人",
        "整改措施",
        "整改时限",
        "整改状态",
        "上报及延期记录",
        "销号日期",
        "是否逾期",
    )
    assert len(rows) - 1 == expected(campaign.log, Period.parse("2020-01-H1"))["found_cumulative"]
    assert all(r[4] for r in rows[1:] if r[3])  # every household's 户主 is named
    assert {r[14] for r in rows[1:]} >= {"已销号", "待整改", "不属实", "县级已受理"}
    assert any("上报县级" in (r[15] or "") for r in rows[1:])

    county = UserStore(town.root / "users.json").add("county-report", Role.COUNTY)
    url = f"{town.system.url('reporting')}/reports/exports/problems"
    params = {"period": "2020-01-H1", "format": "csv"}
    masked = httpx.get(url, params=params, headers={"Authorization": f"Bearer {county}"}, timeout=60).text
    shown = raw(town, "/reports/exports/problems", **params).decode("utf-8-sig")
    flagged = [e["payload"] for e in campaign.log if e["type"] == "problem.flagged"]
    ids = [p["person_id_number"] for p in flagged if len(p.get("person_id_number") or "") == 18]
    assert ids and all(i in shown for i in ids) and not any(i in masked for i in ids)
    summary = json.loads(town.cli("report", "summary", "--period", "2020-01-H1", "--format", "json").stdout)
    assert summary["rows"][-1]["发现问题"] == len(rows) - 1
    ledger_csv = town.cli("report", "ledger", "--period", "2020-01-H1", "--format", "csv").stdout
    lines = ledger_csv.splitlines()
    assert lines[0].split(",") == list(rows[0]) and len(lines) == len(rows) + 1  # and the 校验码
    table = town.cli("report", "semimonthly", "--period", "2020-01-H1").stdout
    assert "整改率" in table and f"校验码 check code: {lines[-1].removeprefix('校验码,')}" in table


def test_a_rebuilt_read_model_gives_the_same_bytes_and_the_clock_changes_no_past_period(campaign: Campaign) -> None:
    town = campaign.town
    asked = [
        {"period": "2019-12-H2"},
        {"period": "2020-01-H1"},
        {"period": "2020-01-H1", "known_at": campaign.known_at},
    ]
    before = [raw(town, "/reports/semimonthly", **q) for q in asked]
    marks = raw(town, "/reports/milestones", period="2019-12-H2")
    ledger = raw(town, "/reports/exports/ledger", period="2020-01-H1", format="json")
    filed = [raw(town, f"/reports/exports/{kind}", period="2020-01-H1") for kind in ("problems", "ledger", "summary")]
    reporting = town.system.services["reporting"]
    reporting.stop()
    for suffix in ("", "-wal", "-shm"):
        (town.root / f"reporting.db{suffix}").unlink(missing_ok=True)
    reporting.start()
    wait_for(reporting.healthy, 60, "reporting did not come back")
    town.wait_idle()

    assert [raw(town, "/reports/semimonthly", **q) for q in asked] == before
    assert raw(town, "/reports/milestones", period="2019-12-H2") == marks
    assert raw(town, "/reports/exports/ledger", period="2020-01-H1", format="json") == ledger
    assert [raw(town, f"/reports/exports/{k}", period="2020-01-H1") for k in ("problems", "ledger", "summary")] == filed

    town.restart("rectify", LOOKBACK_NOW=CLOCK_MOVED_TO.isoformat())
    overdue_now = expected(campaign.log, Period.parse("2020-01-H2"))["overdue_now"]

    def overdue_gauge() -> float:
        metrics = httpx.get(f"{town.system.url('reporting')}/metrics", timeout=30).text
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("lookback_cases_overdue_by_unit{")
        )

    wait_for(lambda: overdue_gauge() == overdue_now, 60, f"overdue gauge never reached {overdue_now}")
    assert overdue_now > 0
    # the overdue marks the moved clock makes are dated after 2019-12-H2 (no deadline falls before the
    # rectification phase opens), so that past period's report is the same, its 校验码 included, and the
    # report printed before still checks against the log
    assert raw(town, "/reports/semimonthly", **asked[0]) == before[0]
    assert town.cli("audit", "verify-report", json.loads(before[0])["check_code"]).returncode == 0


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_the_station_page_shows_the_tables_in_a_browser(campaign: Campaign, tmp_path: Path) -> None:
    town = campaign.town
    page = f"{town.system.url('reporting')}/ui#token={town.system.station_token()}&period=2020-01-H1"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--virtual-time-budget=20000",
        "--window-size=1280,3000",
    ]

    def chromium(*args: str) -> subprocess.CompletedProcess[str]:
        profile = tempfile.mkdtemp(dir=tmp_path)
        return subprocess.run(
            [CHROMIUM or "", *flags, f"--user-data-dir={profile}", *args, page],
            capture_output=True,
            text=True,
            timeout=120,
            env=os.environ | {"LANG": "zh_CN.UTF-8"},
        )

    dom = chromium("--dump-dom").stdout
    shot = tmp_path / "report.png"
    chromium(f"--screenshot={shot}")

    want = expected(campaign.log, Period.parse("2020-01-H1"))
    village_table = dom.split('id="village-table"')[1].split("</table>")[0]
    for village, n in want["by_village"].items():
        assert f"<tr><td>{village}</td><td>{n['found']}</td><td>{n['found_cumulative']}</td>" in village_table
    town_table = dom.split('id="town-table"')[1].split("</table>")[0]
    assert f"<td>累计发现问题</td><td>{want['found_cumulative']}</td>" in town_table
    assert f"<td>期末逾期</td><td>{want['overdue']}</td>" in town_table
    assert dom.count("<polyline") == 3  # found, rectified, overdue
    milestone_table = dom.split('id="milestone-table"')[1].split("</table>")[0]
    assert "<td>各村书面报告</td><td>2020-06-10</td>" in milestone_table and "（截至 2020-01-15）" in dom
    assert f"（{want['overdue']} 件）" in dom
    assert shot.exists() and shot.stat().st_size > 20_000
    assert io.BytesIO(shot.read_bytes()).read(8) == b"\x89PNG\r\n\x1a\n"
