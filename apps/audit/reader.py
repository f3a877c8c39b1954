"""Reading a stretch of the log in stream order, fast, and knowing when it has all arrived.

The services' consumer reads the same way (lookback/tail.py, docs/decisions.md): an ordered consumer
whose callback only appends to a bounded buffer, never a per-message `wait_for`, so nothing is dropped
and the server pushes as fast as it can (42k–54k msg/s here, notes/jetstream.md) until the reader
falls `max_buffer` behind. The end is the
stream's last sequence when reading starts, or the first message the server says has nothing pending
after it: a reader over a few subjects does not wait for the stream's last message, which is not its.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nats.aio.client import Client
from nats.aio.msg import Msg

from apps.audit.subjects import minimal
from lookback.contracts.subjects import STREAM
from lookback.tail import Tail

Sink = Callable[[list[Msg]], Awaitable[bool]]
"""Takes the next chunk, in stream order; returns False to stop reading."""

QUIET_S = 1.0
"""How long an empty buffer waits before the consumer is asked whether anything is still pending."""


async def stream_head(nc: Client, stream: str = STREAM) -> int:
    """The last sequence in the log now: what a replay started now is bounded by."""
    info = await nc.jetstream().stream_info(stream)
    return int(info.state.last_seq or 0)


async def read_log(
    nc: Client,
    filters: list[str],
    sink: Sink,
    *,
    start: int = 1,
    stop: int | None = None,
    chunk: int = 1000,
    max_buffer: int = 20_000,
    stream: str = STREAM,
) -> int:
    """Hand the messages of `filters` with `start <= seq <= stop` to `sink`, in order; returns how many."""
    stop = await stream_head(nc, stream) if stop is None else stop
    if stop < start:
        return 0
    tail = Tail(nc, minimal(filters), start, high=max_buffer, stream=stream)
    await tail.start()
    handed = 0
    try:
        while True:
            try:
                batch = await tail.take(chunk, QUIET_S)
            except TimeoutError:
                if not tail.buffered() and await tail.server_pending() == 0:
                    return handed
                continue
            last = batch[-1].metadata
            done = last.sequence.stream >= stop or not last.num_pending
            if last.sequence.stream > stop:
                batch = [m for m in batch if m.metadata.sequence.stream <= stop]
            handed += len(batch)
            if (batch and not await sink(batch)) or done:
                return handed
    finally:
        await tail.close()
