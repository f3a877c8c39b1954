"""The batch consumer every service runs: tail the log in order, decide, publish, commit.

Each service reads the log through an ordered consumer (nats-py) starting after the position stored
in its own database; the ordered consumer guarantees stream order and fills any gap itself, so no
server-side acks are needed: the stored position *is* the acknowledgement. Measured here (see
docs/decisions.md): FastStream's batched pull subscriber on Python 3.11 can drop fetched messages
when a fetch times out (an `asyncio.wait_for` race), and with ack-all that loses events; per-message
FastStream handlers cost ~400 µs each. So the hot path is nats-py, batched:
1. skip events at or below the stored position (a restart that re-reads the last batch);
2. let the service fold the batch into its rows and return the events it derives, with ids derived
   from the input event, so a repeat derives the same ids;
3. publish those events (atomic batch, deduplicated by id);
4. commit the rows with the new position in one transaction.
A message that cannot be decoded, or whose handling raises, goes to the dead-letter stream with the
reason and the rest flows on; a failure of NATS or the database retries the batch until it passes.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js.errors import NotFoundError
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from lookback import observability as obs
from lookback.answered import stored_after
from lookback.contracts.envelope import Envelope, UnknownEventType, derived_id
from lookback.contracts.subjects import STREAM
from lookback.logdigest import GENESIS, fold
from lookback.messaging import DeadLetter, Publisher, PublishError
from lookback.partition import Partition
from lookback.signing import message_digest
from lookback.store import get_digest, get_position, set_digest, set_position
from lookback.tail import Tail, stream_seq

log = logging.getLogger("lookback.consumer")


@dataclass(frozen=True)
class Delivered:
    seq: int
    envelope: Envelope
    digest: bytes | None = None
    """Of the stored message (subject and bytes, `signing.message_digest`); None for one not read from the log."""
    log_state: bytes | None = None
    """The running digest of the whole log after this message (logdigest.py), for a consumer with `log_digest`."""


@dataclass(frozen=True)
class Undecodable:
    """A message that is no event this code knows; the reason is the error's type, never its text."""

    seq: int
    subject: str
    data: bytes
    reason: str


def decode(msg: Msg) -> Delivered | Undecodable:
    """The envelope and its typed payload, decoded once for whoever handles it (a replay shares one
    decoding among the read models it rebuilds)."""
    seq = stream_seq(msg)
    try:
        env = Envelope.model_validate_json(msg.data)
        env.event()
    except (ValidationError, UnknownEventType, ValueError) as err:
        return Undecodable(seq, msg.subject, msg.data, type(err).__name__)
    return Delivered(seq, env, message_digest(msg.subject, msg.data))


# A service's projection/decision step over one batch, inside one open transaction.
Handler = Callable[[Session, Sequence[Delivered]], list[Envelope]]


def output_id(service: str, cause: Envelope, n: int) -> Any:
    """The n-th event a service derives from an input event: the same on every retry."""
    return derived_id(service, cause.id, n)


class BatchConsumer:
    def __init__(
        self,
        *,
        service: str,
        durable: str,
        filter_subjects: list[str],
        engine: Engine,
        publisher_factory: Any,
        handler: Handler,
        batch_size: int = 500,
        max_buffer: int = 5_000,
        partition: Partition | None = None,
        whole_log: bool = False,
        log_digest: bool = False,
        outputs: list[str] | None = None,
    ) -> None:
        """`outputs`: the subjects of the events `handler` derives; those already in the log past the
        position at start are not published again (answered.py). With a `partition`, only the events of
        the aggregates it owns reach `handler`, unless
        `whole_log`: then the handler sees every event and applies the partition itself. With
        `log_digest` (a consumer of the whole log) the running digest of the log is kept with the position
        and handed to the handler with each event, for the 校验码 of reports (logdigest.py)."""
        self.service = service
        self.durable = partition.consumer(durable) if partition else durable
        self.partition = None if whole_log else partition
        self.filter_subjects = filter_subjects
        self.engine = engine
        self.publisher_factory = publisher_factory
        self.handler = handler
        self.batch_size = batch_size
        self.log_digest = log_digest
        self.outputs = outputs or []
        self.answered: set[str] = set()
        self.labels = (service, self.durable)
        for metric in (obs.EVENTS_HANDLED, obs.EVENTS_FAILED, obs.LAG, obs.POSITION):
            metric.labels(*self.labels)  # every series exists from the start, at zero: alerts see "none yet"
        obs.EVENTS_PUBLISHED.labels(service)
        self.max_buffer = max_buffer
        self.position = 0
        self.advanced = asyncio.Event()  # set (and replaced) on each commit: waiters wake on arrival
        self.in_flight = 0
        self.tail: Tail | None = None
        self.js: Any = None

    async def run(self, nc: Client, ready: asyncio.Event | None = None) -> None:
        """Tail the log for ever; a batch is whatever arrived while the previous one was handled."""
        with Session(self.engine) as session:
            self.position = get_position(session, self.durable)
        self.js = nc.jetstream()
        if self.outputs:
            self.answered = await stored_after(nc, self.outputs, self.position)
        tail = self.tail = Tail(nc, self.filter_subjects, self.position + 1, high=self.max_buffer)
        await tail.start()
        if ready is not None:
            ready.set()
        try:
            while True:
                batch = await tail.take(self.batch_size)
                self.in_flight = len(batch)
                await self.consume([decode(m) for m in batch], batch[-1].metadata.num_pending)
                self.in_flight = 0
                await asyncio.sleep(0)  # a catching-up tail never waits: let /healthz and /progress answer
        finally:
            await tail.close()

    async def pending(self) -> int:
        """Events of this consumer's subjects that are in the log but not yet committed here.

        Zero only when the last event of its subjects is at or below the committed position: the
        server's view of what is undelivered misses events sitting in the client's buffers."""
        if self.tail is None:
            return -1
        if await self.last_in_log() <= self.position:
            return 0
        return max(1, (await self.tail.server_pending() or 0) + self.tail.buffered() + self.in_flight)

    async def last_in_log(self) -> int:
        """The stream sequence of the last event of this consumer's subjects (0 if none)."""
        last = 0
        for subject in self.filter_subjects:
            try:
                last = max(last, int((await self.js.get_last_msg(STREAM, subject, direct=True)).seq or 0))
            except NotFoundError:
                continue
        return last

    async def reached(self, seq: int) -> None:
        """Return once this consumer has committed stream position `seq`: woken by each commit, no polling."""
        while self.position < seq:
            await self.advanced.wait()

    async def alive(self) -> bool:
        """False once the server no longer has this consumer's ordered consumer (its stream deleted, or the
        consumer itself); a tail paused by its reader has none on purpose."""
        if self.tail is None:
            return False
        return await self.tail.alive()

    async def consume(
        self, items: Sequence[Delivered | Undecodable], pending: int | None = None, attempts: int | None = None
    ) -> None:
        """Process a batch, retrying while NATS or the database fails (for ever unless `attempts` is given:
        a live service waits out an outage; a replay gives up and says why)."""
        started = time.perf_counter()
        delay = 0.2
        for attempt in itertools.count(1):
            try:
                await self.process(items, pending)
                break
            except Exception:
                if attempts is not None and attempt >= attempts:
                    raise
                log.exception("batch of %d failed; retrying in %.1fs", len(items), delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
        obs.BATCH_SECONDS.labels(*self.labels).observe(time.perf_counter() - started)

    async def process(self, items: Sequence[Delivered | Undecodable], pending: int | None = None) -> None:
        """One batch, decoded: skip what is at or below the position, handle, publish, commit."""
        with Session(self.engine) as session:
            position = get_position(session, self.durable)
            fresh = [i for i in items if i.seq > position]
            if not fresh:
                return
            batch = [i for i in fresh if isinstance(i, Delivered)]
            states = self._log_states(session, position, fresh) if self.log_digest else {}
            if states:
                batch = [replace(d, log_state=states[d.seq]) for d in batch]
            dead = [self._dead_letter(i.seq, i.subject, i.data, i.reason) for i in fresh if isinstance(i, Undecodable)]
            if self.partition is not None:
                batch = [d for d in batch if self.partition.owns(d.envelope.aggregate_id)]
            try:
                outputs = self.handler(session, batch)
            except (OperationalError, PublishError, NatsError):
                raise
            except Exception:
                session.rollback()
                outputs, dead = self._isolate(session, batch, dead)
            if self.answered:
                outputs = self._unanswered(outputs)
            publisher: Publisher = self.publisher_factory()
            await publisher.publish_batch(outputs)
            for letter in dead:
                await publisher.publish_dead_letter(letter)
            last = fresh[-1].seq
            if states:
                set_digest(session, self.durable, last, states[last])
            set_position(session, self.durable, last)
            session.commit()
        self.position = last
        self.advanced.set()
        self.advanced = asyncio.Event()
        obs.EVENTS_HANDLED.labels(*self.labels).inc(len(batch))
        obs.EVENTS_PUBLISHED.labels(self.service).inc(len(outputs))
        obs.POSITION.labels(*self.labels).set(last)
        obs.LAG.labels(*self.labels).set(pending or 0)

    def _unanswered(self, outputs: list[Envelope]) -> list[Envelope]:
        """Leave out what the log held past the position at start (a rebuild's or a restart's repeats)."""
        return [env for env in outputs if str(env.id) not in self.answered]

    def _log_states(
        self, session: Session, position: int, fresh: Sequence[Delivered | Undecodable]
    ) -> dict[int, bytes]:
        """The running digest of the log after each message of the batch. A read model that predates the
        digest (a position but no digest at it) cannot continue it and stays without one until rebuilt
        (reporting rebuilds on a schema change)."""
        known = get_digest(session, self.durable)
        if known is None and position == 0:
            known = (0, GENESIS)
        if known is None or known[0] != position:
            return {}
        state, states = known[1], {}
        for item in fresh:
            digest = item.digest if isinstance(item, Delivered) else message_digest(item.subject, item.data)
            if digest is None:
                raise ValueError("a log digest needs the stored message of every event")
            state = states[item.seq] = fold(state, item.seq, digest)
        return states

    def _isolate(
        self, session: Session, batch: list[Delivered], dead: list[DeadLetter]
    ) -> tuple[list[Envelope], list[DeadLetter]]:
        """Handle one event at a time so that only the event that fails is set aside."""
        outputs: list[Envelope] = []
        for item in batch:
            nested = session.begin_nested()
            try:
                outputs += self.handler(session, [item])
                nested.commit()
            except (OperationalError, PublishError, NatsError):
                raise
            except Exception as err:
                nested.rollback()
                log.warning("event at seq %d set aside: %s", item.seq, type(err).__name__)
                data = item.envelope.model_dump_json().encode()
                dead.append(self._dead_letter(item.seq, item.envelope.subject, data, type(err).__name__))
        return outputs, dead

    def _dead_letter(self, seq: int, subject: str, data: bytes, reason: str) -> DeadLetter:
        obs.EVENTS_FAILED.labels(*self.labels).inc()
        return DeadLetter(consumer=self.durable, stream_seq=seq, subject=subject, reason=reason, data=data)
