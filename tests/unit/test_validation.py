"""FastAPI's validation errors answered bilingually, without the refused values (issue 14, item 7)."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict

from lookback.validation import install

ID_NUMBER, NAME, PHONE = "110101199003074514", "张三丰", "13800138000"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: int
    found_on: date


def client() -> TestClient:
    app = FastAPI()
    install(app)

    @app.post("/issues")
    def post(body: Body) -> dict[str, str]:
        return {}

    return TestClient(app)


def test_a_refused_body_is_answered_in_both_languages_and_echoes_none_of_it() -> None:
    response = client().post("/issues", json={"item": ID_NUMBER + "x", "found_on": NAME, PHONE: PHONE})
    assert response.status_code == 422
    text = response.text
    for personal in (ID_NUMBER, NAME, PHONE):
        assert personal not in text
    errors = {e["type"]: e for e in response.json()["detail"]}
    assert set(errors) == {"int_parsing", "date_from_datetime_parsing", "extra_forbidden"}
    assert errors["int_parsing"]["zh"] == "item：应为整数"
    assert errors["int_parsing"]["en"] == "item: must be a whole number"
    assert errors["extra_forbidden"]["loc"] == ["body"]


def test_a_body_that_is_not_json_is_answered_too() -> None:
    response = client().post("/issues", content=f"{NAME} {ID_NUMBER}", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert NAME not in response.text and ID_NUMBER not in response.text
    assert {e["type"] for e in response.json()["detail"]} == {"json_invalid"}
