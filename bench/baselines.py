"""Baselines on the same machine, with the same events the system stored.

- nats-py straight onto JetStream (its own nats-server, the same `sync_interval: always` config and
  the same stream settings as `lookback.messaging.stream_config`): the ceiling of this stack.
  Publish pipelined (`publish_async`, 1,024 in flight), in atomic batches as `Publisher.publish_batch`
  sends them (1,000 per batch as the import does, 500 as a consumer batch does) and, for scale, one
  awaited publish at a time; consume with an ordered consumer, bare, with `json.loads`, and with the
  pydantic decode every Lookback consumer does.
- The `eventsourcing` library on SQLite: the usual Python event store, appending one event per
  transaction and 500 per transaction, and reading its notification log back.
The FastStream chain lives in `bench/fschain.py`: it needs processes of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy

from apps.runner import NatsServer, free_port
from bench.system import Stored
from lookback.contracts.envelope import Envelope, decode
from lookback.messaging import stream_config

SEQUENTIAL_SAMPLE = 2_000  # one-at-a-time figures are steady after a few thousand; keeps the run short


def _stream(nc: Client, name: str, prefix: str) -> Any:
    config = dataclasses.replace(stream_config(), name=name, subjects=[f"{prefix}.>"])
    return nc.jetstream().add_stream(config)


def _subject(prefix: str, subject: str) -> str:
    return prefix + subject[subject.index(".") :]


def _headers(e: Stored) -> dict[str, str]:
    return {k: v for k, v in e.headers.items() if k in ("Nats-Msg-Id", "Lb-Type")}


async def publish_async(nc: Client, events: list[Stored], prefix: str) -> float:
    js = nc.jetstream(publish_async_max_pending=1024)
    started = time.perf_counter()
    futures = [await js.publish_async(_subject(prefix, e.subject), e.data, headers=_headers(e)) for e in events]
    await asyncio.gather(*futures)
    return time.perf_counter() - started


async def publish_atomic(nc: Client, events: list[Stored], prefix: str, size: int) -> float:
    """The protocol of `Publisher._atomic` on pre-encoded bytes: publishes, and a request on the last."""
    started = time.perf_counter()
    for start in range(0, len(events), size):
        chunk = events[start : start + size]
        batch_id = uuid.uuid4().hex
        for n, e in enumerate(chunk, 1):
            headers = _headers(e) | {"Nats-Batch-Id": batch_id, "Nats-Batch-Sequence": str(n)}
            subject = _subject(prefix, e.subject)
            if n < len(chunk):
                await nc.publish(subject, e.data, headers=headers)
            else:
                headers["Nats-Batch-Commit"] = "1"
                reply = json.loads((await nc.request(subject, e.data, headers=headers, timeout=30)).data)
                if "error" in reply:
                    raise RuntimeError(f"atomic batch refused: {reply['error']}")
    return time.perf_counter() - started


async def publish_sequential(nc: Client, events: list[Stored], prefix: str) -> float:
    js = nc.jetstream()
    started = time.perf_counter()
    for e in events:
        await js.publish(_subject(prefix, e.subject), e.data, headers=_headers(e))
    return time.perf_counter() - started


async def consume(nc: Client, stream: str, prefix: str, count: int, work: str) -> float:
    """Read `count` events back with an ordered consumer; `work` is none, json or envelope."""
    js = nc.jetstream()
    done = asyncio.Event()
    seen = 0

    async def on_msg(msg: Any) -> None:
        nonlocal seen
        if work == "json":
            json.loads(msg.data)
        elif work == "envelope":
            decode(Envelope.model_validate_json(msg.data))
        seen += 1
        if seen >= count:
            done.set()

    config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
    started = time.perf_counter()
    sub = await js.subscribe(
        f"{prefix}.>",
        stream=stream,
        cb=on_msg,
        ordered_consumer=True,
        config=config,
        pending_msgs_limit=-1,
        pending_bytes_limit=-1,
    )
    await asyncio.wait_for(done.wait(), timeout=600)
    elapsed = time.perf_counter() - started
    await sub.unsubscribe()
    return elapsed


async def nats_py(events: list[Stored], publish: list[Stored], root: Path) -> dict[str, Any]:
    """Publishes `publish` (the import's events) each way, then reads all of `events` back."""
    server = NatsServer(root / "nats-baseline", free_port())
    server.start()
    out: dict[str, Any] = {
        "published": len(publish),
        "published_mean_bytes": sum(len(e.data) for e in publish) / max(1, len(publish)),
        "consumed": len(events),
        "consumed_mean_bytes": sum(len(e.data) for e in events) / max(1, len(events)),
    }
    try:
        nc = await nats.connect(server.url_as("admin"))
        try:
            await _stream(nc, "BASYNC", "ba")
            out["publish_async_per_s"] = len(publish) / await publish_async(nc, publish, "ba")
            for size, name in ((1000, "BATOM1K"), (500, "BATOM500")):
                prefix = name.lower()
                await _stream(nc, name, prefix)
                out[f"publish_atomic_{size}_per_s"] = len(publish) / await publish_atomic(nc, publish, prefix, size)
            sample = publish[:SEQUENTIAL_SAMPLE]
            await _stream(nc, "BSEQ", "bs")
            out["publish_awaited_one_by_one_per_s"] = len(sample) / await publish_sequential(nc, sample, "bs")
            await _stream(nc, "BALL", "bl")
            await publish_atomic(nc, events, "bl", 1000)
            for work in ("none", "json", "envelope"):
                out[f"consume_ordered_{work}_per_s"] = len(events) / await consume(nc, "BALL", "bl", len(events), work)
        finally:
            await nc.close()
    finally:
        server.stop()
    return out


def eventsourcing_sqlite(events: list[Stored], root: Path) -> dict[str, Any]:
    """The same events through `eventsourcing`'s SQLite application recorder (library defaults):
    each event's aggregate is its subject's aggregate id, its version counted per aggregate."""
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

    versions: dict[str, int] = {}
    stored = []
    for e in events:
        aggregate = ".".join(e.subject.split(".")[1:3])
        versions[aggregate] = versions.get(aggregate, 0) + 1
        originator = uuid.uuid5(uuid.NAMESPACE_URL, aggregate)
        stored.append(StoredEvent(originator, versions[aggregate], e.headers.get("Lb-Type", "event"), e.data))

    def recorder(name: str) -> SQLiteApplicationRecorder:
        rec = SQLiteApplicationRecorder(SQLiteDatastore(str(root / f"{name}.sqlite")))
        rec.create_table()
        return rec

    out: dict[str, Any] = {"events": len(stored)}
    one = recorder("es-one-by-one")
    sample = stored[:SEQUENTIAL_SAMPLE]
    started = time.perf_counter()
    for s in sample:
        one.insert_events([s])
    out["append_one_per_txn_per_s"] = len(sample) / (time.perf_counter() - started)
    batched = recorder("es-batched")
    started = time.perf_counter()
    for i in range(0, len(stored), 500):
        batched.insert_events(stored[i : i + 500])
    out["append_500_per_txn_per_s"] = len(stored) / (time.perf_counter() - started)
    started = time.perf_counter()
    read, position = 0, 1
    while True:
        page = batched.select_notifications(position, 500)
        if not page:
            break
        for n in page:
            json.loads(n.state)
        read += len(page)
        position = page[-1].id + 1
    out["replay_per_s"] = read / (time.perf_counter() - started)
    return out


def run(events: list[Stored], root: Path, publish: list[Stored]) -> dict[str, Any]:
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as folder:
        return {
            "nats_py": asyncio.run(nats_py(events, publish, Path(folder))),
            "eventsourcing": eventsourcing_sqlite(events, Path(folder)),
        }
