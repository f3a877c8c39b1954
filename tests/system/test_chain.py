"""Tamper evidence over the real services: every chain holds and every event is signed; a forged, mis-signed,
undecodable or deleted event is found; a report's 校验码 holds until the log it was made from changes."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from lookback_log import all_events, raw_client
from nats.js.api import StreamConfig, StreamSource

from apps import demo
from lookback.clock import start_of_day
from lookback.contracts.chain import aggregate_key, check, event_hash, link
from lookback.contracts.envelope import Envelope, new_envelope
from lookback.contracts.rectify import CaseDismissed
from lookback.contracts.subjects import STREAM
from lookback.signing import Signer, message_digest


def _walk_a_case(town: Any) -> str:
    base, headers = town.system.url("rectify"), {"Authorization": f"Bearer {town.system.station_token()}"}
    case = httpx.get(f"{base}/cases?status=pending", headers=headers).json()[0]["case_id"]
    for verb, body in (("start", {"measures": "m"}), ("rectified", {"measures": "m"}), ("verify", {"passed": True})):
        httpx.post(f"{base}/cases/{case}/{verb}", json=body, headers=headers, timeout=30).raise_for_status()
    return str(case)


async def _forge(nats_url: str, case_id: str) -> None:
    nc = await raw_client(nats_url)
    day = date(2020, 1, 2)
    env = new_envelope(
        CaseDismissed(case_id=case_id, on=day, reason="伪造"), actor="user:station", business_time=start_of_day(day)
    )
    await nc.jetstream().publish(env.subject, env.model_dump_json().encode())
    await nc.close()


async def _copy_without(nats_url: str, seq: int | None, name: str = "COPY") -> None:
    """A copy of the log, with one message deleted (the log itself denies deletes)."""
    nc = await raw_client(nats_url)
    js = nc.jetstream()
    total = (await js.stream_info(STREAM)).state.messages
    await js.add_stream(StreamConfig(name=name, sources=[StreamSource(name=STREAM)]))
    for _ in range(100):
        if (await js.stream_info(name)).state.messages >= total:
            break
        await asyncio.sleep(0.1)
    if seq is not None:
        await js.delete_msg(name, seq)
    await nc.close()


def test_chains_hold_and_tampering_is_found(store_town: Any, tmp_path: Path) -> None:
    town = store_town  # SQLite and PostgreSQL
    _, villages = town.import_demo(60, seed=21)
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


async def _append(nats_url: str, env: Envelope, signer: Signer | None = None, data: bytes | None = None) -> int:
    """Appends as a forger would, past the services: unsigned, or signed with a key of the forger's own."""
    nc = await raw_client(nats_url)
    body = env.model_dump_json().encode() if data is None else data
    headers = signer.headers("", [message_digest(env.subject, body)]) if signer else None
    ack = await nc.jetstream().publish(env.subject, body, headers=headers)
    await nc.close()
    return int(ack.seq)


def _chained_dismissal(events: list[tuple[int, Envelope]], case_id: str) -> Envelope:
    """A dismissal that names the case's last event as its predecessor: the chain alone cannot tell it."""
    last = [e for _, e in events if aggregate_key(e) == f"case/{case_id}"][-1]
    day = date(2020, 1, 2)
    env = new_envelope(
        CaseDismissed(case_id=case_id, on=day, reason="伪造"), actor="service:rectify", business_time=start_of_day(day)
    )
    return link([env], {aggregate_key(env): event_hash(last)})[0][0]


def test_signatures_hold_and_a_chained_forgery_is_found_and_the_check_code_tells_a_changed_log(
    town: Any, tmp_path: Path
) -> None:
    town.import_demo(40, seed=5)
    events = asyncio.run(all_events(town.nats.url_as("admin")))
    clean = town.cli("audit", "verify-chain")
    assert f"{len(events)} signed, 0 unsigned legacy" in clean.stdout

    report = json.loads(town.cli("report", "semimonthly", "--period", "2019-12-H1", "--format", "json").stdout)
    code = report["check_code"]
    cutoff = int(code.split("-")[0])
    assert 0 < cutoff <= len(events)
    assert "相符 / equal" in town.cli("audit", "verify-report", code).stdout

    cases = [e.aggregate_id for _, e in events if e.type == "case.opened"]
    unsigned = asyncio.run(_append(town.nats.url_as("admin"), _chained_dismissal(events, cases[0])))
    forger = Signer("rectify", Ed25519PrivateKey.generate())
    mis_signed = asyncio.run(_append(town.nats.url_as("admin"), _chained_dismissal(events, cases[1]), forger))
    undecodable = asyncio.run(
        _append(town.nats.url_as("admin"), _chained_dismissal(events, cases[2]), data=b"{not json")
    )

    found = town.cli("audit", "verify-chain", check=False)
    assert found.returncode == 1 and "Traceback" not in found.stderr + found.stdout
    assert f"seq {unsigned}: 未签名 / unsigned" in found.stdout
    assert f"seq {mis_signed}: 签名不符 / signature does not match (key rectify)" in found.stdout
    assert f"seq {undecodable}: 无法解码 / undecodable" in found.stdout
    assert " 0 broken links" in found.stdout  # the forgeries are chained correctly: only the keys tell them

    assert town.cli("audit", "verify-report", code).returncode == 0  # appended after the report: not its log
    asyncio.run(_copy_without(town.nats.url_as("admin"), None, "BACKUP"))
    assert town.cli("audit", "verify-report", code, "--stream", "BACKUP").returncode == 0
    asyncio.run(_copy_without(town.nats.url_as("admin"), cutoff - 1, "ALTERED"))
    changed = town.cli("audit", "verify-report", code, "--stream", "ALTERED", check=False)
    assert changed.returncode == 1 and "不符" in changed.stdout and "Traceback" not in changed.stderr
    gap = town.cli("audit", "verify-chain", "--stream", "ALTERED", check=False)
    assert gap.returncode == 1 and f"seq {cutoff - 1}: 缺失 / missing" in gap.stdout
    assert town.cli("audit", "verify-report", f"{len(events) + 99}-AAAA-AAAA-AAAA", check=False).returncode == 1
