"""Baseline: the FastStream chain a team writes first, of the same shape as Lookback's pipeline.

Three FastStream processes, as three services would be: `rules` takes each household event and
awaits the publish of one problem event, `rectify` takes each problem and awaits the publish of one
case event, `reporting` takes each case. Every handler is per message, with its pydantic model as
the parameter and the default ack (after the handler returns): one message in, one awaited publish
out. The streams have Lookback's settings on their own nats-server with `sync_interval: always`.

Run as `python -m bench.fschain --stage NAME …` by `run()`; the last stage reports on a core-NATS
subject when it has seen every message, with the time each one took from its scheduled send
(`time.monotonic()` is one clock for every process on a machine).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import nats
from faststream.nats import JStream, NatsBroker, NatsMessage

from apps.runner import NatsServer, free_port
from bench.system import Stored, cpu_seconds, percentile
from lookback.contracts.envelope import Envelope
from lookback.messaging import stream_config

REPO = Path(__file__).resolve().parents[1]
NEXT = {
    "rules": ("household", "problem", "flagged"),
    "rectify": ("problem", "case", "opened"),
    "reporting": ("case", "", ""),
}


def _derived(env: Envelope, kind: str, name: str) -> Envelope:
    """An output of a realistic size (≈ a problem.flagged or case.opened), derived from the input."""
    payload = {
        "problem_id": uuid.uuid4().hex[:16],
        "rule": "R12",
        "item": 12,
        "village": env.payload.get("village", ""),
        "household_id": env.payload.get("household_id") or env.aggregate_id,
        "as_of": "2019-12-01",
        "lead_unit": "干汊河镇人民政府",
        "description": "无帮扶责任人 / no helper assigned",
    }
    return env.model_copy(
        update={"id": uuid.uuid4(), "type": f"{kind}.{name}", "aggregate_type": kind, "payload": payload}
    )


async def stage(url: str, prefix: str, name: str, expect: int) -> None:
    broker = NatsBroker(url, logger=None)
    source, target, event = NEXT[name]
    stream = JStream(f"{prefix.upper()}", declare=False)
    seen: list[float] = []
    finished = asyncio.Event()

    @broker.subscriber(f"{prefix}.{source}.>", stream=stream, durable=f"{prefix}-{name}")
    async def handle(env: Envelope, msg: NatsMessage) -> None:
        t0 = (msg.headers or {}).get("bench-t0", "")
        if target:
            out = _derived(env, target, event)
            await broker.publish(
                out, f"{prefix}.{target}.{out.aggregate_id}.{event}", headers={"bench-t0": t0}, stream=stream.name
            )
            return
        now = time.monotonic()
        seen.append(now - float(t0) if t0 else now)
        if len(seen) >= expect:
            finished.set()

    await broker.start()
    await broker.connection.publish(f"{prefix}ctl.ready", name.encode())
    if target:
        await asyncio.Event().wait()  # until terminated
    await finished.wait()
    await broker.connection.publish(
        f"{prefix}ctl.done", json.dumps({"finished": time.monotonic(), "latencies": seen}).encode()
    )
    await broker.connection.flush()
    await broker.stop()


async def _chain(server: NatsServer, prefix: str, events: list[Stored], rate: float | None) -> dict[str, Any]:
    """Start the three stages, send the household events (as fast as JetStream takes them, or at
    `rate` a second), and wait for the last stage's report."""
    url = server.url_as("admin")  # the bench makes streams of its own
    nc = await nats.connect(url)
    js = nc.jetstream(publish_async_max_pending=1024)
    await js.add_stream(dataclasses.replace(stream_config(), name=prefix.upper(), subjects=[f"{prefix}.>"]))
    ready: asyncio.Queue[bytes] = asyncio.Queue()
    done: asyncio.Queue[dict] = asyncio.Queue()

    async def on_ready(msg: Any) -> None:
        ready.put_nowait(msg.data)

    async def on_done(msg: Any) -> None:
        done.put_nowait(json.loads(msg.data))

    await nc.subscribe(f"{prefix}ctl.ready", cb=on_ready)
    await nc.subscribe(f"{prefix}ctl.done", cb=on_done)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-W",
                "ignore::RuntimeWarning",
                "-m",
                "bench.fschain",
                "--url",
                url,
                "--prefix",
                prefix,
                "--stage",
                s,
                "--expect",
                str(len(events)),
            ],
            cwd=REPO,
        )
        for s in NEXT
    ]
    try:
        for _ in NEXT:
            await asyncio.wait_for(ready.get(), timeout=60)
        pids = {s: p.pid for s, p in zip(NEXT, procs, strict=True)} | {
            "nats-server": server.proc.pid if server.proc else 0
        }
        cpu0 = {s: cpu_seconds(pid) for s, pid in pids.items()}
        started = time.monotonic()
        futures = []
        for i, e in enumerate(events):
            if rate:
                delay = started + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            t0 = started + i / rate if rate else time.monotonic()
            subject = f"{prefix}.household.{e.subject.split('.')[2]}.recorded"
            futures.append(await js.publish_async(subject, e.data, headers={"bench-t0": repr(t0)}))
        await asyncio.gather(*futures)
        report = await asyncio.wait_for(done.get(), timeout=max(120, 5 * len(events) / 500))
        cpu = {s: round(cpu_seconds(pid) - cpu0[s], 2) for s, pid in pids.items()}
        seconds = report["finished"] - started
        latencies = report["latencies"]
        return {
            "messages": len(events),
            "seconds": seconds,
            "per_s": len(events) / seconds,
            "p50_ms": percentile(latencies, 50) * 1000,
            "p95_ms": percentile(latencies, 95) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000,
            "cpu_seconds": cpu,
            "cpu_ms_per_household": round(1000 * sum(cpu.values()) / len(events), 3),
        }
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        await nc.close()


def run(events: list[Stored], root: Path, throughput_n: int, paced: list[tuple[float, float]]) -> dict[str, Any]:
    """The chain's throughput on `throughput_n` household events, then its latency at each
    (rate, seconds) of `paced`: the same rates the system's latency runs use."""
    households = [e for e in events if e.subject.startswith("lb.household.") and e.subject.endswith(".recorded")]
    if not households:
        return {"skipped": "no household events"}
    server = NatsServer(root / "nats-faststream", free_port())
    server.start()
    try:
        out: dict[str, Any] = {
            "shape": "3 FastStream processes, per-message handlers, one awaited publish out per message in",
            "throughput": asyncio.run(_chain(server, "fst", households[:throughput_n], None)),
            "latency": [],
        }
        for i, (rate, seconds) in enumerate(paced):
            n = max(1, int(rate * seconds))
            sample = (households * (n // len(households) + 1))[:n]
            out["latency"].append(asyncio.run(_chain(server, f"fsl{i}", sample, rate)) | {"rate_per_s": rate})
        return out
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--stage", choices=list(NEXT), required=True)
    parser.add_argument("--expect", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(stage(args.url, args.prefix, args.stage, args.expect))


if __name__ == "__main__":
    main()
