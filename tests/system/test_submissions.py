"""报送 over the real services: one half-month walked through submission, return, resubmission, review and
the county's receipt, through the API and then in the browser (the workbench); the plan's milestones going
due-soon and then overdue as the business clock moves; last, every submitted form rebuilt from the log byte
for byte. One town for the whole module."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from lookback_town import Town

from apps import demo
from apps.demo.people import Person, demo_people
from lookback.auth.users import UserStore

pytest.importorskip("playwright.sync_api", reason="playwright is not installed (it is in the dev extras)")
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")

PERIOD = "2019-12-H1"
BROWSER_PERIOD = "2019-12-H2"


@dataclass
class Office:
    town: Town
    tokens: dict[str, str]
    villages: tuple[str, ...]
    people: dict[str, Person]
    browser: Browser

    def page(self, name: str, width: int = 375) -> Page:
        """Signed in on a phone-sized screen."""
        assert self.town.system.workbench is not None
        url = self.town.system.workbench.url
        page: Page = self.browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN").new_page()
        page.goto(f"{url}/login")
        page.get_by_label("用户名").fill(name)
        page.get_by_label("密码").fill(self.people[name].password)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
        page.get_by_role("link", name="报送", exact=True).click()
        page.get_by_label("半月期").fill(BROWSER_PERIOD)
        page.get_by_role("button", name="查看").click()
        expect(page.get_by_role("heading", name="报送", exact=True)).to_be_visible()
        return page

    def call(self, who: str, method: str, path: str, **body: Any) -> httpx.Response:
        return httpx.request(
            method,
            f"{self.town.system.url('reporting')}{path}",
            params={"period": PERIOD} if path in ("/submissions",) else None,
            json=body if method == "POST" else None,
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
            timeout=60,
        )

    def ok(self, who: str, method: str, path: str, **body: Any) -> Any:
        reply = self.call(who, method, path, **body)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def row(self, who: str, org: str) -> dict[str, Any]:
        rows = self.ok(who, "GET", "/submissions")["submissions"]
        return next(r for r in rows if r["org"] == org)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    if not CHROMIUM.exists():
        pytest.skip(f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does")
    town = Town(tmp_path_factory.mktemp("submissions") / "town", workbench=True)
    try:
        made = demo.generate(20, seed=3)
        town.import_roster(*demo.write_csv(made, town.root / "demo"))
        town.wait_idle()
        village = made.villages[0]
        tokens = {"station": town.system.station_token()}
        for name, role, extra in (("cadre", "village", ["--village", village]), ("county", "county", [])):
            tokens[name] = town.cli("users", "add", name, "--role", role, *extra).stdout.strip().splitlines()[-1]
        unit = town.get("rectify", "/cases")[0]["lead_unit"]
        people = {p.name: p for p in demo_people(UserStore(town.root / "users.json"), village, unit)}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            yield Office(town, tokens, made.villages, people, browser)
            browser.close()
    finally:
        town.stop()


def test_one_period_from_submission_to_the_countys_receipt(office: Office) -> None:
    village = office.villages[0]
    mine = office.ok("cadre", "GET", "/submissions")["submissions"]
    assert [(r["org"], r["state_label"]) for r in mine] == [(village, "待报送")]  # a cadre sees only its own
    assert mine[0]["due"] == "2019-12-18"

    sent = office.ok("cadre", "POST", "/submissions")
    assert (sent["state_label"], [f["kind"] for f in sent["forms"]]) == ("已报送", ["problems", "ledger"])
    assert all(f["scope"] == village and f["cutoff"] > 0 and len(f["sha256"]) == 64 for f in sent["forms"])
    again = office.call("cadre", "POST", "/submissions")
    assert again.status_code == 409 and again.json()["detail"]["zh"]
    sid = sent["submission_id"]

    assert office.call("cadre", "POST", f"/submissions/{sid}/review", reason="").status_code == 403
    no_reason = office.call("station", "POST", f"/submissions/{sid}/return", reason=" ")
    assert no_reason.status_code == 409 and no_reason.json()["detail"]["en"] == "a return needs a reason"
    office.ok("station", "POST", f"/submissions/{sid}/return", reason="整改措施未填写")
    returned = office.row("cadre", village)
    assert (returned["state_label"], returned["reason"]) == ("退回", "整改措施未填写")

    office.ok("cadre", "POST", "/submissions")
    grid = {r["org"]: r["state_label"] for r in office.ok("station", "GET", "/submissions")["submissions"]}
    assert grid[village] == "已报送" and grid[office.villages[1]] == "待报送"  # who has and has not
    assert office.ok("station", "POST", f"/submissions/{sid}/review")["state_label"] == "已审核"

    summary = office.ok("station", "POST", "/submissions")
    assert [f["kind"] for f in summary["forms"]] == ["summary", "problems", "ledger"]
    assert office.call("station", "POST", f"/submissions/{summary['submission_id']}/receive").status_code == 403
    received = office.ok("county", "POST", f"/submissions/{summary['submission_id']}/receive")
    assert received["state_label"] == "已接收"
    assert office.call("county", "POST", "/submissions").status_code == 403  # the county submits nothing


def test_the_same_period_in_the_browser_on_a_phone(office: Office) -> None:
    village = office.villages[0]
    cadre = office.page("cadre")
    mine = cadre.get_by_role("region", name="本单位报送")
    expect(mine.get_by_text("待报送")).to_be_visible()
    mine.get_by_role("button", name="报送").click()
    expect(mine.get_by_text("已报送")).to_be_visible()
    assert cadre.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    station = office.page("station")
    grid = station.get_by_role("region", name="报送情况")
    expect(grid.get_by_text(office.villages[1])).to_be_visible()  # who has not handed in is listed too
    back = grid.get_by_role("form", name=f"{village}退回")
    back.get_by_label("退回原因").fill("台帐缺少责任人")
    back.get_by_role("button", name="退回").click()
    expect(grid.get_by_text("退回原因：台帐缺少责任人")).to_be_visible()

    cadre.reload()
    expect(mine.get_by_text("退回原因：台帐缺少责任人")).to_be_visible()
    mine.get_by_role("button", name="报送").click()
    expect(mine.get_by_text("已报送")).to_be_visible()

    station.reload()
    grid.get_by_role("form", name=f"{village}审核通过").get_by_role("button", name="审核通过").click()
    expect(grid.get_by_role("listitem").filter(has_text=village).get_by_text("已审核")).to_be_visible()
    own = station.get_by_role("region", name="本单位报送")
    own.get_by_role("button", name="报送县级").click()
    expect(own.get_by_text("已报送")).to_be_visible()

    county = office.page("county")
    town_name = office.ok("station", "GET", "/submissions")["submissions"][-1]["org"]
    listed = county.get_by_role("region", name="报送情况")
    listed.get_by_role("form", name=f"{town_name}接收").get_by_role("button", name="接收").click()
    expect(listed.get_by_role("listitem").filter(has_text=town_name).get_by_text("已接收")).to_be_visible()
    for page in (cadre, station, county):
        page.context.close()


def test_the_milestones_go_due_soon_then_overdue_as_the_clock_moves(office: Office) -> None:
    def standing() -> dict[str, str]:
        found = office.ok("station", "GET", "/submissions/milestones")["milestones"]
        return {m["key"]: m["standing"] for m in found}

    def gauge(name: str) -> str:
        metrics = httpx.get(f"{office.town.system.url('reporting')}/metrics", timeout=30).text
        return next(line for line in metrics.splitlines() if line.startswith(f'{name}{{milestone="problem_lists"}}'))

    assert standing()["problem_lists"] == "open"  # 2019-12-01
    office.town.restart("reporting", LOOKBACK_NOW="2019-12-30")
    assert standing() == {"problem_lists": "due_soon", "county_summary": "done", "village_reports": "open"}
    assert gauge("lookback_milestone_due_soon").endswith(" 1.0")
    office.town.restart("reporting", LOOKBACK_NOW="2020-01-02")
    assert standing()["problem_lists"] == "overdue"  # not every village and unit has handed in
    assert gauge("lookback_milestone_overdue").endswith(" 1.0")


def test_a_village_files_its_written_report_and_the_station_downloads_it(office: Office) -> None:
    """After the clock moved to 2020-01-02: the cadre uploads a PDF in the browser, the 06-10 milestone
    counts the village done, the station downloads the same bytes (by the API and from its page), and the
    report of a period that ended before the upload still shows it missing."""
    village = office.villages[0]
    pdf = b"%PDF-1.4\n% \xe4\xb9\xa6\xe9\x9d\xa2\xe6\x8a\xa5\xe5\x91\x8a\n%%EOF\n"
    cadre = office.page("cadre")
    form = cadre.get_by_role("form", name="上传书面报告")
    form.get_by_label("书面报告").set_input_files({"name": "报告.pdf", "mimeType": "application/pdf", "buffer": pdf})
    form.get_by_role("button", name="上传书面报告").click()
    expect(cadre.get_by_role("link", name="下载书面报告")).to_be_visible()
    assert cadre.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    cadre.context.close()

    reporting = office.town.system.url("reporting")
    html = httpx.post(
        f"{reporting}/submissions/written-report",
        params={"period": BROWSER_PERIOD},
        files={"file": ("报告.pdf", b"<html><script>alert(1)</script>", "application/pdf")},
        headers={"Authorization": f"Bearer {office.tokens['cadre']}"},
        timeout=60,
    )
    assert html.status_code == 415 and html.json()["detail"]["zh"].startswith("书面报告只能是")

    reports = {m["key"]: m for m in office.ok("station", "GET", "/submissions/milestones")["milestones"]}
    assert reports["village_reports"]["done"] == 1 and village not in reports["village_reports"]["missing"]
    rows = office.ok("station", "GET", f"/submissions?period={BROWSER_PERIOD}")["submissions"]
    row = next(r for r in rows if r["org"] == village)
    assert row["report"] == {
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "media_type": "application/pdf",
        "size": len(pdf),
    }
    got = httpx.get(
        f"{reporting}/submissions/{row['submission_id']}/written-report",
        headers={"Authorization": f"Bearer {office.tokens['station']}"},
        timeout=60,
    )
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment;")
    station = office.page("station")
    with station.expect_download() as download:
        station.get_by_role("link", name=f"下载{village}书面报告").click()
    assert Path(download.value.path()).read_bytes() == pdf and download.value.suggested_filename.endswith(".pdf")
    station.context.close()

    def village_reports(period: str) -> int:
        found = office.ok("station", "GET", f"/reports/milestones?period={period}")["milestones"]
        return int(next(m["done"] for m in found if m["key"] == "village_reports"))

    assert (village_reports("2019-12-H2"), village_reports("2020-01-H1")) == (0, 1)  # filed on 2020-01-02


def test_a_replay_reproduces_every_submitted_forms_digest(office: Office) -> None:
    office.town.cli("wait-idle")  # as a process: the browser's event loop runs in this thread
    result = office.town.cli("audit", "verify-submissions")  # exit 1 on any form that differs
    # each period: the cadre's 2 forms twice (returned once), the station's 3
    assert "14/14 份报表相符" in result.stdout, result.stdout
