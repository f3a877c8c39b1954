"""The rectification workflow over the real services: walk, escalate, race, deadlines, permissions."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lookback_log import raw_client
from lookback_town import Town
from PIL import Image

from lookback.auth.policy import Action, Scope, allowed
from lookback.auth.users import Role, UserStore, make_user
from lookback.contracts.subjects import STREAM

CLOCK = {"LOOKBACK_NOW": "2019-12-20"}


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Town]:
    town = Town(tmp_path_factory.mktemp("campaign") / "town", env=CLOCK)
    town.import_demo(80, seed=5)
    yield town
    town.stop()


def call(town: Town, method: str, path: str, token: str | None = None, **body: Any) -> httpx.Response:
    token = town.system.station_token() if token is None else token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(method, f"{town.system.url('rectify')}{path}", json=body or None, headers=headers, timeout=30)


def cases(town: Town, **params: Any) -> list[dict[str, Any]]:
    return call(town, "GET", "/cases?" + "&".join(f"{k}={v}" for k, v in params.items())).json()


def pending_cases(town: Town, n: int) -> list[dict[str, Any]]:
    found = [c for c in cases(town, status="pending")][:n]
    assert len(found) == n
    return found


def test_a_problem_walks_from_flagged_to_closed(campaign: Town) -> None:
    case = pending_cases(campaign, 1)[0]
    path = f"/cases/{case['case_id']}"

    assert call(campaign, "POST", f"{path}/start", measures="联系学校送教上门", on="2019-12-11").status_code == 200
    assert call(campaign, "POST", f"{path}/rectified", measures="已复学", on="2019-12-12").status_code == 200
    failed = call(campaign, "POST", f"{path}/verify", passed=False, reason="缺少复学证明", on="2019-12-12")
    assert failed.json()["status"] == "in_progress"
    call(campaign, "POST", f"{path}/rectified", measures="补交复学证明", on="2019-12-13")
    closed = call(campaign, "POST", f"{path}/verify", passed=True, on="2019-12-14").json()

    assert (closed["status"], closed["status_label"], closed["on_time"]) == ("verified", "已销号", True)
    history = call(campaign, "GET", f"{path}/history").json()
    assert [e["type"] for e in history] == [
        "case.opened",
        "case.rectification_started",
        "case.rectified",
        "case.verification_failed",
        "case.rectified",
        "case.verified",
    ]
    assert {e["actor"] for e in history[1:]} == {"user:station"}
    again = call(campaign, "POST", f"{path}/start", measures="x")
    assert again.status_code == 409 and again.json()["detail"]["zh"]


def test_escalation_goes_to_the_county_and_back(campaign: Town) -> None:
    county = UserStore(campaign.root / "users.json").add("county-1", Role.COUNTY)
    accepted, returned = pending_cases(campaign, 2)
    for case in (accepted, returned):
        r = call(campaign, "POST", f"/cases/{case['case_id']}/escalate", county_unit="县住建局", reason="需县级资金")
        assert r.json()["status"] == "escalated"

    denied = call(campaign, "POST", f"/cases/{accepted['case_id']}/start", county, measures="x")
    assert denied.status_code == 403
    ok = call(
        campaign,
        "POST",
        f"/cases/{accepted['case_id']}/answer",
        county,
        accepted=True,
        new_deadline="2020年5月31日",
        note="纳入县级计划",
    ).json()
    back = call(
        campaign, "POST", f"/cases/{returned['case_id']}/answer", county, accepted=False, note="镇级解决"
    ).json()

    assert (ok["status"], ok["deadline"], ok["county_accepted"]) == ("county_accepted", "2020-05-31", True)
    assert [e["previous"] for e in ok["extensions"]] == [accepted["deadline"]]
    assert (back["status"], back["deadline"]) == ("pending", returned["deadline"])


def test_two_people_acting_at_once_one_wins(campaign: Town) -> None:
    case = pending_cases(campaign, 1)[0]
    url = f"{campaign.system.url('rectify')}/cases/{case['case_id']}/start"
    headers = {"Authorization": f"Bearer {campaign.system.station_token()}"}

    async def race() -> list[int]:
        async with httpx.AsyncClient(timeout=30) as client:
            replies = await asyncio.gather(
                *(client.post(url, json={"measures": f"措施{n}"}, headers=headers) for n in range(2))
            )
        return sorted(r.status_code for r in replies)

    assert asyncio.run(race()) == [200, 409]
    history = call(campaign, "GET", f"/cases/{case['case_id']}/history").json()
    assert [e["type"] for e in history].count("case.rectification_started") == 1


ACTIONS: dict[Action, tuple[str, dict[str, Any]]] = {
    Action.ASSIGN: ("assign", {"person": "张三"}),
    Action.START: ("start", {"measures": "m"}),
    Action.REPORT_RECTIFIED: ("rectified", {"measures": "m"}),
    Action.VERIFY: ("verify", {"passed": True}),
    Action.ESCALATE: ("escalate", {"county_unit": "县", "reason": "r"}),
    Action.ANSWER_ESCALATION: ("answer", {"accepted": False}),
    Action.EXTEND_DEADLINE: ("extend", {"new_deadline": "2021-01-01", "reason": "r"}),
    Action.DISMISS: ("dismiss", {"reason": "r"}),
}


def test_each_role_on_own_and_foreign_cases(campaign: Town) -> None:
    """403 exactly where the policy says no; anything else (200, or 409 for a refused transition) otherwise."""
    case = next(c for c in cases(campaign, status="pending") if c["lead_unit"] != "各村")
    other_village = next(v for v in ("桃园村", "新河村") if v != case["village"])
    store = UserStore(campaign.root / "users.json")
    users = {
        "station-2": make_user("station-2", Role.STATION),
        "cadre-own": make_user("cadre-own", Role.VILLAGE, village=case["village"]),
        "cadre-other": make_user("cadre-other", Role.VILLAGE, village=other_village),
        "unit-own": make_user("unit-own", Role.UNIT, unit=case["lead_unit"]),
        "unit-other": make_user("unit-other", Role.UNIT, unit="不相干单位"),
        "county-2": make_user("county-2", Role.COUNTY),
        "auditor-1": make_user("auditor-1", Role.AUDITOR),
    }
    tokens = {name: store.add(u.name, u.role, u.village, u.unit) for name, u in users.items()}
    scope = Scope(case["village"], case["lead_unit"])
    path = f"/cases/{case['case_id']}"

    assert call(campaign, "GET", path, token="").status_code == 401
    assert call(campaign, "GET", path, token="not-a-token").status_code == 401
    for name, user in users.items():
        may_read = allowed(user, Action.READ_CASES, scope)
        assert (call(campaign, "GET", path, tokens[name]).status_code == 403) is not may_read, name
        for action, (verb, body) in ACTIONS.items():
            if user.role is Role.STATION and action in (Action.VERIFY, Action.DISMISS):
                continue  # would close the case the other checks run against
            status = call(campaign, "POST", f"{path}/{verb}", tokens[name], **body).status_code
            assert (status == 403) is not allowed(user, action, scope), (name, action, status)


def overdue_events(nats_url: str) -> list[str]:
    async def read() -> list[str]:
        nc = await raw_client(nats_url)
        js = nc.jetstream()
        info = await js.stream_info(STREAM, subjects_filter="lb.case.*.overdue")
        total = sum((info.state.subjects or {}).values())
        sub = await js.subscribe("lb.case.*.overdue", ordered_consumer=True)
        ids = [json.loads((await sub.next_msg(timeout=10)).data)["aggregate_id"] for _ in range(total)]
        await nc.close()
        return ids

    return asyncio.run(read())


def upload(town: Town, case_id: str, name: str, data: bytes, content_type: str, token: str = "") -> httpx.Response:
    return httpx.post(
        f"{town.system.url('rectify')}/cases/{case_id}/evidence",
        files={"file": (name, data, content_type)},
        headers={"Authorization": f"Bearer {token or town.system.station_token()}"},
        timeout=30,
    )


def test_evidence_is_named_in_the_event_and_read_back_after_rectify_restarts(campaign: Town) -> None:
    case_id = pending_cases(campaign, 1)[0]["case_id"]
    png = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 160, 60)).save(png, "PNG")
    photo = upload(campaign, case_id, "屋面.png", png.getvalue(), "image/png")
    assert photo.status_code == 200, photo.text
    pdf = upload(campaign, case_id, "验收单.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    refused = upload(campaign, case_id, "x.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")
    assert refused.status_code == 415 and set(refused.json()["detail"]) == {"zh", "en"}
    auditor = UserStore(campaign.root / "users.json").add("auditor-evidence", Role.AUDITOR)
    assert upload(campaign, case_id, "p.png", png.getvalue(), "image/png", auditor).status_code == 403
    stored = [photo.json(), pdf.json()]
    assert [e["media_type"] for e in stored] == ["image/jpeg", "application/pdf"]

    missing = dict(stored[0], sha256="0" * 64)
    unknown = call(campaign, "POST", f"/cases/{case_id}/rectified", measures="已维修", evidence=[missing])
    assert unknown.status_code == 422 and unknown.json()["detail"]["zh"]
    here = {"lat": 26.5783, "lon": 106.7135, "accuracy_m": 12.0}
    done = call(campaign, "POST", f"/cases/{case_id}/rectified", measures="已维修", evidence=stored, location=here)
    assert done.status_code == 200, done.text
    last = call(campaign, "GET", f"/cases/{case_id}/history").json()[-1]
    assert last["type"] == "case.rectified"
    assert (last["payload"]["evidence"], last["payload"]["location"]) == (stored, here)

    campaign.restart("rectify")
    base = f"/cases/{case_id}/evidence"
    image = call(campaign, "GET", f"{base}/{stored[0]['sha256']}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert hashlib.sha256(image.content).hexdigest() == stored[0]["sha256"]
    assert Image.open(io.BytesIO(image.content)).size == (32, 24)
    document = call(campaign, "GET", f"{base}/{stored[1]['sha256']}")
    assert document.content == b"%PDF-1.4\n%%EOF\n" and document.headers["content-type"] == "application/pdf"
    assert document.headers["content-disposition"].startswith("attachment")
    assert document.headers["x-content-type-options"] == "nosniff"
    other = pending_cases(campaign, 1)[0]["case_id"]  # a photo is read only through a case that names it
    assert call(campaign, "GET", f"/cases/{other}/evidence/{stored[0]['sha256']}").status_code == 404


def test_past_the_deadlines_each_open_case_is_overdue_once(tmp_path: Path) -> None:
    town = Town(tmp_path / "town", env=CLOCK)
    try:
        town.import_demo(40, seed=9)
        assert overdue_events(town.nats.url_as("admin")) == []
        opened = len(cases(town))

        for _ in range(2):  # the clock moves past every deadline, and rectify restarts on it
            town.restart("rectify", LOOKBACK_NOW="2020-08-01")
            town.wait_idle()
            asyncio.run(asyncio.sleep(2.5))  # two more rounds of the watch
            town.wait_idle()

        ids = overdue_events(town.nats.url_as("admin"))
        assert len(ids) == len(set(ids)) == opened
        assert all(c["overdue"] for c in cases(town))
    finally:
        town.stop()
