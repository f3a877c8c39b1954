"""Garbage in the log is set aside with its reason; everything after it still flows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lookback_log import raw_client

from lookback.contracts.subjects import DEAD_LETTER_STREAM


async def _poison(nats_url: str) -> None:
    nc = await raw_client(nats_url)
    js = nc.jetstream()
    await js.publish("lb.household.999.recorded", b"{not json", headers={"Nats-Msg-Id": "poison-1"})
    await js.publish(
        "lb.household.998.recorded",
        b'{"id": "00000000-0000-0000-0000-000000000001", '
        b'"type": "household.exploded", "aggregate_type": "household", "aggregate_id": "998", '
        b'"business_time": "2019-12-01T00:00:00+08:00", "recorded_time": "2019-12-01T00:00:00+08:00", '
        b'"actor": "x", "payload": {}}',
        headers={"Nats-Msg-Id": "poison-2"},
    )
    await nc.close()


async def _dead_letters(nats_url: str) -> list[tuple[str, str]]:
    nc = await raw_client(nats_url)
    js = nc.jetstream()
    total = (await js.stream_info(DEAD_LETTER_STREAM)).state.messages
    sub = await js.subscribe("lbdlq.>", ordered_consumer=True)
    letters = []
    for _ in range(total):
        msg = await sub.next_msg(timeout=10)
        headers = msg.headers or {}
        letters.append((headers["Lb-Consumer"], headers["Lb-Reason"]))
    await nc.close()
    return sorted(letters)


def test_malformed_and_unknown_events_go_to_the_dead_letter_stream(
    store_town: Any, sample_dir: Path, answer: dict[str, Any]
) -> None:
    town = store_town  # SQLite and PostgreSQL
    asyncio.run(_poison(town.nats.url_as("admin")))
    town.import_roster(sample_dir / "roster-utf8.csv", sample_dir / "villages-utf8.csv")
    town.wait_idle()

    assert town.problems() == {r: c["by_village"] for r, c in answer["counts"].items() if c["by_village"]}
    letters = asyncio.run(_dead_letters(town.nats.url_as("admin")))
    consumers = ("intake", "reporting", "rules")
    assert letters == sorted([(c, "ValidationError") for c in consumers] + [(c, "UnknownEventType") for c in consumers])
