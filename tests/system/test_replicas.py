"""Two processes each of rules, rectify and reporting share the work: no loss, no double count."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lookback_log import count_in_log, flagged_in_log
from lookback_pg import fresh_database
from lookback_town import Town

from apps.runner import Service, free_port, wait_for

SHARED = ("rules", "rectify", "reporting")


@pytest.fixture
def replicated(tmp_path: Path) -> Iterator[Town]:
    """Replicas share one PostgreSQL database, as they would in production."""
    with fresh_database() as url:
        town = Town(tmp_path / "town", env={"LOOKBACK_DB_URL": url})
        try:
            for name in SHARED:
                first = town.system.services[name]
                first.stop()
                first.env["LOOKBACK_PARTITION"] = "0/2"
                first.start()
                second = Service(
                    name, free_port(), first.env | {"LOOKBACK_PARTITION": "1/2"}, town.root / f"{name}-2.log"
                )
                second.start()
                town.system.services[f"{name}-2"] = second
            for service in town.system.services.values():
                wait_for(service.healthy, 60, f"{service.name} did not start")
            yield town
        finally:
            town.stop()


def test_replicas_split_the_work_and_count_once(replicated: Town, tmp_path: Path) -> None:
    town = replicated
    town.import_demo(1500, seed=41)

    expected = asyncio.run(flagged_in_log(town.nats.url_as("admin")))
    assert town.problems() == expected
    flagged = sum(sum(v.values()) for v in expected.values())
    assert (
        asyncio.run(count_in_log(town.nats.url_as("admin"), "lb.problem.*.flagged")) == flagged
    )  # rules flagged each once
    assert (
        asyncio.run(count_in_log(town.nats.url_as("admin"), "lb.case.*.opened")) == flagged
    )  # rectify opened each once

    handled = {}
    for key, service in town.system.services.items():
        for consumer, state in httpx.get(f"{service.url}/progress", timeout=10).json().items():
            handled[(key, consumer)] = state["position"]
    assert {c for _, c in handled} >= {f"{n}-{k}of2" for n in SHARED for k in (0, 1)}

    token = {"Authorization": f"Bearer {town.system.station_token()}"}
    cases = httpx.get(f"{town.system.url('rectify')}/cases?status=pending", headers=token, timeout=30).json()
    assert len(cases) == flagged
    for case in cases[:6]:  # whichever replica folds the case, either one's API acts on it
        for name in ("rectify", "rectify-2"):
            url = f"{town.system.services[name].url}/cases/{case['case_id']}"
            reply = httpx.post(f"{url}/assign", json={"person": f"经办人{name}"}, headers=token, timeout=30)
            assert reply.status_code == 200, reply.text
            assert reply.json()["person"] == f"经办人{name}"
