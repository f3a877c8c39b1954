"""A service that rebuilds its read model from the log (a restore, a schema change, long after the
stream's duplicate window) publishes nothing its outputs already answered: the log holds every problem
and case it derives, and appending them again would count them twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from lookback_log import grow_log
from nats.aio.msg import Msg

from apps.audit.projections import Projection, all_projections
from apps.audit.replay import Discard
from apps.audit.subjects import matches_any
from apps.runner import NatsServer, free_port
from lookback.consumer import BatchConsumer
from lookback.contracts.subjects import STREAM
from lookback.messaging import connect
from lookback.store import make_engine
from lookback.tail import Tail
from services.rectify import main as rectify_main
from services.rules import main as rules_main


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NatsServer, list[Msg]]]:
    """A demo town's log (the bench's grower: imports, a corrected re-import, problems, cases) and its
    messages as the stream delivers them."""
    folder = tmp_path_factory.mktemp("town")
    server = NatsServer(folder / "nats", free_port())
    server.start()
    try:
        url = server.url_as("admin")
        asyncio.run(grow_log(url, folder / "grow", households=120, chunk=60))
        yield server, asyncio.run(_read_all(url))
    finally:
        server.stop()


async def _read_all(url: str) -> list[Msg]:
    nc = await connect(url, "test-rebuild-reader")
    tail = Tail(nc, ["lb.>"], 1)
    head = int((await nc.jetstream().stream_info(STREAM)).state.last_seq or 0)
    await tail.start()
    msgs: list[Msg] = []
    try:
        while not msgs or msgs[-1].metadata.sequence.stream < head:
            msgs += await tail.take(1000)
    finally:
        await tail.close()
        await nc.close()
    return msgs


@pytest.mark.parametrize("projection", ["rules", "rectify"])
def test_a_service_rebuilding_from_the_log_publishes_nothing_already_answered(
    town: tuple[NatsServer, list[Msg]], tmp_path: Path, projection: str
) -> None:
    """A fresh database, as after a restore or a schema change, long after the duplicate window: the log
    already holds every event the service derives from it, so none may be sent again."""
    server, msgs = town
    p = next(p for p in all_projections() if p.name == projection)
    outputs = {"rules": rules_main.DERIVES, "rectify": rectify_main.DERIVES}[projection]
    last = max(m.metadata.sequence.stream for m in msgs if matches_any(p.filters, m.subject))
    url = server.url_as("admin")
    unguarded = asyncio.run(_catch_up(url, p, tmp_path / "unguarded", None, last))
    guarded = asyncio.run(_catch_up(url, p, tmp_path / "guarded", outputs, last))
    assert unguarded.derived > 0  # the handler does derive events from this log...
    assert guarded.derived == 0  # ...and all of them are in it already


async def _catch_up(url: str, projection: Projection, folder: Path, outputs: list[str] | None, last: int) -> Discard:
    """Run the service's consumer on a fresh database until it has folded the log up to `last`; what it
    would publish is kept, not sent."""
    folder.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{folder / 'fresh.db'}")
    projection.prepare(engine)
    sent = Discard()
    consumer = BatchConsumer(
        service=projection.name,
        durable=projection.durable,
        filter_subjects=list(projection.filters),
        engine=engine,
        publisher_factory=lambda: sent,
        handler=projection.handler,
        outputs=outputs,
    )
    nc = await connect(url, "test-rebuild-service")
    task = asyncio.create_task(consumer.run(nc))
    try:
        await consumer.reached(last)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await nc.close()
        engine.dispose()
    return sent
