"""`python -m bench.replay [--events 1000000]`: how fast every read model is rebuilt from a large log,
next to how fast the same stream can be read at all, in the same run.

It starts its own nats-server (free port, temp dir, Lookback's stream settings), grows a log of the
demo town with the services' own code (bench/logmaker.py), then, one after another on the idle
system: reads the whole stream raw with the reader the replay uses, reads it again parsing every
message with `json.loads` and with the pydantic envelope, and rebuilds all four read models into a
fresh SQLite database with `apps.audit.replay` (what `lookback audit replay` runs). `--each`
adds each read model alone. A Markdown table goes to stdout, the JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from rich.console import Console
from rich.progress import (
    TaskID,
)

from apps.audit.projections import Projection, all_projections
from apps.audit.reader import read_log, stream_head
from apps.audit.replay import Progress as ReplayProgress
from apps.audit.workers import replay_on_cores
from apps.runner import NatsServer, free_port
from bench.report import bar, loadavg, machine, write_json
from lookback.contracts.envelope import Envelope
from lookback.contracts.subjects import PREFIX, STREAM
from lookback.messaging import connect, ensure_streams

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_RATE = 50_000  # issue 17: replay of the million-event log, events/s
TARGET_MB = 200  # issue 17: every process at a million events
err = Console(stderr=True)


@dataclass
class Row:
    name: str
    events: int
    seconds: float
    cpu_seconds: float
    """Of this process and the replay workers it started."""
    peak_mb: float
    """The largest resident memory of this process (its peak reset before each row) or of a replay worker."""
    db_mb: float | None = None

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def reset_peak() -> None:
    """Linux resets VmHWM on "5" (proc(5), clear_refs), so each row's peak is its own."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mb(pid: int | str = "self") -> float:
    """VmHWM: the most resident memory the process has had (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0)


def children() -> list[str]:
    return [pid for task in Path("/proc/self/task").iterdir() for pid in (task / "children").read_text().split()]


async def watch_children(peak: list[float], before: set[str]) -> None:
    """The largest peak of the processes not in `before` (the replay's workers, not nats-server), sampled
    until cancelled: a worker's own last moments may escape it, its peak until then does not."""
    while True:
        peak[0] = max([peak[0], *(peak_mb(pid) for pid in children() if pid not in before)])
        await asyncio.sleep(0.2)


def cpu_seconds() -> float:
    """This process's CPU time and that of its children that have ended (the replay's workers)."""
    mine, theirs = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + theirs.ru_utime + theirs.ru_stime


async def timed(name: str, work: Callable[[], Awaitable[int]]) -> Row:
    reset_peak()
    worker_peak = [0.0]
    watcher = asyncio.create_task(watch_children(worker_peak, set(children())))
    started, cpu = time.perf_counter(), cpu_seconds()
    try:
        events = await work()
    finally:
        watcher.cancel()
    return Row(name, events, time.perf_counter() - started, cpu_seconds() - cpu, max(peak_mb(), worker_peak[0]))


def reading(nc: Client, parse: Callable[[bytes], Any] | None) -> Callable[[], Awaitable[int]]:
    async def work() -> int:
        async def sink(chunk: list[Msg]) -> bool:
            if parse is not None:
                for m in chunk:
                    parse(m.data)
            return True

        return await read_log(nc, [f"{PREFIX}.>"], sink)

    return work


def replaying(
    url: str, projections: Sequence[Projection], db: Path, workers: int, batch_size: int, progress: ReplayProgress
) -> Callable[[], Awaitable[int]]:
    async def work() -> int:
        targets = [(p.name, f"sqlite:///{db}") for p in projections]
        return (await replay_on_cores(url, targets, workers=workers, batch_size=batch_size, progress=progress)).read

    return work


async def measure(nc: Client, url: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    if await stream_head(nc) < args.events:
        started = time.perf_counter()
        grow = [sys.executable, "-m", "bench.logmaker", "--nats-url", url, "--events", str(args.events)]
        await asyncio.to_thread(subprocess.run, [*grow, "--folder", str(work / "grow")], check=True)
        err.print(f"log grown in {time.perf_counter() - started:.0f} s")
    head = await stream_head(nc)
    info = await nc.jetstream().stream_info(STREAM)
    rows: list[Row] = []
    with bar() as progress:
        for name, parse in (
            ("read: ordered consumer, callback (the replay's reader)", None),
            ("read + json.loads of every message", json.loads),
            ("read + Envelope.model_validate_json of every message", Envelope.model_validate_json),
        ):
            task = progress.add_task(name, total=None)
            rows.append(await timed(name, reading(nc, parse)))
            progress.remove_task(task)
        everything = all_projections()
        runs = [(f"replay: all four read models, {args.workers} processes", everything, args.workers)]
        runs += [("replay: all four read models, 1 process", everything, 1)] if args.workers > 1 else []
        runs += [(f"replay: {p.name} alone", [p], 1) for p in everything] if args.each else []
        for n, (name, projections, workers) in enumerate(runs):
            db = work / f"replay-{n}.db"
            task = progress.add_task(name, total=head)

            def advance(last: int, stop: int, task: TaskID = task) -> None:
                progress.update(task, completed=last)

            row = await timed(name, replaying(url, projections, db, workers, args.batch_size, advance))
            row.db_mb = sum(f.stat().st_size for f in work.glob(f"{db.name}*")) / 2**20
            rows.append(row)
            progress.remove_task(task)
    return {
        "machine": machine(),
        "load_average_after": loadavg(),
        "stream": {"events": head, "bytes": info.state.bytes},
        "batch_size": args.batch_size,
        "rows": [asdict(r) | {"rate": r.rate} for r in rows],
    }


def markdown(result: dict[str, Any]) -> str:
    stream, rows = result["stream"], result["rows"]
    raw = rows[0]["rate"]
    lines = [
        f"{stream['events']:,} events, {stream['bytes'] / 2**20:,.0f} MB in the stream; "
        f"replay batches of {result['batch_size']}; load average after {result['load_average_after']:.2f}",
        "",
        "| what | events | wall s | events/s | ≥ 50,000/s | × raw read | CPU s | events per CPU-s | peak RSS MB "
        "| ≤ 200 MB | DB MB |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        rebuild = r["db_mb"] is not None  # the targets are the rebuild's; the reads are the floor under it
        db = f"{r['db_mb']:,.0f}" if rebuild else ""
        fast = ("pass" if r["rate"] >= TARGET_RATE else "MISS") if rebuild else ""
        small = ("pass" if r["peak_mb"] <= TARGET_MB else "MISS") if rebuild else ""
        lines.append(
            f"| {r['name']} | {r['events']:,} | {r['seconds']:,.1f} | {r['rate']:,.0f} | {fast} "
            f"| {r['rate'] / raw:.2f} | {r['cpu_seconds']:,.1f} | {r['events'] / r['cpu_seconds']:,.0f} "
            f"| {r['peak_mb']:,.0f} | {small} | {db} |"
        )
    lines.append(
        "\nPeak RSS of a rebuild is its largest process's (this one or a replay worker): issue 17's "
        '"every service ≤ 200 MB at a million events" for the processes that rebuild the read models; '
        "the services' own peaks at that size are the `large` rows of `python -m bench --full`."
    )
    return "\n".join(lines)


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    server = NatsServer(work / "nats", port=free_port())
    server.start()
    nc = await connect(server.url_as("admin"), "lookback-bench-replay")
    try:
        await ensure_streams(nc)
        return await measure(nc, server.url_as("admin"), work, args)
    finally:
        await nc.close()
        server.stop()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__.split("\n")[0] if __doc__ else "")
    p.add_argument("--events", type=int, default=1_000_000, help="how many events the log holds (grown if fewer)")
    p.add_argument("--batch-size", type=int, default=1000, help="events per rebuild transaction per read model")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="replay processes (also measured with one)")
    p.add_argument("--each", action="store_true", help="also rebuild each read model alone")
    p.add_argument(
        "--work-dir",
        type=Path,
        help="keep the nats store, grown log and rebuilt databases here; a later run reuses the log",
    )
    p.add_argument("--out", type=Path, default=RESULTS, help="folder of the JSON results")
    args = p.parse_args(argv)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="lookback-bench-replay-"))
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("*.db*"):
        old.unlink()  # a rebuild needs a fresh database
    try:
        result = asyncio.run(run(args, work))
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    path = write_json(result, args.out / f"replay-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json")
    print(markdown(result))
    print(f"\nJSON: {os.path.relpath(path)}", file=sys.stderr)


if __name__ == "__main__":
    main()
