"""Tamper evidence over the real services: every chain holds; a forged or deleted event is found."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import nats
from lookback_log import all_events
from nats.js.api import StreamConfig, StreamSource

from apps import demo
from lookback.clock import start_of_day
from lookback.contracts.chain import check
from lookback.contracts.envelope import new_envelope
from lookback.contracts.rectify import CaseDismissed
from lookback.contracts.subjects import STREAM


def _walk_a_case(town: Any) -> str:
    base, headers = town.system.url("rectify"), {"Authorization": f"Bearer {town.system.station_token()}"}
    case = httpx.get(f"{base}/cases?status=pending", headers=headers).json()[0]["case_id"]
    for verb, body in (("start", {"measures": "m"}), ("rectified", {"measures": "m"}), ("verify", {"passed": True})):
        httpx.post(f"{base}/cases/{case}/{verb}", json=body, headers=headers, timeout=30).raise_for_status()
    return str(case)


async def _forge(nats_url: str, case_id: str) -> None:
    nc = await nats.connect(nats_url)
    day = date(2020, 1, 2)
    env = new_envelope(
        CaseDismissed(case_id=case_id, on=day, reason="伪造"), actor="user:station", business_time=start_of_day(day)
    )
    await nc.jetstream().publish(env.subject, env.model_dump_json().encode())
    await nc.close()


async def _copy_without(nats_url: str, seq: int) -> None:
    """A copy of the log with one message deleted (the log itself denies deletes)."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    total = (await js.stream_info(STREAM)).state.messages
    await js.add_stream(StreamConfig(name="COPY", sources=[StreamSource(name=STREAM)]))
    for _ in range(100):
        if (await js.stream_info("COPY")).state.messages == total:
            break
        await asyncio.sleep(0.1)
    await js.delete_msg("COPY", seq)
    await nc.close()


def test_chains_hold_and_tampering_is_found(store_town: Any, tmp_path: Path) -> None:
    town = store_town  # SQLite and PostgreSQL
    roster, villages = demo.write_csv(demo.generate(60, seed=21), tmp_path / "demo")
    town.import_roster(roster, villages)
    town.wait_idle()
    fixed, _ = demo.write_csv(demo.correct(demo.generate(60, seed=21), 0.5, seed=2), tmp_path / "later")
    town.import_roster(fixed, villages)
    town.wait_idle()
    case_id = _walk_a_case(town)
    town.wait_idle()

    events = asyncio.run(all_events(town.nats.url_as("admin")))
    assert {e.type for _, e in events} >= {"problem.cleared_by_data", "case.rectified", "case.verified"}
    assert check(events) == []
    assert town.cli("audit", "verify-chain").returncode == 0

    asyncio.run(_forge(town.nats.url_as("admin"), case_id))
    breaks = check(asyncio.run(all_events(town.nats.url_as("admin"))))
    assert [(b.event_type, b.aggregate) for b in breaks] == [("case.dismissed", f"case/{case_id}")]
    found = town.cli("audit", "verify-chain", check=False)
    assert found.returncode == 1 and f"case/{case_id}" in found.stdout and "1 broken links" in found.stdout

    victim = next(seq for seq, e in events if e.type == "case.rectification_started")
    asyncio.run(_copy_without(town.nats.url_as("admin"), victim))
    gap = check(asyncio.run(all_events(town.nats.url_as("admin"), "COPY")))
    assert any(b.aggregate == f"case/{case_id}" and b.event_type == "case.rectified" for b in gap)
