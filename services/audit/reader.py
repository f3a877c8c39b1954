"""Reading a stretch of the log in stream order, fast, and knowing when it has all arrived.

The same shape as the services' consumer (lookback/consumer.py, docs/decisions.md): an ordered
consumer whose callback only appends to a list, never a per-message `wait_for`, so nothing is dropped
and the server pushes as fast as it can (42k–54k msg/s here, notes/jetstream.md). The end is the
stream's last sequence when reading starts, or the first message the server says has nothing pending
after it: a reader over a few subjects does not wait for the stream's last message, which is not its.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js.api import ConsumerConfig, DeliverPolicy

from lookback.contracts.subjects import PREFIX, STREAM
from services.audit.subjects import minimal

Sink = Callable[[list[Msg]], Awaitable[bool]]
"""Takes the next chunk, in stream order; returns False to stop reading."""

QUIET_S = 1.0
"""How long an empty buffer waits before the consumer is asked whether anything is still pending."""


async def stream_head(nc: Client) -> int:
    """The last sequence in the log now: what a replay started now is bounded by."""
    info = await nc.jetstream().stream_info(STREAM)
    return int(info.state.last_seq or 0)


async def read_log(
    nc: Client,
    filters: list[str],
    sink: Sink,
    *,
    start: int = 1,
    stop: int | None = None,
    chunk: int = 1000,
    max_buffer: int = 50_000,
) -> int:
    """Hand the messages of `filters` with `start <= seq <= stop` to `sink`, in order; returns how many."""
    stop = await stream_head(nc) if stop is None else stop
    if stop < start:
        return 0
    buffer: list[Msg] = []
    arrived, space = asyncio.Event(), asyncio.Event()

    async def on_msg(msg: Msg) -> None:
        buffer.append(msg)
        arrived.set()
        while len(buffer) >= max_buffer:
            space.clear()
            await space.wait()

    config = ConsumerConfig(filter_subjects=minimal(filters))
    if start > 1:
        config.deliver_policy, config.opt_start_seq = DeliverPolicy.BY_START_SEQUENCE, start
    subscription = await nc.jetstream().subscribe(
        f"{PREFIX}.>",
        stream=STREAM,
        cb=on_msg,
        ordered_consumer=True,
        config=config,
        pending_msgs_limit=-1,
        pending_bytes_limit=-1,
    )
    handed = 0
    try:
        while True:
            if not buffer:
                try:
                    await asyncio.wait_for(arrived.wait(), QUIET_S)
                except TimeoutError:
                    if not buffer and await _drained(subscription):
                        return handed
                    continue
            batch = buffer[:chunk]
            del buffer[:chunk]
            if not buffer:
                arrived.clear()
            space.set()
            last = batch[-1].metadata
            done = last.sequence.stream >= stop or not last.num_pending
            if last.sequence.stream > stop:
                batch = [m for m in batch if m.metadata.sequence.stream <= stop]
            handed += len(batch)
            if (batch and not await sink(batch)) or done:
                return handed
    finally:
        space.set()
        await subscription.unsubscribe()


async def _drained(subscription: Any) -> bool:
    """Nothing left for this reader; an ordered consumer being recreated after a reconnect is not drained."""
    try:
        return not (await subscription.consumer_info()).num_pending
    except NatsError:
        return False
