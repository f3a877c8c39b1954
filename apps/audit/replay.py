"""Rebuilding read models from the log: each projection gets its own subjects, in stream order, in batches.

The log is read once and every event is routed to the projections whose filters take it. Each batch
goes through the services' own `BatchConsumer` step (decode, handler, set aside what fails, position,
one commit), so a rebuilt database is what the service would have written and can be handed to it.
What the handlers derive is counted, not published: those events are already in the log.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from nats.aio.client import Client
from nats.aio.msg import Msg
from sqlalchemy import Engine, inspect
from sqlmodel import Session, col, select

from apps.audit.projections import Projection
from apps.audit.reader import read_log, stream_head
from apps.audit.subjects import matches_any
from lookback.consumer import BatchConsumer, Delivered, Undecodable, decode
from lookback.contracts.envelope import Envelope
from lookback.messaging import DeadLetter
from lookback.store import Position

ATTEMPTS = 8
"""Tries per batch: rebuilders sharing one SQLite file can collide on a write (busy); a batch that fails
for longer (about half a minute) ends the replay with the error."""

Progress = Callable[[int, int], None]
"""Called with (last sequence read, last sequence to read) after every chunk."""


class NotFresh(RuntimeError):
    """The target database already holds a position: it is someone's read model, not a rebuild's."""


@dataclass
class Discard:
    """Stands in for the publisher: derived events are counted, set-aside events kept for the report."""

    derived: int = 0
    set_aside: list[DeadLetter] = field(default_factory=list)

    async def publish_batch(self, envelopes: Sequence[Envelope]) -> set[uuid.UUID]:
        self.derived += len(envelopes)
        return set()  # nothing is stored, so nothing was stored before

    async def publish_dead_letter(self, letter: DeadLetter) -> None:
        self.set_aside.append(letter)


@dataclass
class Rebuilt:
    """What one projection took from the log."""

    name: str
    events: int = 0
    position: int = 0
    derived: int = 0
    set_aside: list[DeadLetter] = field(default_factory=list)


class Rebuild:
    """One read model being rebuilt. Its batches go through the service's own consumer step
    (`BatchConsumer.process`: skip what is at or below the position, handle, set aside what
    fails, commit rows and position together) with a publisher that discards, so a rebuild cannot drift
    from how the service folds events live."""

    def __init__(self, projection: Projection, engine: Engine, limit: int | None, batch_size: int) -> None:
        self.projection = projection
        self.limit = limit
        self.batch_size = batch_size
        self.discard = Discard()
        self.step = BatchConsumer(
            service="audit",
            durable=projection.durable,
            filter_subjects=list(projection.filters),
            engine=engine,
            publisher_factory=lambda: self.discard,
            handler=projection.handler,
            batch_size=batch_size,
            log_digest=projection.log_digest,
        )
        self.pending: list[Delivered | Undecodable] = []
        self.result = Rebuilt(projection.name)

    def wants(self, msg: Msg) -> bool:
        seq = msg.metadata.sequence.stream
        return (self.limit is None or seq <= self.limit) and matches_any(self.projection.filters, msg.subject)

    async def flush(self, *, full_only: bool = False) -> None:
        """Write in a worker thread: a handler can take seconds over a batch, and an event loop that long
        deaf stops reading the socket, so the server drops the reader as a slow consumer. Flow control
        still bounds what is read ahead (the callback blocks on a full buffer, the server waits)."""
        if not self.pending or (full_only and len(self.pending) < self.batch_size):
            return
        batch, self.pending = self.pending, []
        await asyncio.to_thread(asyncio.run, self.step.consume(batch, attempts=ATTEMPTS))
        self.result.events += len(batch)
        self.result.position = batch[-1].seq

    def report(self) -> Rebuilt:
        self.result.derived, self.result.set_aside = self.discard.derived, self.discard.set_aside
        return self.result


@dataclass
class Replayed:
    read: int
    seconds: float
    last_seq: int
    stopped_at: int | None
    """The first sequence left out because it was recorded after `until`."""
    projections: list[Rebuilt]

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def ensure_fresh(engine: Engine, projections: Sequence[Projection]) -> None:
    """Checked before any table is prepared: reporting's `prepare` drops a read model of another version."""
    if Position.__tablename__ not in inspect(engine).get_table_names():
        return
    with Session(engine) as session:
        durables = [p.durable for p in projections]
        taken = session.exec(
            select(Position.consumer).where(col(Position.consumer).in_(durables), col(Position.seq) > 0)
        ).all()
    if taken:
        raise NotFresh(f"the database already holds positions for {', '.join(taken)}: replay needs a fresh one")


def recorded_after(msg: Msg, until: datetime) -> bool:
    """`recorded_time` is when the system learnt the fact; a message that is no envelope counts by the
    server's own timestamp."""
    try:
        recorded = datetime.fromisoformat(json.loads(msg.data)["recorded_time"])
    except (ValueError, KeyError, TypeError):
        recorded = msg.metadata.timestamp
    return recorded > until


Target = tuple[Projection, Engine]
"""A read model and the database it is rebuilt in; several may share one, as services may share one."""


def rebuilds_for(targets: Sequence[Target], limits: dict[str, int] | None, batch_size: int) -> list[Rebuild]:
    """Fresh, prepared read models, one per target."""
    for engine in {id(e): e for _, e in targets}.values():
        ensure_fresh(engine, [p for p, e in targets if e is engine])
    for p, engine in targets:
        p.prepare(engine)
    return [Rebuild(p, engine, (limits or {}).get(p.name), batch_size) for p, engine in targets]


async def route(rebuilds: Sequence[Rebuild], msgs: Sequence[Msg]) -> None:
    """Hand each message, decoded once, to the read models whose filters take it; write the batches
    that are full."""
    for msg in msgs:
        takers = [r for r in rebuilds if r.wants(msg)]
        if takers:
            item = decode(msg)
            for r in takers:
                r.pending.append(item)
    for r in rebuilds:
        await r.flush(full_only=True)


async def replay_messages(msgs: Sequence[Msg], targets: Sequence[Target], batch_size: int = 1000) -> list[Rebuilt]:
    """Rebuild from messages in hand (stored fixtures, a test's own log) exactly as from the stream."""
    rebuilds = rebuilds_for(targets, None, batch_size)
    await route(rebuilds, msgs)
    for r in rebuilds:
        await r.flush()
    return [r.report() for r in rebuilds]


async def replay(
    nc: Client,
    targets: Sequence[Target],
    *,
    limits: dict[str, int] | None = None,
    until: datetime | None = None,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> Replayed:
    """Rebuild each target from the start of the log up to its limit (by projection name; the log's last
    sequence now when none), stopping altogether at the first event recorded after `until`."""
    rebuilds = rebuilds_for(targets, limits, batch_size)
    head = await stream_head(nc)
    wanted = [r for r in rebuilds if r.limit is None or r.limit > 0]
    stop = min(head, max((head if r.limit is None else r.limit) for r in wanted)) if wanted else 0
    filters = [f for r in wanted for f in r.projection.filters]
    stopped_at: int | None = None
    last = read = 0

    async def sink(chunk: list[Msg]) -> bool:
        nonlocal stopped_at, last, read
        if until is not None:
            late = next((n for n, m in enumerate(chunk) if recorded_after(m, until)), None)
            if late is not None:
                stopped_at = chunk[late].metadata.sequence.stream
                chunk = chunk[:late]
        if chunk:
            await route(wanted, chunk)
            last, read = chunk[-1].metadata.sequence.stream, read + len(chunk)
        if progress is not None:
            progress(last, stop)
        return stopped_at is None

    started = time.perf_counter()
    if wanted:
        await read_log(nc, filters, sink, stop=stop, chunk=batch_size)
    for r in wanted:
        await r.flush()
    seconds = time.perf_counter() - started
    if progress is not None:
        progress(stop if stopped_at is None else last, stop)
    return Replayed(read, seconds, last, stopped_at, [r.report() for r in rebuilds])
