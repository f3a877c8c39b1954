"""Latency at a fixed rate: from a household sent to intake to its problems being queryable.

Each household goes in as a user's one household does: `POST /households` (intake's one-household
endpoint, JSON, as partial as a one-household roster), one request per household. Sending is
open-loop: each request leaves at its scheduled time whether or not earlier ones have returned, and
latency counts from that scheduled time, so a slow system cannot hide its queue (no coordinated
omission).

"Queryable" is read from the stores, not guessed: the rules and reporting services write their
stream position in the same transaction as their rows, and the benchmark polls both positions from
the SQLite files every 2 ms. Afterwards the new events are read back from the stream: a household is
done when rules has passed its `household.recorded` event and reporting has passed the last
`problem.flagged` event caused by it (or the household event itself, when it has no problem).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from bench.keepalive import Pool
from bench.system import Bench, Series, percentile
from bench.towns import AS_OF, Dataset

SENT_AS = "POST /households"
IN_FLIGHT = 200
"""Requests open at once; later ones wait their turn in the bench, still timed from their scheduled send.
httpcore's pool compares every queued request with every connection at each change, so the 5,000 of a
10 s run at 500/s queued in it kept the bench's own loop busy for minutes (seen at `large`: intake idle,
the bench at a full core in `_assign_requests_to_connections`)."""


@dataclass
class Sent:
    household: str
    scheduled: float
    stored: float | None = None  # when the response came: its events were stored
    error: str = ""


async def run(
    bench: Bench, dataset: Dataset, rate: float, seconds: float, drain: float, offset: int = 0
) -> dict[str, Any]:
    """Send `rate × seconds` new households (from `offset` in the prepared ones) and measure each."""
    households = dataset.latency[offset : offset + int(rate * seconds)]
    if not households:
        return {"skipped": "no new households prepared"}
    start_seq = await bench.last_seq()
    rules, reporting = bench.positions("rules"), bench.positions("reporting")
    rules_series, reporting_series = Series(), Series()
    polling = asyncio.Event()

    async def poll() -> None:
        while not polling.is_set():
            now = time.monotonic()
            rules_series.add(now, rules.read())
            reporting_series.add(now, reporting.read())
            await asyncio.sleep(0.002)

    poller = asyncio.create_task(poll())
    cpu0 = bench.cpu()
    sent: list[Sent] = []
    interval = 1 / rate
    gate = asyncio.Semaphore(IN_FLIGHT)
    pool = Pool(bench.system.url("intake"), bench.auth())

    async def send(item: Sent, persons: list[dict[str, str]]) -> None:
        try:
            async with gate:
                await pool.post("/households", {"as_of": AS_OF, "persons": persons})
            item.stored = time.monotonic()  # it answers once the household's events are stored
        except Exception as err:  # counted, never fatal: a refused import is a result too
            item.error = f"{type(err).__name__}: {str(err)[:200]}"

    try:
        tasks = []
        t0 = time.monotonic() + 0.05
        for i, persons in enumerate(households):
            when = t0 + i * interval
            delay = when - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            item = Sent(persons[0]["户编号"], when)
            sent.append(item)
            tasks.append(asyncio.create_task(send(item, persons)))
        submitted = time.monotonic()
        _, late = await asyncio.wait(tasks, timeout=drain)
        for task in late:
            task.cancel()
    finally:
        pool.close()
    try:
        await bench.settled(max(5.0, drain - (time.monotonic() - submitted)))
        settled = True
    except TimeoutError:
        settled = False
    polling.set()
    await poller
    cpu = bench.cpu_used(cpu0, bench.cpu())
    rules.close()
    reporting.close()
    events = await bench.read_stream(start_seq + 1)
    out = _analyse(events, sent, rules_series, reporting_series, rate, settled)
    others = cpu.pop("others_cores")
    out["cpu_ms_per_household"] = {k: round(1000 * v / len(households), 3) for k, v in cpu.items()}
    out["others_cores"] = others
    return out


def _analyse(
    events: list, sent: list[Sent], rules: Series, reporting: Series, rate: float, settled: bool
) -> dict[str, Any]:
    recorded: dict[str, tuple[int, str]] = {}  # household id -> (seq, event id)
    caused: dict[str, int] = {}  # event id -> last problem.flagged seq it caused
    for e in events:
        if e.subject.startswith("lb.household.") and e.subject.endswith(".recorded"):
            recorded[e.subject.split(".")[2]] = (e.seq, e.headers.get("Nats-Msg-Id", ""))
        elif e.subject.startswith("lb.problem.") and e.subject.endswith(".flagged"):
            cause = json.loads(e.data).get("causation_id") or ""
            caused[cause] = max(caused.get(cause, 0), e.seq)
    end_to_end, to_store, to_query = [], [], []
    missing = 0
    for item in sent:
        seq_id = recorded.get(item.household)
        judged = rules.reached(seq_id[0]) if seq_id else None
        shown = reporting.reached(max(seq_id[0], caused.get(seq_id[1], 0))) if seq_id else None
        if item.error or judged is None or shown is None or item.stored is None:
            missing += 1
            continue
        done = max(judged, shown)
        end_to_end.append(done - item.scheduled)
        to_store.append(item.stored - item.scheduled)
        to_query.append(done - item.stored)
    total = len(sent)
    # a household never seen done counts as slower than any seen: percentiles stay honest
    padded = end_to_end + [float("inf")] * missing

    def ms(values: list[float], q: float) -> float:
        return percentile(values, q) * 1000

    return {
        "rate_per_s": rate,
        "sent_as": SENT_AS,
        "households": total,
        "completed": len(end_to_end),
        "not_completed": missing,
        "errors": sorted({s.error for s in sent if s.error})[:5],
        "settled": settled,
        "p50_ms": ms(padded, 50),
        "p95_ms": ms(padded, 95),
        "p99_ms": ms(padded, 99),
        "max_ms": ms(padded, 100),
        "send_to_stored_p50_ms": ms(to_store, 50),
        "send_to_stored_p99_ms": ms(to_store, 99),
        "stored_to_queryable_p50_ms": ms(to_query, 50),
        "stored_to_queryable_p99_ms": ms(to_query, 99),
        "with_problems": sum(1 for s in sent if recorded.get(s.household, (0, ""))[1] in caused),
    }
