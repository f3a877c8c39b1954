"""报送 over the real services: one half-month walked through submission, return, resubmission, review and
the county's receipt; every submitted form rebuilt from the log byte for byte; the plan's milestones going
due-soon and then overdue as the business clock moves. One town for the whole module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from lookback_town import Town

from apps import demo

PERIOD = "2019-12-H1"


@dataclass
class Office:
    town: Town
    tokens: dict[str, str]
    villages: tuple[str, ...]

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
    town = Town(tmp_path_factory.mktemp("submissions") / "town")
    try:
        made = demo.generate(40, seed=3)
        town.import_roster(*demo.write_csv(made, town.root / "demo"))
        town.wait_idle()
        village = made.villages[0]
        tokens = {"station": town.system.station_token()}
        for name, role, extra in (("cadre", "village", ["--village", village]), ("county", "county", [])):
            tokens[name] = town.cli("users", "add", name, "--role", role, *extra).stdout.strip().splitlines()[-1]
        yield Office(town, tokens, made.villages)
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


def test_a_replay_reproduces_every_submitted_forms_digest(office: Office) -> None:
    office.town.wait_idle()
    result = office.town.cli("audit", "verify-submissions")
    assert "7/7 份报表相符" in result.stdout, result.stdout  # the cadre's 2 forms twice, the station's 3


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
    office.town.restart("reporting", LOOKBACK_NOW="2019-12-01")
