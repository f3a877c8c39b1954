"""The reporting API over a real read model: tokens, canonical JSON, exports masked by role, the page."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.reporting.domain.sheets import LEDGER_COLUMNS

from .conftest import ID


def get(client: TestClient, path: str, token: str | None, **params: str):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, params=params, headers=headers)


def test_reports_need_a_token_of_a_role_that_reads_reports(client: TestClient, tokens: dict[str, str]) -> None:
    assert get(client, "/reports/semimonthly", None, period="2019-12-H1").status_code == 401
    assert get(client, "/reports/semimonthly", tokens["cadre"], period="2019-12-H1").status_code == 403
    assert get(client, "/reports/exports/ledger", tokens["cadre"], period="2019-12-H1").status_code == 403
    assert get(client, "/reports/semimonthly", tokens["county"], period="2019-12-H1").status_code == 200


def test_answers_are_canonical_json(client: TestClient, tokens: dict[str, str]) -> None:
    response = get(client, "/reports/semimonthly", tokens["station"], period="2020-01-H1")
    body = response.json()

    assert response.content == json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert (body["current"]["verified"], body["previous"]["found"], body["current"]["found_cumulative"]) == (1, 1, 2)


@pytest.mark.parametrize(
    ("params", "status"),
    [({"period": "2019-13-H1"}, 422), ({"period": "2019-12"}, 422), ({"period": "2019-12-H1", "known_at": "x"}, 422)],
)
def test_bad_parameters_are_422(client: TestClient, tokens: dict[str, str], params: dict, status: int) -> None:
    assert get(client, "/reports/semimonthly", tokens["station"], **params).status_code == status


def test_known_at_leaves_out_what_was_recorded_later(client: TestClient, tokens: dict[str, str]) -> None:
    then = get(client, "/reports/semimonthly", tokens["station"], period="2020-01-H1", known_at="2020-01-16")
    assert (then.json()["current"]["verified"], then.json()["known_at"]) == (0, "2020-01-16T00:00:00+08:00")


def test_periods_trend_overdue_and_problem_counts(client: TestClient, tokens: dict[str, str]) -> None:
    station = tokens["station"]
    periods = get(client, "/reports/periods", station).json()
    assert periods["periods"] == ["2019-12-H1", "2019-12-H2", "2020-01-H1"]
    assert periods["labels"]["2019-12-H2"] == "2019年12月下半月"
    trend = get(client, "/reports/trend", station, period="2020-01-H1").json()["periods"]
    assert [p["found"] for p in trend] == [1, 1, 0]
    overdue = get(client, "/reports/overdue", station, period="2019-12-H2").json()["cases"]
    assert [(c["case_id"], c["days_overdue"]) for c in overdue] == [("a", 15)]
    assert get(client, "/reports/problems", station, by="rule,village").json() == {
        "R01": {"桃园村": 1},
        "R03": {"桃园村": 1},
    }


def test_id_numbers_leave_unmasked_only_for_the_station(client: TestClient, tokens: dict[str, str]) -> None:
    def problem_list(token: str) -> str:
        response = get(client, "/reports/exports/problems", token, period="2020-01-H1", format="csv")
        assert response.headers["content-type"].startswith("text/csv")
        return response.content.decode("utf-8-sig")

    assert ID in problem_list(tokens["station"])
    county = problem_list(tokens["county"])
    assert ID not in county and "341523********123X" in county
    rows = list(csv.reader(io.StringIO(county)))
    assert rows[0][:6] == ["序号", "行政村或单位", "户编号", "户主", "问题对象", "证件号码"] and len(rows) == 3


def test_the_ledger_downloads_as_xlsx_with_the_plan_columns(client: TestClient, tokens: dict[str, str]) -> None:
    response = get(client, "/reports/exports/ledger", tokens["county"], period="2020-01-H1")

    assert (
        "filename*=UTF-8''%E6%95%B4%E6%94%B9%E5%8F%B0%E5%B8%90-2020-01-H1.xlsx"
        in response.headers["content-disposition"]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["整改台帐"]
    assert sheet["A1"].value == "干汊河镇脱贫攻坚“回头看”整改台帐"
    assert tuple(c.value for c in sheet[3]) == LEDGER_COLUMNS
    assert [sheet.cell(r, 1).value for r in (4, 5, 6)] == [1, 2, "合计"]


def test_a_cadre_downloads_the_forms_of_its_own_village_only(client: TestClient, tokens: dict[str, str]) -> None:
    cadre = tokens["cadre"]
    own = get(client, "/reports/exports/ledger", cadre, period="2020-01-H1", format="json", village="桃园村")
    assert own.status_code == 200
    assert {row["行政村"] for row in own.json()["rows"]} == {"桃园村"} and len(own.json()["rows"]) == 2
    assert own.json()["title"] == "干汊河镇桃园村脱贫攻坚“回头看”整改台帐"
    for params in ({"village": "新河村"}, {}, {"unit": "集镇办"}):
        refused = get(client, "/reports/exports/problems", cadre, period="2020-01-H1", **params)
        assert refused.status_code == 403
        assert "只能下载本村或本单位" in refused.json()["detail"] and "own village or unit" in refused.json()["detail"]
    assert get(client, "/reports/exports/summary", cadre, period="2020-01-H1").status_code == 403
    elsewhere = get(
        client, "/reports/exports/ledger", tokens["station"], period="2020-01-H1", format="json", village="新河村"
    )
    assert elsewhere.status_code == 200 and elsewhere.json()["rows"] == []
    for unknown in ({"village": "无此村\x01"}, {"unit": "无此单位"}, {"village": "桃园村", "unit": "集镇办"}):
        assert (
            get(client, "/reports/exports/ledger", tokens["station"], period="2020-01-H1", **unknown).status_code == 422
        )


def test_a_unit_downloads_the_cases_it_leads(client: TestClient, tokens: dict[str, str]) -> None:
    officer = tokens["officer"]
    led = get(client, "/reports/exports/problems", officer, period="2020-01-H1", format="json", unit="集镇办")
    assert [row["责任单位"] for row in led.json()["rows"]] == ["集镇办"]
    assert "341523********123X" in led.text and ID not in led.text
    assert get(client, "/reports/exports/ledger", officer, period="2020-01-H1", unit="干汊河中心校").status_code == 403


def test_each_reader_is_offered_the_forms_it_may_download(client: TestClient, tokens: dict[str, str]) -> None:
    offered = get(client, "/reports/exports", tokens["cadre"]).json()
    assert offered["periods"] == ["2019-12-H1", "2019-12-H2", "2020-01-H1"]
    assert [(f["kind"], f["scope"]) for f in offered["forms"]] == [
        ("problems", {"village": "桃园村"}),
        ("ledger", {"village": "桃园村"}),
    ]
    station = get(client, "/reports/exports", tokens["station"]).json()["forms"]
    assert [(f["kind"], f["scope"]) for f in station] == [("problems", {}), ("ledger", {}), ("summary", {})]


def test_the_same_request_gives_the_same_bytes(client: TestClient, tokens: dict[str, str]) -> None:
    for kind in ("problems", "ledger", "summary"):
        first = get(client, f"/reports/exports/{kind}", tokens["county"], period="2020-01-H1").content
        assert get(client, f"/reports/exports/{kind}", tokens["county"], period="2020-01-H1").content == first


def test_the_page_is_served_without_a_token_and_loads_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/ui")
    assert page.status_code == 200 and "半月统计" in page.text
    assert "http" not in page.text.replace("http://www.w3.org", "")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    script = client.get("/ui/app.js")
    assert script.headers["content-type"].startswith("text/javascript") and "sessionStorage" in script.text
    assert client.get("/ui/users.json").status_code == 404


def test_the_api_is_documented(client: TestClient) -> None:
    app: FastAPI = client.app  # type: ignore[assignment]
    paths = set(app.openapi()["paths"])
    assert {"/reports/semimonthly", "/reports/trend", "/reports/overdue", "/reports/exports/{kind}"} <= paths
    assert "/ui" not in paths
