"""`lookback report …` against the reporting API: what each command prints or writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from apps.cli import app, reports
from apps.cli.http import REPORTING_URL, filename

runner = CliRunner()


@pytest.fixture(autouse=True)
def through_test_client(monkeypatch: pytest.MonkeyPatch, client: TestClient, tokens: dict[str, str]) -> None:
    def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {tokens['station']}"}
        return client.request(method, url.removeprefix(REPORTING_URL), headers=headers, **kwargs)

    monkeypatch.setattr(reports, "request", request)


def run(*args: str) -> str:
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_semimonthly_as_a_table_and_as_json() -> None:
    assert "整改率" in run("semimonthly", "--period", "2020-01-H1")
    report = json.loads(run("semimonthly", "--period", "2020-01-H1", "--format", "json", "--known-at", "2020-01-16"))
    assert (report["current"]["verified"], report["known_at"]) == (0, "2020-01-16T00:00:00+08:00")


def test_ledger_and_summary_print_in_each_format() -> None:
    assert run("ledger", "--period", "2020-01-H1", "--format", "csv").startswith("序号,案件编号,行政村,户编号,户主")
    assert json.loads(run("summary", "--period", "2020-01-H1", "--format", "json"))["rows"][-1]["发现问题"] == 2
    assert "整改台帐" in run("ledger", "--period", "2020-01-H1")


def test_export_writes_the_file_under_the_forms_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run("export", "ledger", "--period", "2020-01-H1")
    run("export", "problems", "--period", "2020-01-H1", "--format", "csv", "-o", str(tmp_path / "list.csv"))

    book = openpyxl.load_workbook(tmp_path / "整改台帐-2020-01-H1.xlsx")
    assert (book["整改台帐"]["A1"].value, book["整改台帐"]["A3"].value) == ("干汊河镇脱贫攻坚“回头看”整改台帐", "序号")
    assert (tmp_path / "list.csv").read_bytes().startswith("\ufeff序号".encode())


def test_a_file_name_from_the_server_never_leaves_the_folder() -> None:
    header = "attachment; filename=\"x.csv\"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"
    assert filename(header, "default.csv") == "passwd"
    assert filename("attachment", "default.csv") == "default.csv"


def test_tables_at_80_columns_keep_every_chinese_name_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    sheet = json.loads(run("summary", "--period", "2020-01-H1", "--format", "json"))
    printed = run("summary", "--period", "2020-01-H1")

    names = [*sheet["columns"], *(row["问题类别"] for row in sheet["rows"])]
    assert len(names) > 10
    for name in names:
        assert name in printed
    assert "…" not in printed


def test_the_semimonthly_table_reads_its_periods_as_a_person_says_them() -> None:
    printed = run("semimonthly", "--period", "2020-01-H1")
    assert "2020年1月上半月" in printed and "2019年12月下半月" in printed
