"""Problems reported by hand through the real services: over HTTP, by command and as a 问题清单 file.

Each becomes a problem of rule M<item> in the reports, with the reporter (not the rules service) as the
actor of its events; a list's bad row comes back in the summary, and sending a list again adds nothing.
"""

from __future__ import annotations

import asyncio
import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from lookback.contracts.envelope import Envelope
from lookback.contracts.rules import problem_id
from lookback.contracts.subjects import STREAM
from lookback.messaging import connect

MEETING = {
    "village_or_unit": "桃园村",
    "item": 9,
    "description": "村两委未按期召开脱贫攻坚专题会议",
    "found_on": "2019-12-05",
    "lead_unit": "党建办",
    "deadline": "2020-01-10",
}

LIST = [
    ["行政村或单位", "问题条目", "问题描述", "发现日期", "户编号", "责任单位", "整改时限", "整改措施"],
    ["新河村", "4", "自来水管网未通到组", "2019/12/10", "", "水利站", "", "年底前接通"],
    ["财政分局", "28", "扶贫资金拨付滞后", "20191212", "", "", "2020-03-31", ""],
    ["桃园村", "0", "条目填写错误", "2019-12-12", "", "", "", ""],
]


def post(town: Any, path: str, token: str, **kwargs: Any) -> httpx.Response:
    url = f"{town.system.url('intake')}{path}"
    return httpx.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs)


def report_issue_command(town: Any, *args: str) -> dict[str, Any]:
    """`lookback report-issue …`, mounted here as `apps/cli/__init__.py` mounts it (if it does not yet)."""
    code = (
        "from apps.cli import app, issues\n"
        "if not any(c.name == 'report-issue' for c in app.registered_commands):\n"
        "    app.registered_commands += issues.app.registered_commands\n"
        "app(prog_name='lookback')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "report-issue", *args], env=town.env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def import_list(town: Any, path: Path) -> dict[str, Any]:
    [summary] = json.loads(town.cli("import", "issues", str(path)).stdout)
    return summary  # type: ignore[no-any-return]


def flagged(town: Any, rule: str, issue_id: str) -> Envelope:
    async def last() -> bytes:
        nc = await connect(town.nats.url_as("admin"), "test")
        try:
            subject = f"lb.problem.{problem_id(rule, f'issue:{issue_id}')}.flagged"
            return (await nc.jetstream().get_last_msg(STREAM, subject)).data or b""
        finally:
            await nc.close()

    return Envelope.model_validate_json(asyncio.run(last()))


def test_issues_reported_by_hand_become_problems(store_town: Any, tmp_path: Path) -> None:
    town = store_town  # SQLite and PostgreSQL
    town.restart("intake", LOOKBACK_NOW="2019-12-31")  # the problems below were found in December, none after today
    station = town.system.station_token()
    cadre = town.cli("users", "add", "li", "--role", "village", "--village", "新河村").stdout.strip()

    first = post(town, "/issues", station, json=MEETING)
    again = post(town, "/issues", station, json=MEETING)
    bad = post(town, "/issues", station, json=MEETING | {"item": 35})
    elsewhere = post(town, "/issues", cadre, json=MEETING)
    own = post(town, "/issues", cadre, json=MEETING | {"village_or_unit": "新河村", "item": 12})
    by_command = report_issue_command(
        town, "--place", "杨店村", "--item", "22", "--description", "家庭医生签约服务未履约", "--found-on", "2019-12-06"
    )

    assert (first.status_code, first.json()["new"]) == (201, True)
    assert (again.status_code, again.json()) == (200, first.json() | {"new": False})
    assert bad.status_code == 422
    assert bad.json()["detail"] == "问题条目不是1至34之间的整数 / 问题条目 is not a whole number from 1 to 34"
    assert elsewhere.status_code == 403
    assert own.status_code == 201
    assert by_command["new"] is True

    path = tmp_path / "问题清单.csv"
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(LIST)
    summary = import_list(town, path)
    town.wait_idle()

    assert (summary["rows_read"], summary["rows_accepted"], summary["rows_rejected"]) == (3, 2, 1)
    assert summary["issues_new"] == 2
    assert [{k: r[k] for k in ("sheet", "row", "column", "reason_zh", "reason_en")} for r in summary["rejected"]] == [
        {
            "sheet": "问题清单",
            "row": 4,
            "column": "问题条目",
            "reason_zh": "问题条目不是1至34之间的整数",
            "reason_en": "问题条目 is not a whole number from 1 to 34",
        }
    ]
    assert town.get("reporting", "/reports/problems", by="rule,village") == {
        "M09": {"桃园村": 1},
        "M12": {"新河村": 1},
        "M22": {"杨店村": 1},
        "M04": {"新河村": 1},
        "M28": {"(镇直)": 1},
    }

    meeting = flagged(town, "M09", first.json()["issue_id"])
    expected = {
        "item": 9,
        "village": "桃园村",
        "subject_key": f"issue:{first.json()['issue_id']}",
        "as_of": "2019-12-05",
        "description": MEETING["description"],
        "lead_unit": "党建办",
        "deadline": "2020-01-10",
        "reported_by": "user:station",
    }
    assert meeting.actor == "user:station"
    assert {key: meeting.payload[key] for key in expected} == expected
    funds = flagged(town, "M28", summary["issues"][1]["issue_id"])
    assert (funds.payload["village"], funds.payload["unit"]) == ("(镇直)", "财政分局")
    assert flagged(town, "M12", own.json()["issue_id"]).actor == "user:li"

    position = town.get("reporting", "/progress")["reporting"]["position"]
    second = import_list(town, path)
    town.wait_idle()

    assert (second["events_published"], second["issues_known"], second["rows_rejected"]) == (0, 2, 1)
    assert town.get("reporting", "/progress")["reporting"]["position"] == position
