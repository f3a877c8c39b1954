"""Raw NATS connections in tests, as one of the users of a server the runner started, and the refusals the
server sends them.

Tests reach the log as `admin` (forgeries, dead letters, stream inspection) or `audit` through
`NatsServer.url_as(user)` / `NatsCluster.url_as(user)`; `connected_as` adds the refusals, which nats-py reports
asynchronously (a refused publish gets no answer, only an `-ERR` on the connection), so a test waits for the
refusal itself instead of for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import nats
from nats.aio.client import Client

from apps.runner import NatsCluster, NatsServer


class Refusals:
    """The permission violations and other errors the server reported on one connection."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.changed = asyncio.Event()

    async def record(self, err: Exception) -> None:
        self.seen.append(str(err))
        self.changed.set()

    def of(self, subject: str) -> list[str]:
        # nats-py reports the server's -ERR in lower case
        return [e for e in self.seen if "permissions violation" in e.lower() and subject.lower() in e.lower()]

    async def wait(self, subject: str, timeout: float = 30) -> list[str]:
        """The refusals of `subject`, once there is one (an `AssertionError` if none comes within `timeout`)."""

        async def arrived() -> None:
            while not self.of(subject):
                self.changed.clear()
                await self.changed.wait()

        try:
            await asyncio.wait_for(arrived(), timeout)
        except TimeoutError:
            raise AssertionError(f"the server did not refuse {subject}: {self.seen}") from None
        return self.of(subject)


@contextlib.asynccontextmanager
async def connected_as(server: NatsServer | NatsCluster, user: str) -> AsyncIterator[tuple[Client, Refusals]]:
    refusals = Refusals()
    nc = await nats.connect(server.url_as(user), error_cb=refusals.record, allow_reconnect=False, connect_timeout=5)
    try:
        yield nc, refusals
    finally:
        await nc.close()
