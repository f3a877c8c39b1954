"""The system under test: nats-server and the four services as processes, as `lookback up` runs them.

Everything runs on free loopback ports (never 4222, which another NATS on this machine owns) with
the runner's own `NatsServer` and `System`, so the config measured is the one users get: file
storage, `sync_interval: always`. Progress is read the cheap way, from each service's SQLite
`positions` table (read-only, no load on the service), and confirmed with `/progress` and the
stream's last sequence before anything is called finished.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import functools
import json
import math
import os
import re
import secrets
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats

from apps.audit.reader import read_log
from apps.idle import pending
from apps.runner import SERVICES, NatsServer, System, free_port
from bench.towns import AS_OF, Dataset
from lookback.auth.users import UserStore
from lookback.contracts.subjects import PREFIX, STREAM

OVERDUE_PERIOD = "2020-06-H2"
OVERDUE_PAGE = 50  # the workbench's page
MIN_CALLS = 5  # a p95 of fewer calls is their slowest


def proc_status(pid: int, key: str) -> int:
    """A `/proc/<pid>/status` size in bytes (VmHWM: the resident high-water mark; VmRSS: now)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (/proc/<pid>/stat fields 14 and 15).

    On a shared two-core machine wall-clock rates move with the neighbours' load; CPU time per unit
    of work barely does, so every phase records both."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU-seconds all processes on the machine have used (every core, /proc/stat), for telling how
    much of the two cores the neighbours took during a phase."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Positions:
    """A service's committed stream position, read straight from its SQLite file.

    The position is written in the same transaction as the rows, so once it is visible to a new
    reader, so are the rows: this is exactly "queryable".
    """

    def __init__(self, db: Path, consumer: str) -> None:
        self.db, self.consumer = db, consumer
        self.conn: sqlite3.Connection | None = None

    def read(self) -> int:
        """0 until the service has made its file and the table (a rebuild starts without either)."""
        try:
            if self.conn is None:
                self.conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, isolation_level=None)
            row = self.conn.execute("SELECT seq FROM positions WHERE consumer = ?", (self.consumer,)).fetchone()
        except sqlite3.OperationalError:
            self.close()
            return 0
        return int(row[0]) if row else 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Series:
    """A monotonic step function: (time, position) at every change seen."""

    times: list[float] = field(default_factory=list)
    values: list[int] = field(default_factory=list)

    def add(self, t: float, value: int) -> None:
        if not self.values or value != self.values[-1]:
            self.times.append(t)
            self.values.append(value)

    def reached(self, value: int) -> float | None:
        """The first time the position was at or beyond `value`."""
        i = bisect.bisect_left(self.values, value)
        return self.times[i] if i < len(self.times) else None


@dataclass
class Restart:
    """One start of a service, from the process's start to caught up: wall and CPU seconds of that span."""

    seconds: float
    cpu_seconds: float
    events: int
    answering_after: float
    """When it first answered `/progress`: a busy service answers only between batches."""
    first_commit_after: float | None
    after_first_commit: tuple[float, float, float] | None
    """(events, wall s, CPU s) from the first commit to the last: the rate once started, from the same run
    (the events past the first batch estimated from the positions)."""
    peak_rss: int
    others_cores: float


@dataclass
class Stored:
    """One event as JetStream holds it; what the baselines replay."""

    seq: int
    subject: str
    headers: dict[str, str]
    data: bytes


class Bench:
    """One fresh system in `root`; `start()` it, measure, `stop()` it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.nats = NatsServer(root / "nats", free_port())
        self.system = System(
            root / "data",
            self.nats.url,
            ports={s: free_port() for s in SERVICES},
            users=self.nats.users,
            workbench_port=free_port(),
        )
        self.token = ""
        self.idle_rss: dict[str, int] = {}
        self.hwm: dict[str, int] = {}

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Start nats-server and the services; if any fails to come up, stop what did."""
        try:
            self.nats.start()
            self.system.start()
        except BaseException:
            self.stop()
            raise
        self.token = self.system.station_token()
        time.sleep(1.0)  # let start-up allocations settle before taking the idle footprint
        self.idle_rss = {name: proc_status(pid, "VmRSS") for name, pid in self.pids().items()}

    def stop(self) -> None:
        self.system.stop()
        self.nats.stop()

    def pids(self) -> dict[str, int]:
        out = {n: s.proc.pid for n, s in self.system.services.items() if s.proc is not None}
        if self.nats.proc is not None:
            out["nats-server"] = self.nats.proc.pid
        return out

    def cpu(self) -> dict[str, float]:
        """CPU-seconds so far of each of our processes, this one, and (`_machine`, `_wall`) the machine's."""
        ours = {name: cpu_seconds(pid) for name, pid in self.pids().items()} | {"bench": time.process_time()}
        return ours | {"_machine": machine_busy(), "_wall": time.monotonic()}

    @staticmethod
    def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        """Per process CPU-seconds between two `cpu()` looks, plus `others_cores`: the cores that
        processes not ours kept busy on average meanwhile (the neighbours' share of the machine)."""
        used = {k: round(after[k] - before.get(k, 0.0), 2) for k in after if not k.startswith("_")}
        wall = after["_wall"] - before["_wall"]
        others = (after["_machine"] - before["_machine"]) - sum(used.values())
        return used | {"others_cores": round(max(0.0, others) / wall, 2) if wall > 0 else 0.0}

    def record_hwm(self) -> dict[str, int]:
        """Keep the highest VmHWM seen per process name, across restarts (replay starts new processes)."""
        for name, pid in self.pids().items():
            self.hwm[name] = max(self.hwm.get(name, 0), proc_status(pid, "VmHWM"))
        return dict(self.hwm)

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(self.system.url(s) for s in SERVICES)

    def db(self, service: str) -> Path:
        return self.system.data_dir / f"{service}.db"

    def positions(self, service: str) -> Positions:
        return Positions(self.db(service), service)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    # --- the event log ---------------------------------------------------------------------
    async def last_seq(self) -> int:
        nc = await nats.connect(self.nats.url_as("admin"))
        try:
            info = await nc.jetstream().stream_info(STREAM)
            return int(info.state.last_seq)
        finally:
            await nc.close()

    async def read_stream(self, start: int = 1, keep: int | None = None, timeout: float = 600) -> list[Stored]:
        """Every event from `start` to the stream's end, read as a replay reads it; past the first
        `keep` events only subjects and headers are kept (a large county's log is gigabytes)."""
        nc = await nats.connect(self.nats.url_as("admin"))
        out: list[Stored] = []

        async def sink(chunk: list[Any]) -> bool:
            for msg in chunk:
                data = msg.data if keep is None or len(out) < keep else b""
                out.append(Stored(msg.metadata.sequence.stream, msg.subject, dict(msg.headers or {}), data))
            return True

        try:
            await asyncio.wait_for(read_log(nc, [f"{PREFIX}.>"], sink, start=start), timeout=timeout)
        finally:
            await nc.close()
        return out

    # --- waiting ---------------------------------------------------------------------------
    async def settled(self, timeout: float) -> int:
        """Wait until every consumer has nothing pending and reporting holds the stream's last event;
        returns that last sequence. Two looks 0.2 s apart must agree, as in `lookback wait-idle`."""
        deadline = time.monotonic() + timeout
        reporting = self.positions("reporting")
        quiet, last = 0, -1
        try:
            while time.monotonic() < deadline:
                seq = await self.last_seq()
                waiting = await pending(self.urls)
                done = reporting.read() >= seq and all(v == 0 for v in waiting.values())
                quiet = quiet + 1 if done and seq == last else (1 if done else 0)
                last = seq
                if quiet >= 2:
                    return seq
                await asyncio.sleep(0.2)
        finally:
            reporting.close()
        raise TimeoutError(f"system not settled after {timeout:.0f}s")

    # --- import and pipeline -----------------------------------------------------------------
    async def post_import(self, client: httpx.AsyncClient, files: list[tuple[str, bytes]], partial: bool) -> dict:
        """POST /imports and read the NDJSON progress to its end: then every event is stored."""
        body = [("files", (name, content)) for name, content in files]
        data = {"as_of": AS_OF, "partial": str(partial).lower()}
        summary: dict = {}
        async with client.stream(
            "POST", f"{self.system.url('intake')}/imports", files=body, data=data, headers=self.auth()
        ) as response:
            if response.status_code >= 400:
                await response.aread()
                raise RuntimeError(f"import refused: {response.status_code} {response.text[:300]}")
            async for line in response.aiter_lines():
                if '"summary"' in line[:12]:
                    summary = json.loads(line)["summary"]
                elif '"error"' in line[:10]:
                    raise RuntimeError(str(json.loads(line)["error"])[:300])
        return summary

    async def import_roster(self, dataset: Dataset, timeout: float, keep: int | None = None) -> dict[str, Any]:
        """The full roster through intake, timed twice: until stored (import) and until reporting holds
        the last event it caused (pipeline). The reporting position is polled every 20 ms."""
        files = [(p.name, p.read_bytes()) for p in dataset.files]
        series = Series()
        reporting = self.positions("reporting")
        start = await self.last_seq()
        stop = asyncio.Event()

        async def watch() -> None:
            while not stop.is_set():
                series.add(time.monotonic(), reporting.read())
                await asyncio.sleep(0.02)

        watcher = asyncio.create_task(watch())
        cpu0 = self.cpu()
        t0 = time.monotonic()
        async with httpx.AsyncClient(timeout=None) as client:
            summary = await asyncio.wait_for(self.post_import(client, files, partial=False), timeout)
        t_stored = time.monotonic()
        try:
            last = await self.settled(timeout)
        finally:
            stop.set()
            await watcher
            reporting.close()
        cpu = self.cpu_used(cpu0, self.cpu())
        events = await self.read_stream(start + 1, keep, timeout)
        problems = [e.seq for e in events if e.subject.endswith(".flagged") and e.subject.startswith("lb.problem.")]
        t_all = series.reached(last) or time.monotonic()
        t_problem = series.reached(problems[-1]) if problems else t_all
        rows = int(summary.get("rows_read", dataset.person_rows + dataset.village_rows))
        published = int(summary.get("events_published", 0))
        return {
            "rows": rows,
            "households": dataset.households,
            "events_published_by_import": published,
            "events_total": last - start,
            "problems_flagged": len(problems),
            "import_seconds": t_stored - t0,
            "import_rows_per_s": rows / (t_stored - t0),
            "import_events_per_s": published / (t_stored - t0),
            "pipeline_seconds": (t_problem or t_all) - t0,
            "pipeline_households_per_s": dataset.households / ((t_problem or t_all) - t0),
            "all_events_projected_seconds": t_all - t0,
            "cpu_seconds": cpu,
            "cpu_ms_per_household": {
                k: round(1000 * v / dataset.households, 3) for k, v in cpu.items() if k != "others_cores"
            },
            "others_cores": cpu["others_cores"],
            "summary": {k: v for k, v in summary.items() if k != "rejected"},
            "_events": events,
        }

    # --- replay ----------------------------------------------------------------------------
    def handled(self, service: str) -> int:
        """Events the service's consumers applied since it started (its Prometheus counter)."""
        text = httpx.get(f"{self.system.url(service)}/metrics", timeout=10).text
        pattern = r"^lookback_events_handled_total\{[^}]*\} ([0-9.e+]+)$"
        return int(sum(float(m) for m in re.findall(pattern, text, flags=re.M)))

    async def replay(
        self, service: str, timeout: float, on_started: Callable[[int], None] | None = None, startup: bool = True
    ) -> dict[str, Any]:
        """Rebuild the service's read model as an operator does (stop it, delete its SQLite file, start it)
        and time it from the process's start to its commit of the last event it had to handle, with the
        process's CPU time over the same span; the rates "once started" run from its first commit to its
        last. With `startup`, a restart that has nothing to replay is measured first: its time and CPU are
        the start-up alone (imports, connecting, opening the consumer). `on_started` gets the process id at
        the first commit (the profiler attaches there)."""
        start = await self.restart(service, timeout) if startup else None
        run = await self.restart(service, timeout, rebuild=True, on_started=on_started)
        events = run.events
        out: dict[str, Any] = {
            "events": events,
            "seconds": run.seconds,
            "cpu_seconds": run.cpu_seconds,
            "events_per_s": events / run.seconds if run.seconds > 0 else None,
            "events_per_cpu_s": events / run.cpu_seconds if run.cpu_seconds > 0 else None,
            "answering_after_s": run.answering_after,
            "first_commit_after_s": run.first_commit_after,
            "peak_rss": run.peak_rss,
            "others_cores": run.others_cores,
        }
        if start is not None:
            out |= {"startup_seconds": start.seconds, "startup_cpu_seconds": start.cpu_seconds}
        if run.after_first_commit is not None:
            counted, wall, cpu = run.after_first_commit
            out |= {
                "events_per_s_after_startup": counted / wall if wall > 0 else None,
                "events_per_cpu_s_after_startup": counted / cpu if cpu > 0 else None,
            }
        return out

    async def restart(
        self, service: str, timeout: float, rebuild: bool = False, on_started: Callable[[int], None] | None = None
    ) -> Restart:
        """Stop the service, delete its read model if `rebuild`, start it, and return once `/progress` twice
        says nothing is pending. The end is when the committed position, sampled from the SQLite file every
        20 ms with the process's CPU time, first reached its final value; with nothing to replay, when the
        service first answered `/progress`. `/healthz` is not used: a replaying service answers HTTP only
        between batches, and its health check (NATS requests of its own) so late that a 1 s probe fails
        until the replay is over, which made the replay look finished the moment it looked started."""
        svc = self.system.services[service]
        self.record_hwm()
        svc.stop()
        if rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.db(service)}{suffix}").unlink(missing_ok=True)
        positions = self.positions(service)
        machine0 = machine_busy()
        t0 = time.monotonic()
        svc.start()
        assert svc.proc is not None
        pid = svc.proc.pid
        commits: list[tuple[float, int, float]] = []  # (time, position, process CPU) at each change seen
        sampling = asyncio.Event()

        async def sample() -> None:
            while not sampling.is_set():
                now, position, cpu = time.monotonic(), positions.read(), cpu_seconds(pid)
                if not commits or position != commits[-1][1]:
                    commits.append((now, position, cpu))
                    if len(commits) == 2 and on_started is not None:
                        on_started(pid)
                await asyncio.sleep(0.02)

        sampler = asyncio.create_task(sample())
        answered: tuple[float, float] | None = None  # (time, CPU) of the first answer of /progress
        quiet = 0
        try:
            while quiet < 2:
                if time.monotonic() - t0 > timeout:
                    raise TimeoutError(f"{service} {'replay' if rebuild else 'restart'} not done after {timeout:.0f}s")
                if svc.proc.poll() is not None:
                    raise RuntimeError(f"{service} exited with {svc.proc.returncode}; see {svc.log_path}")
                waiting = await pending((svc.url,))
                if waiting and all(v >= 0 for v in waiting.values()) and answered is None:
                    answered = (time.monotonic(), cpu_seconds(pid))
                quiet = quiet + 1 if waiting and all(v == 0 for v in waiting.values()) else 0
                await asyncio.sleep(0.1)
        finally:
            sampling.set()
            await sampler
        final = positions.read()
        positions.close()
        assert answered is not None
        moved = [c for c in commits[1:] if c[1] >= final]
        t_done, cpu_done = (moved[0][0], moved[0][2]) if moved else answered
        others = (machine_busy() - machine0) - cpu_seconds(pid)
        self.record_hwm()
        events = self.handled(service)
        first = commits[1] if len(commits) > 1 else None
        after = None
        if first is not None and moved and final > 0 and moved[0][0] > first[0]:
            share = (final - first[1]) / final
            after = (events * share, moved[0][0] - first[0], moved[0][2] - first[2])
        return Restart(
            seconds=t_done - t0,
            cpu_seconds=round(cpu_done, 2),
            events=events,
            answering_after=answered[0] - t0,
            first_commit_after=first[0] - t0 if first else None,
            after_first_commit=after,
            peak_rss=proc_status(pid, "VmHWM"),
            others_cores=round(max(0.0, others) / (time.monotonic() - t0), 2),
        )

    # --- reports ---------------------------------------------------------------------------
    def reports(self, requests: int, timeout: float = 60, period: str = "2019-12-H1") -> dict[str, Any]:
        """GET each report `requests` times over HTTP (keep-alive, after 2 warm-ups), next to two floors:
        `GET /healthz` of the same service (HTTP and framework, no work) and reading every row of the
        read model (`report_*` tables) with plain sqlite3 (all the data any report could need).

        The overdue list is asked for as the workbench asks, its first page of `OVERDUE_PAGE` cases, at the
        last period of bench.reports (every case still open is overdue by then): a service without paging
        ignores `limit` and sends the whole list, and `cases_returned` says which of the two was timed."""
        url = self.system.url("reporting")
        calls = {
            "semimonthly": (f"{url}/reports/semimonthly", {"period": period}),
            "overdue": (f"{url}/reports/overdue", {"period": OVERDUE_PERIOD, "limit": str(OVERDUE_PAGE)}),
            "problems": (f"{url}/reports/problems", {"by": "rule,village"}),
            "healthz": (f"{url}/healthz", {}),
        }
        out: dict[str, Any] = {}
        with httpx.Client(timeout=timeout, headers=self.auth()) as client:
            for name, (endpoint, params) in calls.items():
                out[name] = summarise(timed_calls(requests, functools.partial(get_ok, client, endpoint, params)))
            cases = client.get(calls["overdue"][0], params=calls["overdue"][1]).json().get("cases", [])
            out["overdue"] |= {"cases_returned": len(cases), "period": OVERDUE_PERIOD, "limit": OVERDUE_PAGE}
        out["pages"] = self.pages(requests, timeout)
        conn = sqlite3.connect(f"file:{self.db('reporting')}?mode=ro", uri=True)
        try:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            tables = [t for t in names if t.startswith("report_")]
            out["read_model_scan"] = summarise(
                timed_calls(requests, lambda: [conn.execute(f"SELECT * FROM {t}").fetchall() for t in tables])
            )
            out["rows"] = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in names}
        finally:
            conn.close()
        return out

    def pages(self, requests: int, timeout: float = 60) -> dict[str, Any]:
        """The station's 我的待办 and a case page, as its browser asks for them (HTML, session cookie),
        beside the reports: the page a person waits for is a report read plus the workbench's work.
        `python -m bench.pages` times every role's pages."""
        assert self.system.workbench is not None
        password = secrets.token_urlsafe(12)
        UserStore(self.system.data_dir / "users.json").set_password("station", password)  # station_token's user
        out: dict[str, Any] = {}
        with contextlib.closing(sign_in(self.system.workbench.url, "station", password, timeout)) as client:
            case = re.search(r'href="(/cases/[0-9a-f]{32})"', client.get("/work").text)
            paths = {"work": "/work", "case": case[1] if case else None}
            for name, path in paths.items():
                if path is not None:
                    out[name] = summarise(timed_calls(requests, functools.partial(get_ok, client, path, {})))
        return out


def sign_in(base: str, name: str, password: str, timeout: float = 60) -> httpx.Client:
    """A client holding the session cookie of `name`, signed in through the workbench's form."""
    client = httpx.Client(base_url=base, timeout=timeout)
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert found, "no sign-in form"
    reply = client.post("/login", data={"csrf": found[1], "name": name, "password": password})
    assert reply.status_code == 303, f"{name} could not sign in ({reply.status_code})"
    return client


def get_ok(client: httpx.Client, url: str, params: dict[str, str]) -> None:
    client.get(url, params=params).raise_for_status()


def timed_calls(n: int, call: Callable[[], Any], warmup: int = 2, budget: float = 120) -> list[float]:
    """`n` timed calls after `warmup`; fewer (but at least `MIN_CALLS`) once `budget` seconds are spent, so a
    report that takes a minute at `large` ends the run's report phase in minutes, not hours."""
    times: list[float] = []
    started = time.perf_counter()
    for i in range(n + warmup):
        t = time.perf_counter()
        call()
        if i >= warmup:
            times.append(time.perf_counter() - t)
            if len(times) >= MIN_CALLS and time.perf_counter() - started > budget:
                break
    return times


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest rank: the smallest value with at least q % at or below it
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def summarise(seconds: list[float]) -> dict[str, float]:
    return {
        "n": len(seconds),
        "p50_ms": percentile(seconds, 50) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "p99_ms": percentile(seconds, 99) * 1000,
        "mean_ms": statistics.fmean(seconds) * 1000 if seconds else float("nan"),
    }
