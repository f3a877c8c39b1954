"""The report endpoints at county size, in one process: grow a demo town's log with the services' own
handlers (`bench.logmaker`), project it into a reporting read model, then time each endpoint.

No broker and no other process: what is measured is reporting's own work per request (and per batch
while projecting), which the full bench's HTTP figures include but cannot separate from the machine's
neighbours. The log is kept as JSON lines, so two versions of the code can be timed on the same log.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from apps.demo import correct, generate
from bench.logmaker import CHUNK, FIRST, FIXED_SHARE, SECOND, Grower, chunks
from bench.towns import SEED
from lookback.auth.users import Role, UserStore
from lookback.consumer import Delivered
from lookback.contracts.envelope import Envelope
from lookback.store import make_engine
from services.reporting import api
from services.reporting.adapters.factlog import FactLog
from services.reporting.adapters.tables import prepare
from services.reporting.handlers import project

BATCH = 500
ENDPOINTS = {
    "semimonthly": ("/reports/semimonthly", {"period": "2019-12-H1"}),
    "semimonthly_later": ("/reports/semimonthly", {"period": "2020-01-H1"}),
    "trend": ("/reports/trend", {"period": "2020-06-H2"}),
    "overdue": ("/reports/overdue", {"period": "2020-06-H2"}),
    "overdue_page": ("/reports/overdue", {"period": "2020-06-H2", "limit": "100"}),
    "overdue_known_at": ("/reports/overdue", {"period": "2020-06-H2", "known_at": "2030-01-01"}),  # still folded
    "problems": ("/reports/problems", {"by": "rule,village"}),
}


def grow(households: int, folder: Path, out: Path) -> int:
    """Both imports of every chunk, as `bench.logmaker` grows a log, written as (seq, envelope) lines."""
    grower = Grower(None, folder)  # type: ignore[arg-type]  # no broker: only `flow` is used
    town = generate(households, seed=SEED)
    pairs = zip(chunks(town, CHUNK), chunks(correct(town, FIXED_SHARE, SEED), CHUNK), strict=True)
    seq = 0
    with out.open("w", encoding="utf-8") as sink:
        for n, (first, second) in enumerate(pairs):
            for as_of, rows, name in ((FIRST, first, "first"), (SECOND, second, "second")):
                batches, _ = grower.import_chunk(grower.write_chunk(town, rows, n, name), as_of, seq)
                for batch in batches:
                    for env in batch:
                        seq += 1
                        sink.write(f"{seq}\t{env.model_dump_json()}\n")
    return seq


def load(path: Path) -> list[Delivered]:
    out = []
    with path.open(encoding="utf-8") as source:
        for line in source:
            seq, body = line.split("\t", 1)
            out.append(Delivered(int(seq), Envelope.model_validate_json(body)))
    return out


def timed(client: TestClient, token: str, path: str, params: dict[str, str], requests: int) -> dict[str, Any]:
    """Wall and CPU time per request (`process_time`: the app runs in this process, on the client's
    portal thread), so a loaded machine's neighbours can be told from the request's own work."""
    headers = {"Authorization": f"Bearer {token}"}
    first = time.perf_counter()
    response = client.get(path, params=params, headers=headers)
    cold = time.perf_counter() - first
    response.raise_for_status()
    times, cpu = [], []
    for _ in range(requests):
        start, used = time.perf_counter(), time.process_time()
        client.get(path, params=params, headers=headers).raise_for_status()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
    return {
        "first_ms": round(cold * 1000, 1),
        **_percentiles("", times),
        **_percentiles("cpu_", cpu),
        "bytes": len(response.content),
    }


def _percentiles(prefix: str, seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        f"{prefix}p50_ms": round(statistics.median(ordered) * 1000, 1),
        f"{prefix}p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000, 1),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__.split("\n")[0] if __doc__ else "")
    p.add_argument("--households", type=int, default=40_000)
    p.add_argument("--folder", type=Path, required=True, help="scratch space; the log is kept there and reused")
    p.add_argument("--requests", type=int, default=30)
    p.add_argument("--endpoints", default=",".join(ENDPOINTS), help=f"which of {', '.join(ENDPOINTS)}")
    args = p.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    log = args.folder / f"log-{args.households}.jsonl"
    if not log.exists():
        started = time.perf_counter()
        events = grow(args.households, args.folder / "grow", log)
        print(f"grew {events} events in {time.perf_counter() - started:.0f} s")
    delivered = load(log)
    db = args.folder / "reporting.db"
    for stale in args.folder.glob("reporting.db*"):
        stale.unlink()
    engine = make_engine(f"sqlite:///{db}")
    prepare(engine, "reporting")
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(delivered), BATCH):
        with Session(engine) as session:
            project(session, delivered[start : start + BATCH])
            session.commit()
    projected, cpu = time.perf_counter() - started, time.process_time() - cpu
    users = UserStore(args.folder / "users.json")
    token = users.add(f"station-{time.time_ns()}", Role.STATION)
    app = FastAPI()
    app.include_router(api.router)
    app.state.fact_log = FactLog(engine)
    app.state.users = users
    client = TestClient(app)
    result = {
        "households": args.households,
        "events": len(delivered),
        "projection_s": round(projected, 1),
        "projection_events_per_s": round(len(delivered) / projected),
        "projection_cpu_s": round(cpu, 2),
        "projection_cpu_us_per_event": round(cpu * 1e6 / len(delivered)),
    }
    print(json.dumps(result), flush=True)
    for name in args.endpoints.split(","):
        path, params = ENDPOINTS[name]
        print(json.dumps({name: timed(client, token, path, params, args.requests)}), flush=True)


if __name__ == "__main__":
    main()
