"""How fast a rebuild is, next to how fast the log can be read at all, on the same stream in the same run.

`python -m services.audit.bench --nats-url URL` against a system that has imported a town (e.g.
`lookback up --demo --households 20000`). It reads the whole log raw (the reader alone), then with
every envelope parsed, then replays the four read models together and each alone into scratch SQLite
databases, so the cost of each handler shows beside the cost of reading.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from nats.aio.client import Client
from nats.aio.msg import Msg

from lookback.contracts.envelope import Envelope
from lookback.contracts.subjects import PREFIX
from lookback.messaging import connect
from lookback.store import make_engine
from services.audit.projections import Projection, all_projections
from services.audit.reader import read_log
from services.audit.replay import replay

Timing = tuple[int, float, float]
"""Events, wall seconds, CPU seconds of this process (reader and writer threads together)."""


async def read_rate(nc: Client, parse: bool) -> Timing:
    count = 0

    async def sink(chunk: list[Msg]) -> bool:
        nonlocal count
        if parse:
            for m in chunk:
                Envelope.model_validate_json(m.data)
        count += len(chunk)
        return True

    started, cpu = time.perf_counter(), time.process_time()
    await read_log(nc, [f"{PREFIX}.>"], sink)
    return count, time.perf_counter() - started, time.process_time() - cpu


async def replay_rate(nc: Client, projections: Sequence[Projection], scratch: Path, batch_size: int) -> Timing:
    engine = make_engine(f"sqlite:///{scratch / '-'.join(p.name for p in projections)}-{batch_size}.db")
    cpu = time.process_time()
    try:
        result = await replay(nc, [(p, engine) for p in projections], batch_size=batch_size)
    finally:
        engine.dispose()
    return result.read, result.seconds, time.process_time() - cpu


async def run(nats_url: str, each: bool, batch_sizes: list[int]) -> None:
    nc = await connect(nats_url, "lookback-audit-bench")
    projections = all_projections()
    rows: list[tuple[str, int, float, float]] = []
    try:
        rows.append(("read (ordered consumer, callback)", *await read_rate(nc, parse=False)))
        rows.append(("read + parse every envelope", *await read_rate(nc, parse=True)))
        with tempfile.TemporaryDirectory(prefix="lookback-bench-") as scratch:
            for size in batch_sizes:
                timing = await replay_rate(nc, projections, Path(scratch), size)
                rows.append((f"replay: all four, batches of {size}", *timing))
            for p in projections if each else []:
                rows.append((f"replay: {p.name} alone", *await replay_rate(nc, [p], Path(scratch), batch_sizes[0])))
    finally:
        await nc.close()
    print(f"{'':<36} {'events':>8} {'wall s':>8} {'events/s':>9} {'cpu s':>8} {'events/cpu-s':>12}")
    for name, count, seconds, cpu in rows:
        print(f"{name:<36} {count:>8} {seconds:>8.2f} {count / seconds:>9,.0f} {cpu:>8.2f} {count / cpu:>12,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--nats-url", required=True)
    parser.add_argument("--each", action="store_true", help="also replay each read model alone")
    parser.add_argument("--batch-size", type=int, action="append", help="replay batch size (repeat to compare)")
    args = parser.parse_args()
    asyncio.run(run(args.nats_url, args.each, args.batch_size or [1000]))


if __name__ == "__main__":
    main()
