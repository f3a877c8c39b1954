"""`lookback case assign|extend|escalate` on many cases: one request per case, every case reported done
or why not, exit 1 if any was refused; one case behaves as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from apps.cli import http
from apps.cli.cases import app

A, B, C = "a" * 32, "b" * 32, "c" * 32
runner = CliRunner()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Rectify as a stub: case B is closed and refuses; every request is recorded."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def fake(method: str, url: str, **kwargs: Any) -> httpx.Response:
        calls.append((url, kwargs["json"]))
        case_id = url.split("/")[-2]
        if case_id == B:
            detail = {"zh": "不属实的案件不能延期", "en": "a case that is dismissed cannot have its deadline extended"}
            return httpx.Response(409, json={"detail": detail})
        case = {"case_id": case_id, "status_label": "待整改", "status": "pending", "deadline": "2020-03-31"}
        return httpx.Response(200, json=case)

    monkeypatch.setattr(http.httpx, "request", fake)
    monkeypatch.setenv("LOOKBACK_TOKEN", "t")
    return calls


def test_many_cases_each_get_their_own_request_and_outcome(sent: list[Any], tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{B}\n\n{C}\n{A}\n", encoding="utf-8")
    result = runner.invoke(
        app, ["extend", A, "--ids-from", str(ids), "--new-deadline", "2020年3月31日", "--reason", "春节停工"]
    )
    assert result.exit_code == 1
    assert [url.split("/")[-2] for url, _ in sent] == [A, B, C]  # each once, in order
    assert all(body == {"new_deadline": "2020-03-31", "reason": "春节停工"} for _, body in sent)
    assert f"{B}: 未办理" in result.output and "不属实的案件不能延期" in result.output
    assert "已办理 2 件，未办理 1 件" in result.output


def test_one_case_is_as_before(sent: list[Any]) -> None:
    result = runner.invoke(app, ["assign", A, "--person", "张三"])
    assert result.exit_code == 0 and f"{A}: 待整改" in result.output
    refused = runner.invoke(app, ["escalate", B, "--county-unit", "县住建局", "--reason", "需县级资金"])
    assert refused.exit_code == 2


def test_no_case_at_all_is_an_error(sent: list[Any]) -> None:
    result = runner.invoke(app, ["assign", "--person", "张三"])
    assert result.exit_code == 2 and not sent
