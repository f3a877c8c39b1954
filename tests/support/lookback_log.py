"""Reading the event log directly in tests: the independent side of every consistency check."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import nats
from nats.aio.client import Client

from apps.demo import generate
from bench.logmaker import Grower
from bench.towns import SEED
from lookback.contracts.envelope import Envelope
from lookback.contracts.subjects import STREAM
from lookback.messaging import connect, ensure_streams


async def raw_client(nats_url: str) -> Client:
    """A plain client beside the services, as every test that reads the log connects: one place to say how.
    The log is closed: `nats_url` carries a user, `NatsServer.url_as("admin")` (or "audit") of the test's server."""
    return await nats.connect(nats_url)


async def count_in_log(nats_url: str, subject: str) -> int:
    nc = await raw_client(nats_url)
    info = await nc.jetstream().stream_info(STREAM, subjects_filter=subject)
    await nc.close()
    return sum((info.state.subjects or {}).values())


async def flagged_in_log(nats_url: str) -> dict[str, dict[str, int]]:
    """Problems ever flagged by rule and village, counted from the stream, not from any read model."""
    total = await count_in_log(nats_url, "lb.problem.*.flagged")
    nc = await raw_client(nats_url)
    sub = await nc.jetstream().subscribe("lb.problem.*.flagged", ordered_consumer=True)
    seen: dict[str, tuple[str, str]] = {}
    for _ in range(total):
        body = json.loads((await sub.next_msg(timeout=10)).data)["payload"]
        seen[body["problem_id"]] = (body["rule"], body["village"])
    await nc.close()
    counts: dict[str, Counter[str]] = {}
    for rule, village in seen.values():
        counts.setdefault(rule, Counter())[village] += 1
    return {rule: dict(c) for rule, c in counts.items()}


async def all_events(nats_url: str, stream: str = STREAM) -> list[tuple[int, Envelope]]:
    """Every event of a stream, in order, with its stream sequence."""
    nc = await raw_client(nats_url)
    js = nc.jetstream()
    total = (await js.stream_info(stream)).state.messages
    sub = await js.subscribe(">", stream=stream, ordered_consumer=True)
    out = []
    for _ in range(total):
        msg = await sub.next_msg(timeout=10)
        out.append((msg.metadata.sequence.stream, Envelope.model_validate_json(msg.data)))
    await nc.close()
    return out


async def grow_log(nats_url: str, folder: Path, households: int, chunk: int) -> list[tuple[list[Path], date]]:
    """A demo town's log grown by the replay benchmark's grower (bench/logmaker.py), whole; returns the
    files it imported, in order, with their as-of dates."""
    nc = await connect(nats_url, "test-grown-log")
    try:
        await ensure_streams(nc)
        grower = Grower(nc, folder, chunk=chunk, keep_files=True)
        await grower.grow(generate(households, seed=SEED), target=10**9, progress=lambda _: None)
        return grower.imports
    finally:
        await nc.close()


async def census(nats_url: str) -> tuple[dict[str, int], list[str]]:
    """How many events of each type the log holds, and the ids of any event stored more than once."""
    events = await all_events(nats_url)
    ids = Counter(str(env.id) for _, env in events)
    return dict(Counter(env.type for _, env in events)), sorted(i for i, n in ids.items() if n > 1)
