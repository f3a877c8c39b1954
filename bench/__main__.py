"""`python -m bench [--sizes town,county,large | --quick | --full] [--profile]`: measure, write JSON, print Markdown.

Each size runs on a fresh system (own nats-server and data dir on free ports) in this order:
import the roster (import and import-to-read-model are timed on the same run), a quiet latency probe
and the fixed-rate latency run with households the roster did not hold, reports over HTTP, replay of
each service's read model, peak memory; then the system is stopped and the baselines run alone, on
the events the system stored, so neither competes with the other for the two cores.
The JSON goes to bench/results/<UTC timestamp>.json after every size, so a long run that is
interrupted keeps what it measured.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from apps.runner import SERVICES
from bench import baselines, fschain, latency
from bench.profiling import Profiler, summarise
from bench.report import loadavg, machine, markdown, result_path, write_json
from bench.system import Bench, Stored
from bench.towns import SIZES, Dataset, prepare

RESULTS = Path(__file__).resolve().parent / "results"
IMPORTED = {"household", "village", "import"}  # the aggregates an import publishes (lookback.contracts.intake)
BASELINE_EVENTS = 200_000  # baselines replay at most this many of the stored events: rates are steady well before


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument(
        "--sizes", default="town,county", help="comma list of town (3,000), county (40,000), large (400,000)"
    )
    p.add_argument("--quick", action="store_true", help="smoke run: town only, short latency run, fewer requests")
    p.add_argument("--full", action="store_true", help="every size: town, county and large (1.5 hours or more)")
    p.add_argument("--profile", action="store_true", help="also profile the services (py-spy) on the first size")
    p.add_argument("--latency-rate", type=float, default=500, help="households per second in the latency run")
    p.add_argument("--latency-seconds", type=float, default=10, help="how long households are sent")
    p.add_argument(
        "--latency-drain",
        type=float,
        default=60,
        help="seconds to wait for sent households; later ones count as not done",
    )
    p.add_argument("--probe-rate", type=float, default=10, help="households per second in the quiet latency probe")
    p.add_argument("--probe-seconds", type=float, default=3, help="how long the probe sends (1-household imports)")
    p.add_argument("--report-requests", type=int, default=30, help="requests per report endpoint")
    p.add_argument("--skip-baselines", action="store_true", help="only the system")
    p.add_argument("--work-dir", type=Path, help="where towns, logs and stores go (default: a temp dir, removed)")
    p.add_argument("--out", type=Path, default=RESULTS, help="folder of the JSON results")
    p.add_argument("--render", type=Path, metavar="JSON", help="print the Markdown of a saved result and exit")
    args = p.parse_args(argv)
    if args.quick and args.full:
        p.error("--quick and --full exclude each other")
    if args.full:
        args.sizes = ",".join(SIZES)
    if args.quick:
        args.sizes = "town"
        args.latency_seconds = min(args.latency_seconds, 2)
        args.probe_seconds = min(args.probe_seconds, 1)
        args.latency_drain = min(args.latency_drain, 30)
        args.report_requests = min(args.report_requests, 5)
    unknown = [s for s in args.sizes.split(",") if s not in SIZES]
    if unknown:
        p.error(f"unknown size(s) {unknown}; choose from {list(SIZES)}")
    return args


def timeout_for(households: int) -> float:
    """Generous bounds that still end a run that hangs: ten times what this machine needs."""
    return max(120.0, households / 30)


async def measure_system(
    bench: Bench, ds: Dataset, args: argparse.Namespace, out: dict[str, Any], events: list[Stored]
) -> None:
    """Every system figure of one size into `out`, as each is measured (a phase that fails keeps those
    before it), and the stored events with their data into `events`, which the baselines replay.
    Replay comes last: it restarts services, and the figures before it need the processes of the import."""
    limit = timeout_for(ds.households)
    step("import → read model")
    pipeline = await bench.import_roster(ds, limit, keep=BASELINE_EVENTS)
    events.extend(e for e in pipeline.pop("_events") if e.data)
    out["pipeline"] = pipeline
    show(pipeline, "import_rows_per_s", "pipeline_households_per_s", "events_total")
    step(f"latency probe at {args.probe_rate:.0f}/s, {latency.SENT_AS}")
    out["latency_probe"] = await latency.run(bench, ds, args.probe_rate, args.probe_seconds, drain=args.latency_drain)
    show(out["latency_probe"], "p50_ms", "p99_ms", "not_completed")
    step(f"latency at {args.latency_rate:.0f}/s for {args.latency_seconds:.0f} s")
    out["latency"] = await latency.run(
        bench,
        ds,
        args.latency_rate,
        args.latency_seconds,
        drain=args.latency_drain,
        offset=int(args.probe_rate * args.probe_seconds),
    )
    show(out["latency"], "p50_ms", "p99_ms", "not_completed")
    step("reports")
    out["reports"] = bench.reports(args.report_requests, timeout=limit)
    show(out["reports"], "semimonthly", "overdue", "problems")
    before_replay = bench.record_hwm()
    replays = {}
    for service in SERVICES:
        step(f"replay {service}")
        replays[service] = await bench.replay(service, limit)
        show(replays[service], "events", "seconds", "events_per_s", "startup_seconds", "events_per_s_after_startup")
    events_all = sum(r["events"] for r in replays.values())
    seconds_all = sum(r["seconds"] for r in replays.values())
    out["replay"] = {
        "services": replays,
        "all": {"events": events_all, "seconds": seconds_all, "events_per_s": events_all / seconds_all},
    }
    peaks = bench.record_hwm()
    out["memory"] = {
        "peak": peaks,
        "peak_before_replay": before_replay,
        "idle": bench.idle_rss,
        "log_events": await bench.last_seq(),  # the memory target is at a million events: `large` has them
    }


def measure_baselines(events: list[Stored], root: Path, args: argparse.Namespace) -> dict[str, Any]:
    """nats-py publishes what the import published and reads everything back; eventsourcing stores and
    reads everything; the FastStream chain runs on the household events at the system's latency rates."""
    step("baselines: nats-py, eventsourcing")
    out = baselines.run(events, root, publish=[e for e in events if e.subject.split(".")[1] in IMPORTED])
    step("baseline: FastStream chain")
    out["faststream"] = fschain.run(
        events,
        root,
        throughput_n=1_000 if args.quick else 5_000,
        paced=[(args.probe_rate, args.probe_seconds), (args.latency_rate, min(args.latency_seconds, 5))],
    )
    return out


async def profile_pass(name: str, ds: Dataset, root: Path, args: argparse.Namespace) -> dict[str, Any]:
    """A fresh system with py-spy on every service: the import pipeline, a latency run, each replay."""
    bench = Bench(root / "system")
    bench.start()
    phases: dict[str, dict[str, Any]] = {}
    try:
        prof = Profiler(root / "pipeline")
        for service, pid in bench.pids().items():
            if service != "nats-server":
                prof.attach(service, pid)
        step("profile: import → read model")
        await bench.import_roster(ds, timeout_for(ds.households), keep=0)
        phases["import → read model"] = {s: summarise(f) for s, f in prof.stop().items()}
        prof = Profiler(root / "latency")
        for service, pid in bench.pids().items():
            if service != "nats-server":
                prof.attach(service, pid)
        step("profile: latency")
        await latency.run(bench, ds, args.latency_rate, min(args.latency_seconds, 4), drain=args.latency_drain)
        phases[f"latency ({latency.SENT_AS})"] = {s: summarise(f) for s, f in prof.stop().items()}
        for service in SERVICES:
            step(f"profile: replay {service}")
            prof = Profiler(root / f"replay-{service}")
            attach = functools.partial(prof.attach, service)
            await bench.replay(service, timeout_for(ds.households), on_started=attach, startup=False)
            phases[f"replay {service}"] = {s: summarise(f) for s, f in prof.stop().items()}
    finally:
        bench.stop()
    return {"size": name, "phases": phases}


def step(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def show(values: dict[str, Any], *keys: str) -> None:
    parts = []
    for k in keys:
        v = values.get(k)
        if isinstance(v, dict):
            v = {kk: round(vv, 1) for kk, vv in v.items() if kk.endswith("ms")}
        elif isinstance(v, float):
            v = round(v, 1)
        parts.append(f"{k}={v}")
    print("      " + ", ".join(parts), file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.render:
        print(markdown(json.loads(args.render.read_text(encoding="utf-8"))))
        return
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="lookback-bench-"))
    results: dict[str, Any] = {"machine": machine(), "args": vars(args) | {"work_dir": str(work)}, "sizes": {}}
    path = result_path(args.out)
    try:
        datasets = {}
        for name in args.sizes.split(","):
            households = SIZES[name]
            started, load_before = time.monotonic(), loadavg()
            print(f"{name}: {households:,} households", file=sys.stderr, flush=True)
            step("generating the roster")
            extra = int(args.latency_rate * args.latency_seconds + args.probe_rate * args.probe_seconds)
            ds = datasets[name] = prepare(name, households, extra, work / name / "input")
            bench = Bench(work / name / "system")
            bench.start()
            size: dict[str, Any] = {}
            events: list[Stored] = []
            try:
                asyncio.run(measure_system(bench, ds, args, size, events))
            except Exception as err:  # a size that fails keeps what it measured, and the sizes after it run
                size["error"] = f"{type(err).__name__}: {str(err)[:300]}"
                step(f"{name} stopped: {size['error']}")
            finally:
                bench.stop()
            if events and not args.skip_baselines:
                size["baselines"] = measure_baselines(events, work / name / "baselines", args)
            del events
            size |= {
                "households": households,
                "seconds": time.monotonic() - started,
                "load": {"before": load_before, "after": loadavg()},
            }
            results["sizes"][name] = size
            write_json(results, path)
        if args.profile:
            first = args.sizes.split(",")[0]
            results["profile"] = asyncio.run(profile_pass(first, datasets[first], work / first / "profile", args))
            write_json(results, path)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(markdown(results))
    print(f"\nresults: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
