"""`python -m bench.signing [--events 20000] [--batch 500]`: what signing costs per event, with and without it.

In one run, on its own nats-server (free port, temp dir, the runner's fsync-always config): the CPU
time of signing and of verifying alone (per event, a batch of `--batch` sharing one Ed25519
signature, and an event signed alone), then the wall time of publishing the same events through
`Publisher.publish_batch` unsigned and signed, alternating rounds so both see the same machine, and
of reading them back (wall and this process's CPU time: on a busy machine the CPU figures are the
ones to compare) with `verify-chain`'s checks (`apps.audit.integrity`) and with the chain checks
alone (what it did before).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nats.aio.msg import Msg

from apps.audit.integrity import WHOLE_LOG, Integrity
from apps.audit.reader import read_log
from apps.runner import NatsServer, free_port
from lookback.clock import start_of_day
from lookback.consumer import Delivered, decode
from lookback.contracts.chain import ChainCheck
from lookback.contracts.envelope import Envelope, new_envelope
from lookback.contracts.rules import ProblemFlagged
from lookback.messaging import Publisher, connect, encode, ensure_streams
from lookback.signing import SignatureCheck, Signer, message_digest

ROUNDS = 3


def events(n: int, tag: str) -> list[Envelope]:
    day = date(2019, 12, 1)
    return [
        new_envelope(
            ProblemFlagged(
                problem_id=f"{tag}{i:08d}",
                rule="R03",
                item=3,
                village="桃园村",
                household_id=f"3415230010{i:06d}",
                subject_key=f"{tag}{i}",
                as_of=day,
                description="住房安全 问题",
            ),
            actor="service:rules",
            business_time=start_of_day(day),
        )
        for i in range(n)
    ]


def per_event_us(work: Callable[[], object], count: int) -> float:
    """CPU time, not wall: on a shared machine the wall clock measures the neighbours too."""
    started = time.process_time()
    work()
    return (time.process_time() - started) / count * 1e6


def cpu(envelopes: list[Envelope], batch: int) -> dict[str, float]:
    signer = Signer("rules", Ed25519PrivateKey.generate())
    check = SignatureCheck({"rules": signer.key.public_key()})
    messages = [(e.subject, encode(e)) for e in envelopes]
    chunks = [messages[i : i + batch] for i in range(0, len(messages), batch)]

    def sign(size: int) -> list[dict[str, str]]:
        return [
            signer.headers("b", [message_digest(s, d) for s, d in messages[i : i + size]])
            for i in range(0, len(messages), size)
        ]

    signed = sign(batch)

    def verify() -> None:
        seq = 0
        for chunk, headers in zip(chunks, signed, strict=True):
            for n, (subject, data) in enumerate(chunk, 1):
                seq += 1
                check.feed(seq, subject, data, {"Lb-Batch": "b"} | (headers if n == len(chunk) else {}))

    n = len(messages)
    return {
        "encode_us": per_event_us(lambda: [encode(e) for e in envelopes], n),
        f"sign_batch{batch}_us": per_event_us(lambda: sign(batch), n),
        "sign_alone_us": per_event_us(lambda: sign(1), n),
        f"verify_batch{batch}_us": per_event_us(verify, n),
    }


async def publish_and_read(url: str, n: int, batch: int) -> dict[str, float]:
    nc = await connect(url, "bench-signing")
    await ensure_streams(nc)
    signer = Signer("rules", Ed25519PrivateKey.generate())
    wall = {"unsigned": 0.0, "signed": 0.0}
    cpu_time = dict(wall)
    for r in range(ROUNDS):
        for label, key in (("unsigned", None), ("signed", signer)):
            publisher = Publisher(nc, timeout=60, signer=key)
            envelopes = events(n, f"{label[0]}{r}-")
            started, started_cpu = time.perf_counter(), time.process_time()
            for i in range(0, n, batch):
                await publisher.publish_batch(envelopes[i : i + batch])
            wall[label] += time.perf_counter() - started
            cpu_time[label] += time.process_time() - started_cpu
    total = n * ROUNDS
    out = {f"publish_{label}_wall_us": s / total * 1e6 for label, s in wall.items()}
    out |= {f"publish_{label}_cpu_us": s / total * 1e6 for label, s in cpu_time.items()}
    chain, found = ChainCheck(), Integrity({"rules": signer.key.public_key()})

    async def chain_only(msgs: list[Msg]) -> bool:
        """What verify-chain did before signing: decode, check the links."""
        for msg in msgs:
            item = decode(msg)
            if isinstance(item, Delivered):
                chain.feed(item.seq, item.envelope, msg.metadata.timestamp)
        return True

    async def everything(msgs: list[Msg]) -> bool:
        for msg in msgs:
            found.feed(msg)
        return True

    for label, sink in (("verify_chain_unsigned_checks", chain_only), ("verify_chain_with_signatures", everything)):
        started, started_cpu = time.perf_counter(), time.process_time()
        read = await read_log(nc, WHOLE_LOG, sink)
        out[f"{label}_wall_us"] = (time.perf_counter() - started) / read * 1e6
        out[f"{label}_cpu_us"] = (time.process_time() - started_cpu) / read * 1e6
    assert found.signatures.signed == total, "a signature did not verify"
    await nc.close()
    return out


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.signing", description=__doc__.split("\n")[0])
    p.add_argument("--events", type=int, default=20_000, help="events per round and mode")
    p.add_argument("--batch", type=int, default=500, help="events per atomic batch (the services' default)")
    args = p.parse_args()
    figures = cpu(events(args.events, "c"), args.batch)
    with tempfile.TemporaryDirectory(prefix="lookback-bench-signing-") as work:
        server = NatsServer(Path(work) / "nats", free_port())
        server.start()
        try:
            figures |= asyncio.run(publish_and_read(server.url, args.events, args.batch))
        finally:
            server.stop()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"| µs per event ({args.events:,} events, batches of {args.batch}; load {load}) | |\n|---|---:|")
    for name, value in figures.items():
        print(f"| {name.removesuffix('_us').replace('_', ' ')} | {value:.1f} |")


if __name__ == "__main__":
    main()
