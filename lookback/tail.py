"""Reading the log in order with bounded memory: an ordered consumer that stops the server when its
reader falls behind.

nats-py queues every message the server pushes before any callback runs, and on this stack the
server's flow control did not bound that queue: a reader doing 2,000 events a second over a
million-event log had 906,000 messages (3.2 GB) queued after 15 seconds, whatever its callback did.
So the tail keeps at most `high` messages: on reaching that mark it drops its consumer and ignores
what is still in flight, and once the reader has taken the buffer down to `low` it starts a new
ordered consumer after the last message it kept. Ordered consumers deliver in stream order with no
gaps (nats-py recreates one itself on a gap), so what the reader takes is the log, in order, once.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from lookback.contracts.subjects import PREFIX, STREAM


def stream_seq(msg: Msg) -> int:
    """The stream sequence from a JetStream message's reply subject, without nats-py's `Msg.metadata`:
    that builds a datetime and two dataclasses (5–10 µs a message here, the first item of rectify's
    profile), and the consumers need only this number of every message (and `num_pending` of a batch's
    last). Token positions as nats-py reads them: `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>…`,
    or with a domain `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>…`."""
    tokens = msg.reply.split(".")
    return int(tokens[5] if len(tokens) == _V1_TOKENS else tokens[7])


_V1_TOKENS = 9


class Tail:
    def __init__(
        self,
        nc: Client,
        filters: list[str],
        start: int,
        high: int = 5_000,
        low: int | None = None,
        stream: str = STREAM,
    ) -> None:
        """`start`: the first stream sequence wanted; `filters`: subjects that do not overlap; `stream`:
        the log, or a copy of it (an auditor checking a backup)."""
        self.nc = nc
        self.stream = stream
        self.filters = filters
        self.next = max(1, start)
        self.high = high
        self.low = high // 2 if low is None else low
        self.buffer: list[Msg] = []
        self.arrived = asyncio.Event()
        self.subscription: Any = None
        self.paused = False
        self.pauses = 0
        self._closing: asyncio.Task[None] | None = None

    async def start(self) -> None:
        config = ConsumerConfig(
            filter_subjects=self.filters, deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self.next
        )
        self.subscription = await self.nc.jetstream().subscribe(
            f"{PREFIX}.>",
            stream=self.stream,
            cb=self._on_msg,
            ordered_consumer=True,
            config=config,
            pending_msgs_limit=-1,
            pending_bytes_limit=-1,
        )
        self.paused = False

    async def _on_msg(self, msg: Msg) -> None:
        if self.paused:
            return  # in flight when the consumer was dropped: read again after `next`
        self.buffer.append(msg)
        self.next = stream_seq(msg) + 1
        self.arrived.set()
        if len(self.buffer) >= self.high:
            self.paused = True
            self.pauses += 1
            self._closing = asyncio.create_task(self._drop(self.subscription))

    @staticmethod
    async def _drop(subscription: Any) -> None:
        with contextlib.suppress(NatsError):
            await subscription.unsubscribe()

    async def take(self, n: int, timeout: float | None = None) -> list[Msg]:
        """Up to `n` messages, in order, waiting for the first; `TimeoutError` if none comes in time."""
        if not self.buffer:
            await asyncio.wait_for(self.arrived.wait(), timeout)
        batch = self.buffer[:n]
        del self.buffer[:n]
        if not self.buffer:
            self.arrived.clear()
        if self.paused and len(self.buffer) <= self.low:
            if self._closing is not None:
                await self._closing
                self._closing = None
            await self.start()
        return batch

    def buffered(self) -> int:
        return len(self.buffer)

    async def server_pending(self) -> int | None:
        """What the server has not yet sent to the current consumer; None while paused or unknown."""
        if self.paused or self.subscription is None:
            return None
        try:
            return int((await self.subscription.consumer_info()).num_pending or 0)
        except NatsError:
            return None

    async def alive(self) -> bool:
        if self.paused or self.subscription is None:
            return True
        try:
            await self.subscription.consumer_info()
        except NotFoundError:
            return False
        except NatsError:
            return True  # a slow or lost reply says nothing about the consumer
        return True

    async def close(self) -> None:
        self.paused = True
        if self._closing is not None:
            await self._closing
        elif self.subscription is not None:
            await self._drop(self.subscription)
