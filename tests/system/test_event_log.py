"""The event log on a real nats-server: a retried publish is stored once, a stale writer loses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest

from apps.runner import NatsServer, free_port
from lookback.clock import start_of_day
from lookback.contracts.envelope import Envelope, new_envelope
from lookback.contracts.intake import HouseholdRecorded, PersonRow
from lookback.contracts.subjects import STREAM
from lookback.messaging import ConcurrencyConflict, Publisher, connect, ensure_streams


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats", free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def publisher(nats_server: NatsServer) -> AsyncIterator[Publisher]:
    nc = await connect(nats_server.url_as("admin"), "test")
    await ensure_streams(nc)
    yield Publisher(nc)
    await nc.close()


def household(n: int) -> Envelope:
    event = HouseholdRecorded(
        household_id=f"34152300100{n:05d}",
        village="桃园村",
        as_of=date(2019, 12, 1),
        import_id="t",
        persons=[PersonRow(row=2, cells={"与户主关系": "户主"})],
    )
    return new_envelope(event, actor="test", business_time=start_of_day(date(2019, 12, 1)))


async def stored(publisher: Publisher) -> int:
    return int((await publisher.js.stream_info(STREAM)).state.messages)


async def test_the_same_event_published_twice_is_stored_once(publisher: Publisher) -> None:
    env = household(1)
    first = await publisher.publish(env)
    again = await publisher.publish(env)

    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.seq == first.seq
    assert await stored(publisher) == 1


async def test_a_retried_batch_stores_only_what_was_missing(publisher: Publisher) -> None:
    batch = [household(n) for n in range(10)]
    await publisher.publish_batch(batch[:6])
    await publisher.publish_batch(batch)  # a retry after a crash, with more in it than before
    await publisher.publish_batch(batch)

    assert await stored(publisher) == 10


async def test_two_writers_of_one_aggregate_cannot_both_win(publisher: Publisher) -> None:
    a, b = household(7), household(7)
    await publisher.publish(a, expected_last_seq=0)

    with pytest.raises(ConcurrencyConflict):
        await publisher.publish(b, expected_last_seq=0)
    assert await stored(publisher) == 1
