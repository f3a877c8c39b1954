"""The campaign as the station's clerk meets it, over the real services (issue 14, items 5–8).

Ids a command prints are taken back by the others; the exported 问题清单 imports again; bad input is
answered with a reason in Chinese and English that repeats none of it; a command refused for want of
a token says what to set.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest
from lookback_town import Town

ID_NUMBER, NAME, PHONE = "341523199003074514", "俞发金", "13800138000"


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Town]:
    t = Town(tmp_path_factory.mktemp("clerk") / "town")
    t.import_demo(20, seed=14)
    yield t
    t.stop()


def refused(town: Town, *args: str, env: dict[str, str] | None = None) -> str:
    """What the command says on stderr when it refuses: exit 2, a reason, never a traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "apps", *args], env=town.env() | (env or {}), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_every_case_id_a_command_prints_is_taken_by_the_others(town: Town) -> None:
    listed = town.cli("case", "list").stdout
    short = re.findall(r"\b[0-9a-f]{12}\b", listed)
    assert short, listed

    shown = json.loads(town.cli("case", "show", short[0]).stdout)
    assert shown["case_id"].startswith(short[0]) and len(shown["case_id"]) == 32
    assert town.cli("case", "history", short[0]).stdout
    audited = json.loads(town.cli("audit", "history", "case", short[0], "--format", "json").stdout)
    assert audited[0]["aggregate"] == f"case:{shown['case_id']}"
    started = town.cli("case", "start", short[0], "--measures", "入户核实").stdout
    assert started.startswith(shown["case_id"])

    unknown = refused(town, "case", "show", "ffff0000")
    assert "无此编号 ffff0000" in unknown and "no id starts with ffff0000" in unknown
    assert "无此编号" in refused(town, "audit", "history", "problem", "ffff0000")


def test_report_issue_prints_the_case_it_became(town: Town) -> None:
    reported = json.loads(
        town.cli(
            "report-issue", "--place", "桃园村", "--item", "9", "--description", "专题会议未按期召开", "--found-on",
            "2019-12-01",
        ).stdout
    )  # fmt: skip
    town.wait_idle()

    case = json.loads(town.cli("case", "show", reported["case_id"][:10]).stdout)
    assert (case["case_id"], case["item"], case["village"]) == (reported["case_id"], 9, "桃园村")
    history = json.loads(town.cli("audit", "history", "problem", reported["case_id"][:10], "--format", "json").stdout)
    assert {"problem.flagged", "case.opened"} <= {e["type"] for e in history}


def test_the_exported_problem_list_imports_again(town: Town, tmp_path: Path) -> None:
    exported = tmp_path / "问题清单.xlsx"
    town.cli("report", "export", "problems", "--period", "2019-12-H1", "--format", "xlsx", "-o", str(exported))
    filed = openpyxl.load_workbook(exported)["问题清单"].iter_rows(min_row=4, values_only=True)
    rows = sum(isinstance(row[0], int) for row in filed)  # below the title lines, above 合计 and 填表人
    assert rows > 0

    [summary] = json.loads(town.cli("import", "issues", str(exported)).stdout)

    assert (summary["rows_read"], summary["rows_rejected"]) == (rows, 0), summary["rejected"][:3]
    assert all(len(issue["case_id"]) == 32 for issue in summary["issues"])


def test_each_importable_form_has_a_template_that_reads_as_that_form(town: Town, tmp_path: Path) -> None:
    for form, sheets in (("roster", ["人口明细", "村级信息"]), ("issues", ["问题清单"])):
        path = tmp_path / f"{form}.xlsx"
        town.cli("import", "template", form, "-o", str(path))
        assert openpyxl.load_workbook(path).sheetnames == sheets
    [summary] = json.loads(town.cli("import", "issues", str(tmp_path / "issues.xlsx")).stdout)
    assert summary["rows_read"] == 0


def test_a_validation_error_is_bilingual_and_echoes_no_personal_data(town: Town) -> None:
    response = httpx.post(
        f"{town.system.url('intake')}/issues",
        json={"item": {"户主": NAME}, "description": [ID_NUMBER, PHONE], "联系电话": PHONE},
        headers={"Authorization": f"Bearer {town.system.station_token()}"},
        timeout=30,
    )

    assert response.status_code == 422
    for personal in (ID_NUMBER, NAME, PHONE):
        assert personal not in response.text
    errors = response.json()["detail"]
    assert errors and all(e["zh"] and e["en"] for e in errors)


def test_bad_input_is_answered_not_crashed_on(town: Town, tmp_path: Path) -> None:
    station = {"Authorization": f"Bearer {town.system.station_token()}"}
    reporting, intake = town.system.url("reporting"), town.system.url("intake")

    far = httpx.get(f"{reporting}/reports/trend", params={"period": "9999-12-H2"}, headers=station, timeout=30)
    assert far.status_code == 422 and "2019-12-H1" in far.json()["detail"]
    content = "行政村或单位,问题条目,问题描述,发现日期\n桃园村,9,上传名测试,2019-12-02\n".encode()
    for name in ("..", "../问题清单.csv"):
        upload = httpx.post(f"{intake}/issue-lists", files={"file": (name, content)}, headers=station, timeout=30)
        assert upload.status_code < 500, upload.text
    roster = tmp_path / "roster.csv"
    roster.write_text("户编号,姓名\n", encoding="utf-8")
    assert "2019" in refused(town, "import", "roster", str(roster), "--as-of", "1900-01-01")


def test_a_command_without_the_token_says_what_to_set(town: Town, tmp_path: Path) -> None:
    message = refused(town, "case", "list", env={"LOOKBACK_DATA_DIR": str(tmp_path / "elsewhere")})
    assert "401" in message and "LOOKBACK_DATA_DIR" in message
