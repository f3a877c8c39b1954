"""One household over HTTP: the same checks as a roster row, published only when it changed."""

from __future__ import annotations

from typing import Any

import httpx

from apps import demo


def test_one_household_over_http(store_town: Any) -> None:
    town = store_town  # SQLite and PostgreSQL
    rows = list(demo.generate(3, seed=71).persons())
    household = [r for r in rows if r["户编号"] == rows[0]["户编号"]]
    head = next(r for r in household if r["与户主关系"] == "户主")
    head["住房安全等级"] = "C"
    stray = dict(household[-1], 行政村="不存在村", 证件号码="110101199003070000")
    body = {"as_of": "2019-12-01", "persons": [*household, stray]}
    url = f"{town.system.url('intake')}/households"
    headers = {"Authorization": f"Bearer {town.system.station_token()}"}

    first = httpx.post(url, json=body, headers=headers, timeout=30).json()
    again = httpx.post(url, json=body, headers=headers, timeout=30).json()
    town.wait_idle()

    assert (first["households_added"], first["rows_rejected"]) == (1, 1)
    assert first["rejected"][0]["column"] == "行政村"
    assert again["events_published"] == 0
    assert town.problems()["R03"] == {head["行政村"].strip(): 1}
    assert httpx.post(url, json=body, timeout=30).status_code == 401
    two = {"as_of": "2019-12-01", "persons": [*household, dict(household[0], 户编号="3415230019990001")]}
    assert httpx.post(url, json=two, headers=headers, timeout=30).status_code == 422
