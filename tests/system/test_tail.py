"""The tail every consumer reads the log with: in order, each message once, and never more than
`high` messages held however slow the reader is."""

from __future__ import annotations

import asyncio
from pathlib import Path

from apps.runner import NatsServer, free_port
from lookback.messaging import connect, ensure_streams
from lookback.tail import Tail

EVENTS = 600


async def _read(url: str, start: int, high: int) -> tuple[list[int], int, int]:
    nc = await connect(url, "test-tail")
    try:
        await ensure_streams(nc)
        js = nc.jetstream()
        if (await js.stream_info("LOOKBACK")).state.messages == 0:
            await asyncio.gather(*(js.publish(f"lb.test.{n}.seen", str(n).encode()) for n in range(EVENTS)))
        tail = Tail(nc, ["lb.>"], start, high=high)
        await tail.start()
        got: list[int] = []
        most = 0
        while len(got) < EVENTS - start + 1:
            await asyncio.sleep(0.002)  # a reader far slower than the server
            most = max(most, tail.buffered())
            got += [m.metadata.sequence.stream for m in await tail.take(7, timeout=10)]
        await tail.close()
        return got, most, tail.pauses
    finally:
        await nc.close()


def test_a_slow_reader_gets_every_message_once_in_order_and_holds_at_most_high(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats", free_port())
    server.start()
    try:
        got, most, pauses = asyncio.run(_read(server.url_as("admin"), 1, high=50))
        assert got == list(range(1, EVENTS + 1))
        assert most <= 50 and pauses > 0  # the server was stopped, and the reader resumed where it was
        got, _, _ = asyncio.run(_read(server.url_as("admin"), 401, high=50))
        assert got == list(range(401, EVENTS + 1))
    finally:
        server.stop()
