"""Rebuilding on every core: the read models are split into groups and each group is replayed by a
process of its own.

A replay is CPU-bound in the handlers, and Python runs one thread of them at a time, so a second
core would otherwise idle. Each process reads the log itself (the server sends the shared subjects
twice; reading is a small part of the cost) and writes its own read models, which may share one
database, SQLite included: WAL lets one writer in at a time, and a batch that collides with the other
process's is retried (`replay.ATTEMPTS`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apps.audit.projections import by_name
from apps.audit.replay import Progress, Replayed, rebuilds_for, replay
from lookback.messaging import connect
from lookback.store import make_engine

COST = {"intake": 3.2, "rules": 6.0, "rectify": 1.7, "reporting": 3.7}
"""CPU seconds each read model took alone over the same log (`python -m bench.replay --each`), to
balance the groups; one not listed counts as the dearest."""


@dataclass(frozen=True)
class Job:
    """What one process rebuilds: read models by name, each with the URL of its database."""

    targets: tuple[tuple[str, str], ...]
    nats_url: str
    limits: dict[str, int] | None
    until: datetime | None
    batch_size: int


def groups(names: Sequence[str], workers: int) -> list[list[str]]:
    """The dearest read model first, each to the group with the least work so far; within a group the
    read models keep the order they were asked in."""
    cost = {name: COST.get(name, max(COST.values())) for name in names}
    loads = [0.0] * max(1, min(workers, len(names)))
    members: list[list[str]] = [[] for _ in loads]
    for name in sorted(names, key=lambda n: -cost[n]):
        lightest = loads.index(min(loads))
        loads[lightest] += cost[name]
        members[lightest].append(name)
    return [sorted(m, key=list(names).index) for m in members if m]


async def _run(job: Job, progress: Progress | None) -> Replayed:
    engines = {url: make_engine(url) for _, url in job.targets}
    projections = {p.name: p for p in by_name([name for name, _ in job.targets])}
    nc = await connect(job.nats_url, "lookback-audit-replay")
    try:
        targets = [(projections[name], engines[url]) for name, url in job.targets]
        return await replay(
            nc, targets, limits=job.limits, until=job.until, batch_size=job.batch_size, progress=progress
        )
    finally:
        await nc.close()
        for engine in engines.values():
            engine.dispose()


def _child(job: Job, index: int, out: Any) -> None:
    """Runs in a spawned process: reports progress and the result (or the error) through `out`."""
    try:
        result = asyncio.run(_run(job, lambda last, stop: out.put(("progress", index, (last, stop)))))
        out.put(("done", index, result))
    except BaseException as err:
        out.put(("failed", index, f"{type(err).__name__}: {err}"))


async def replay_on_cores(
    nats_url: str,
    targets: Sequence[tuple[str, str]],
    *,
    workers: int,
    limits: dict[str, int] | None = None,
    until: datetime | None = None,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> Replayed:
    """`replay.replay` over several processes; with one worker (or one read model) it runs in this one."""
    engines = {url: make_engine(url) for _, url in targets}
    try:
        by = {p.name: p for p in by_name([name for name, _ in targets])}
        rebuilds_for([(by[name], engines[url]) for name, url in targets], limits, batch_size)  # fresh, tables ready
    finally:
        for engine in engines.values():
            engine.dispose()
    url_of = dict(targets)
    jobs = [
        Job(tuple((name, url_of[name]) for name in group), nats_url, limits, until, batch_size)
        for group in groups([name for name, _ in targets], workers)
    ]
    if len(jobs) == 1:
        return await _run(jobs[0], progress)
    return await _in_processes(jobs, [name for name, _ in targets], progress)


async def _in_processes(jobs: list[Job], order: list[str], progress: Progress | None) -> Replayed:
    context = multiprocessing.get_context("spawn")  # no fork: the parent holds NATS sockets and an event loop
    out = context.Queue()
    procs = [context.Process(target=_child, args=(job, n, out), daemon=True) for n, job in enumerate(jobs)]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    seen: dict[int, tuple[int, int]] = {}
    results: dict[int, Replayed] = {}
    try:
        while len(results) < len(jobs):
            try:
                kind, index, body = await asyncio.to_thread(out.get, True, 1.0)
            except queue.Empty:
                dead = [n for n, proc in enumerate(procs) if n not in results and not proc.is_alive()]
                if dead:
                    raise RuntimeError(f"replay worker {dead[0]} exited with {procs[dead[0]].exitcode}") from None
                continue
            if kind == "failed":
                raise RuntimeError(f"replay worker {index} failed: {body}")
            if kind == "done":
                results[index] = body
                seen[index] = (body.last_seq, seen.get(index, (0, body.last_seq))[1])
            else:
                seen[index] = body
            if progress is not None and len(seen) == len(jobs):
                progress(min(last for last, _ in seen.values()), max(stop for _, stop in seen.values()))
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
    done = list(results.values())
    rebuilt = {r.name: r for result in done for r in result.projections}
    stops = [r.stopped_at for r in done if r.stopped_at is not None]
    return Replayed(
        read=max(r.read for r in done),
        seconds=time.perf_counter() - started,
        last_seq=max(r.last_seq for r in done),
        stopped_at=min(stops) if stops else None,
        projections=[rebuilt[name] for name in order],
    )
